/**
 * While a round's fakes are made (phase 'preparing'): "Generating images…" for everyone,
 * the model loading progress in solo, and for a generator-team player the candidates to
 * pick from (one z per fake). During the question a G player sees their fakes instead of
 * the answer form.
 */
import { mountModelStatus } from '../ml/model-status.ts';
import { getModelService } from '../ml/model-service.ts';
import type { QuestionMessage, Snapshot } from '../session/game-session.ts';
import { announce, h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { pixelCanvas } from './gan-common.ts';
import type { GanDevice, GeneratorTurn } from './gan-device.ts';

export function preparingPanel(ctx: PanelContext): Panel {
  const { session } = ctx;
  const body = h('div', { class: 'gan-preparing-body' });
  const el = h(
    'section',
    { class: 'card gan-preparing', 'data-testid': 'preparing' },
    h('h2', { class: 'card-heading', tabindex: -1 }, 'Generating images…'),
    h('p', { class: 'lead' }, 'A generative model is making this round’s fakes.'),
    body,
  );
  const offs: (() => void)[] = [];
  if (session.mode === 'solo') {
    body.append(h('p', { class: 'hint' }, 'They are made in this browser: the first time, the models load first.'));
    const widget = mountModelStatus(body, getModelService(), { load: false });
    offs.push(() => widget.destroy());
  }
  const device = session.device;
  let shown: GeneratorTurn | null = null;
  const renderTurn = () => {
    if (!device || session.role !== 'player') return;
    const turn = device.turn(session.snapshot().round + 1);
    if (!turn) return;
    if (shown !== turn) {
      shown = turn;
      el.replaceChildren(...pickerContent(device, turn));
      announce('You are the generator G this round: pick the fakes to submit.');
      el.querySelector<HTMLElement>('h2')?.focus();
    } else fillCandidates(el, device, turn); // candidates finished drawing, or a pick changed
  };
  if (device) offs.push(device.subscribe(renderTurn));
  renderTurn();
  announce('Generating images…');
  return {
    el,
    stage: { scene: 'none' },
    update: (_snap: Snapshot) => renderTurn(),
    destroy: () => offs.forEach((off) => off()),
  };
}

function pickerContent(device: GanDevice, turn: GeneratorTurn): HTMLElement[] {
  const slots = turn.slots.map((slot, si) => {
    const list = h('div', { class: 'gan-candidates', role: 'radiogroup', 'aria-label': `Fake ${si + 1}: “${slot.caption}”: choose one z` });
    list.dataset.slot = String(slot.slot);
    return h(
      'fieldset',
      { class: 'gan-slot', 'data-testid': 'generator-slot' },
      h('legend', {}, `Fake ${si + 1}: “${slot.caption}”`),
      list,
      h('p', { class: 'hint gan-slot-status', role: 'status' }),
    );
  });
  const content = [
    h('h2', { class: 'card-heading', tabindex: -1, 'data-testid': 'generator-title' }, 'You are G this round'),
    h(
      'p',
      { class: 'lead' },
      'Each fake below comes from the same caption with a different random z. Pick the one most likely to fool the discriminators: you score when they call your fake real.',
    ),
    ...slots,
    h('p', { class: 'hint' }, 'Arrow keys move between candidates. Fakes you do not pick use z1.'),
    h(
      'div',
      { class: 'gan-submit-row' },
      h('button', { type: 'button', class: 'button primary big', 'data-testid': 'send-picks', onclick: () => device.sendPicks(turn.round) }, 'Send my picks'),
      h('p', { class: 'hint gan-picks-status', role: 'status', 'data-testid': 'picks-status' }),
    ),
  ];
  const wrap = h('div', {}, ...content);
  fillCandidates(wrap, device, turn);
  return [wrap];
}

function fillCandidates(root: HTMLElement, device: GanDevice, turn: GeneratorTurn): void {
  for (const slot of turn.slots) {
    const list = root.querySelector<HTMLElement>(`.gan-candidates[data-slot="${slot.slot}"]`);
    if (!list) continue;
    const status = list.parentElement!.querySelector<HTMLElement>('.gan-slot-status')!;
    if (!slot.images) {
      status.textContent = turn.error ? `Could not draw the candidates here: ${turn.error}` : 'Drawing the candidates on this device…';
      continue;
    }
    if (list.childElementCount === 0) {
      slot.images.forEach((pixels, k) => {
        const id = `gen-${turn.round}-${slot.slot}-${k}`;
        const input = h('input', { type: 'radio', name: `gen-${turn.round}-${slot.slot}`, id, value: String(k), checked: slot.pick === k, 'data-testid': 'candidate' });
        input.addEventListener('change', () => device.choose(turn.round, slot.slot, k));
        list.append(h('span', { class: 'gan-candidate' }, input, h('label', { for: id }, pixelCanvas(pixels, `Candidate ${k + 1}`), `z${k + 1}`)));
      });
    }
    status.textContent = slot.pick === null ? 'Not picked yet.' : `Picked: z${slot.pick + 1}.`;
    for (const input of list.querySelectorAll('input')) input.disabled = turn.sent;
  }
  const send = root.querySelector<HTMLButtonElement>('[data-testid="send-picks"]');
  const sentStatus = root.querySelector<HTMLElement>('[data-testid="picks-status"]');
  if (send) send.disabled = turn.sent || turn.slots.some((s) => !s.images);
  if (sentStatus) sentStatus.textContent = turn.sent ? 'Picks sent: the render worker is making your fakes…' : '';
}

/** The question screen of a generator-team player: they do not answer; they watch their fakes. */
export function generatorQuestionPanel(ctx: PanelContext, message: QuestionMessage, turn: GeneratorTurn): Panel {
  const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
  const fakes = turn.slots.map((slot, i) => {
    // Unsent picks: the server used the first candidate.
    const chosen = turn.sent ? (slot.pick ?? 0) : 0;
    const pixels = slot.images?.[chosen];
    return h(
      'figure',
      { class: 'gan-figure', 'data-testid': 'my-fake' },
      pixels ? pixelCanvas(pixels, `Your fake ${i + 1}: ${slot.caption}`) : h('div', { class: 'gan-image placeholder' }),
      h('figcaption', {}, `“${slot.caption}” · z${chosen + 1}`),
    );
  });
  announce(`Round ${message.round + 1}: you are G this round. Your fakes are in front of the class.`);
  const el = h(
    'section',
    { class: 'gan-generator', 'data-testid': 'generator-question' },
    h('h2', { class: 'card-heading', tabindex: -1 }, 'You are G this round'),
    h(
      'p',
      { class: 'lead' },
      'Your fakes are mixed with real images on everyone else’s screen. You know which ones are yours, as G always does, so you do not judge this round: you score when the discriminators call your fakes real.',
    ),
    h('div', { class: 'gan-host-grid' }, ...fakes),
    count,
  );
  const panel: Panel = { el, stage: { scene: 'none' } };
  panel.update = (snap: Snapshot) => {
    count.textContent = `${snap.answeredCount} discriminator${snap.answeredCount === 1 ? '' : 's'} answered`;
  };
  panel.update(ctx.session.snapshot());
  return panel;
}
