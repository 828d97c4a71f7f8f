/**
 * Shared pieces of the GAN rounds' screens (Spot the fake, Judge): crisp 32×32 images,
 * the host's per-type options editor, and number formatting for the reveal maths.
 */
import './gan-common.css';
import { CHANNELS, IMAGE_SIZE } from '../../shared/dataset/vocabulary.ts';
import { DIFFICULTIES, FAKE_SOURCES } from '../../shared/render/recipes.ts';
import { MODELS_URL } from '../ml/load-models.ts';
import { rgbToImageData, toBytes } from '../render/pixels.ts';
import type { QuestionMessage, Snapshot } from '../session/game-session.ts';
import { h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { answerFlow, answeredText } from './answer-flow.ts';
import type { OptionsEditor } from './views.ts';

/** A 32×32 RGB image on a canvas, scaled up by CSS with nearest-neighbour (no blur). */
export function pixelCanvas(pixels: Uint8Array, label: string, className = 'gan-image'): HTMLCanvasElement {
  const canvas = h('canvas', { class: className, width: IMAGE_SIZE, height: IMAGE_SIZE, role: 'img', 'aria-label': label });
  try {
    const bytes = toBytes(pixels, IMAGE_SIZE * IMAGE_SIZE * CHANNELS);
    canvas.getContext('2d')?.putImageData(rgbToImageData(bytes), 0, 0);
  } catch {
    canvas.setAttribute('aria-label', `${label} (image missing)`);
  }
  return canvas;
}

export function formatNats(v: number | null): string {
  return v === null ? '—' : `${v < 0 ? '−' : ''}${Math.abs(v).toFixed(2)}`;
}

export function percent(p: number | null): string {
  return p === null ? '—' : `${Math.round(p * 100)} %`;
}

let diffusionShipped: Promise<boolean> | null = null;

/** Whether the server ships the diffusion model's weights (then the host may pick it as the fake source). */
function diffusionAvailable(): Promise<boolean> {
  diffusionShipped ??= Promise.all(
    ['diffusion-eps', 'diffusion-decoder', 'diffusion-encoder'].map((name) =>
      fetch(`${MODELS_URL}${name}/model.json`, { method: 'HEAD' }).then(
        (r) => r.ok,
        () => false,
      ),
    ),
  ).then((all) => all.every(Boolean));
  return diffusionShipped;
}

interface GanOptionLimits {
  images: [number, number];
  /** Largest generator team the host may ask for; leave out when the round has none. */
  generators?: number;
  /** Whether the round offers the generator that plays back (adversarial Spot the fake). */
  adversarial?: boolean;
}

const SOURCE_LABEL = { gan: 'GAN generator', diffusion: 'Diffusion (DDIM)' } as const;
const DIFFICULTY_LABEL = { easy: 'Easy (obvious fakes)', medium: 'Medium', hard: 'Hard (convincing fakes)' } as const;

/**
 * The playlist options of a GAN round (RoundView.optionsEditor): images per round, where
 * the fakes come from, how hard they are, and (Spot the fake) the generator team size.
 */
export function ganOptionsEditor(limits: GanOptionLimits) {
  return (idPrefix: string, current: Readonly<Record<string, unknown>>, onChange: (options: Record<string, unknown>) => void): OptionsEditor => {
    let value: Record<string, unknown> = { ...current };
    const images = h('input', {
      type: 'number',
      id: `${idPrefix}-images`,
      min: limits.images[0],
      max: limits.images[1],
      step: 1,
      inputmode: 'numeric',
      'data-testid': `${idPrefix}-images`,
    });
    const source = h(
      'select',
      { id: `${idPrefix}-source`, 'data-testid': `${idPrefix}-source` },
      ...FAKE_SOURCES.map((s) => h('option', { value: s, disabled: s === 'diffusion' }, SOURCE_LABEL[s])),
    );
    const difficulty = h(
      'select',
      { id: `${idPrefix}-difficulty`, 'data-testid': `${idPrefix}-difficulty` },
      ...DIFFICULTIES.map((d) => h('option', { value: d }, DIFFICULTY_LABEL[d])),
    );
    const generators =
      limits.generators === undefined
        ? null
        : h('input', { type: 'number', id: `${idPrefix}-generators`, min: 0, max: limits.generators, step: 1, inputmode: 'numeric', 'data-testid': `${idPrefix}-generators` });
    const adversarial = limits.adversarial ? h('input', { type: 'checkbox', id: `${idPrefix}-adversarial`, 'data-testid': `${idPrefix}-adversarial` }) : null;
    const sourceHint = h('span', { class: 'hint', id: `${idPrefix}-source-hint` }, 'Checking which models are installed…');
    source.setAttribute('aria-describedby', sourceHint.id);
    const field = (id: string, label: string, input: HTMLElement) => h('div', { class: 'field small' }, h('label', { for: id }, label), input);
    const el = h(
      'div',
      { class: 'gan-options', role: 'group', 'aria-label': 'Round options' },
      field(images.id, 'Images', images),
      field(source.id, 'Fakes from', source),
      field(difficulty.id, 'Difficulty', difficulty),
      generators ? field(generators.id, 'Generator team', generators) : null,
      adversarial
        ? h(
            'div',
            { class: 'check-row' },
            adversarial,
            h(
              'label',
              { for: adversarial.id },
              h('strong', {}, 'G plays back'),
              ': round by round G breeds its fakes from those that fooled the class (GAN only, and no players as G)',
            ),
          )
        : null,
      sourceHint,
    );
    if (generators) generators.title = 'Players who act as G: they pick which z to submit and score when the class is fooled (0 = off).';

    const show = (o: Readonly<Record<string, unknown>>) => {
      images.value = String(o.images ?? limits.images[0]);
      source.value = String(o.source ?? 'gan');
      difficulty.value = String(o.difficulty ?? 'medium');
      if (generators) generators.value = String(o.generators ?? 0);
      if (adversarial) adversarial.checked = o.adversarial === true;
    };
    const read = () => {
      const n = Math.round(Number(images.value));
      if (!Number.isFinite(n) || n < limits.images[0] || n > limits.images[1]) return;
      const next: Record<string, unknown> = { ...value, images: n, source: source.value, difficulty: difficulty.value };
      if (generators) {
        const g = Math.round(Number(generators.value));
        if (!Number.isFinite(g) || g < 0 || g > limits.generators!) return;
        next.generators = g;
      }
      if (adversarial) {
        next.adversarial = adversarial.checked;
        // The generator that plays back is the GAN, and no generator team plays beside it.
        if (adversarial.checked) {
          next.source = 'gan';
          next.generators = 0;
        }
      }
      value = next;
      if (adversarial?.checked) show(value);
      onChange({ ...value });
    };
    el.addEventListener('change', read);
    el.addEventListener('input', (event) => {
      if ((event.target as HTMLInputElement).type === 'number') read();
    });
    show(value);

    void diffusionAvailable().then((ok) => {
      const option = source.querySelector<HTMLOptionElement>('option[value="diffusion"]');
      if (option) option.disabled = !ok;
      sourceHint.textContent = ok ? 'Diffusion fakes are rendered by the host screen.' : 'No diffusion model is installed: fakes come from the GAN.';
      if (!ok && source.value === 'diffusion') {
        source.value = 'gan';
        read();
      }
    });

    return {
      el,
      set(options) {
        value = { ...options };
        show(value);
      },
    };
  };
}

/**
 * The answer form of a GAN round: one submit for every image, then "Answer locked in".
 * `collect` returns the answer payload, or a sentence saying what is still missing.
 */
export function roundAnswerForm(
  ctx: PanelContext,
  message: QuestionMessage,
  cards: HTMLElement[],
  collect: () => { answer: unknown; summary: string } | { missing: string },
): Panel {
  const { session } = ctx;
  const submit = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'submit-answer' }, 'Lock in my answers');
  const status = h('p', { class: 'answer-status', role: 'status', 'data-testid': 'answer-status' });
  const form = h(
    'form',
    { class: 'gan-form', 'data-testid': 'answer-form', novalidate: true },
    h('div', { class: 'gan-cards' }, ...cards),
    h('div', { class: 'gan-submit-row' }, submit, status),
  );
  const locked = h('div', { class: 'locked-in', 'data-testid': 'answer-locked', hidden: true, tabindex: -1 });
  let summary = '';
  const flow = answerFlow(
    session,
    message.round,
    form,
    { submit, status, locked },
    {
      collect: () => {
        const result = collect();
        if (!('missing' in result)) summary = result.summary;
        return result;
      },
      lockedText: () => ({ text: summary, announce: 'Answer locked in.' }),
    },
  );
  const panel: Panel = {
    el: h('div', { class: 'gan-question' }, form, locked),
    stage: { scene: 'none' },
    focus: flow.answeredBefore ? locked : (cards[0]?.querySelector<HTMLElement>('input') ?? submit),
    update: flow.update,
    destroy: flow.destroy,
  };
  panel.update!(session.snapshot());
  return panel;
}

/** The projector's question: the images big with their captions, and how many answered. */
export function hostImagesPanel(ctx: PanelContext, prompt: Node | string, hint: string, items: { id: string; caption: string; pixels: Uint8Array }[]): Panel {
  const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
  const el = h(
    'div',
    { class: 'gan-host-question' },
    h('div', { class: 'gan-host-head' }, h('p', { class: 'prompt' }, prompt), h('p', { class: 'hint' }, hint), count),
    h(
      'div',
      { class: 'gan-host-grid', 'data-count': items.length },
      ...items.map((it, i) =>
        h(
          'figure',
          { class: 'gan-figure', 'data-testid': 'gan-item' },
          pixelCanvas(it.pixels, `Image ${i + 1}: ${it.caption}`, 'gan-image big'),
          h('figcaption', {}, h('span', { class: 'gan-letter' }, `${i + 1}`), ` “${it.caption}”`),
        ),
      ),
    ),
  );
  const panel: Panel = { el, stage: { scene: 'none' } };
  panel.update = (snap: Snapshot) => {
    count.textContent = answeredText(snap);
  };
  panel.update(ctx.session.snapshot());
  return panel;
}

/** "You scored" line, and the formula box every GAN reveal ends with. */
export function formulaBox(formula: string, explanation: Node | string): HTMLElement {
  return h(
    'div',
    { class: 'formula gan-formula', 'data-testid': 'formula' },
    h('p', {}, h('span', { class: 'eyebrow' }, 'Scoring'), ' ', formula),
    h('p', { class: 'hint' }, explanation),
  );
}

/** The "how sure?" steps of an answer card: one radio per offered confidence, "not sure" named as such. */
export function confidenceSteps(base: string, label: string, confidences: readonly number[], notSure: number, checked: number): HTMLElement {
  return h(
    'div',
    { class: 'gan-steps', role: 'radiogroup', 'aria-label': label },
    h('span', { class: 'gan-steps-label', 'aria-hidden': 'true' }, 'Sure:'),
    ...confidences.map((c) => {
      const id = `${base}-c${Math.round(c * 100)}`;
      return h(
        'span',
        { class: 'gan-step' },
        h('input', { type: 'radio', name: `${base}-conf`, id, value: String(c), checked: c === checked, 'data-testid': `confidence-${Math.round(c * 100)}` }),
        h('label', { for: id }, c === notSure ? 'Not sure' : `${Math.round(c * 100)} %`),
      );
    }),
  );
}
