/**
 * "Blend" (GAN-INT): the target is G(z, β φ(t1) + (1 − β) φ(t2)). Players guess β with a
 * slider; in match mode their own device re-renders that formula next to the target as the
 * slider moves. The reveal renders the whole β strip on each device from the revealed z seed.
 */
import './blend-restyle.css';
import type { RenderRecipe } from '../../shared/render/recipes.ts';
import { BLEND_MODES, type BlendReveal } from '../../shared/rounds/blend-round.ts';
import { mountModelStatus } from '../ml/model-status.ts';
import { getModelService } from '../ml/model-service.ts';
import { rgbToImageData } from '../render/pixels.ts';
import type { QuestionMessage, RevealMessage, Snapshot } from '../session/game-session.ts';
import { announce, formatNumber, h, svg } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { answerFlow, answeredText } from './answer-flow.ts';
import { byDistance, closestList } from './closest-list.ts';
import { formulaBox, pixelCanvas } from './gan-common.ts';
import type { OptionsEditor } from './views.ts';
import { renderedNote, satOutLine } from './sat-out.ts';

const START_BETA = 0.5;
const FORMULA = 'image = G(z, β·φ(t1) + (1−β)·φ(t2))';
const beta2 = (b: number) => b.toFixed(2);

/**
 * Through the shared recipe renderer, not `interpolate` with a hand-made z: the recipe
 * decides how zSeed becomes z, so this device draws exactly what the render worker drew.
 */
async function renderBlend(caption1: string, caption2: string, beta: number, zSeed: number): Promise<Uint8Array> {
  const recipe: RenderRecipe = { model: 'gan-int', caption: caption1, caption2, beta, zSeed };
  return (await getModelService().renderRecipes([recipe]))[0]!;
}

function draw(canvas: HTMLCanvasElement, pixels: Uint8Array): void {
  canvas.getContext('2d')?.putImageData(rgbToImageData(pixels), 0, 0);
}

/** An empty 32×32 canvas that is drawn into later (live preview, strip). */
function blankCanvas(label: string, testid: string): HTMLCanvasElement {
  return h('canvas', { class: 'gan-image placeholder', width: 32, height: 32, role: 'img', 'aria-label': label, 'data-testid': testid });
}

/** Yields to the browser so input and painting get a turn between two renders. */
const yieldToBrowser = () => new Promise<void>((resolve) => window.setTimeout(resolve, 0));

/**
 * At most one render in flight: while one runs, only the newest β waits (older ones are
 * dropped), so a fast drag never builds a queue of stale images and the slider stays smooth.
 */
function latestOnly(render: (beta: number) => Promise<void>) {
  let busy = false;
  let wanted: number | null = null;
  let stopped = false;
  const pump = async () => {
    busy = true;
    while (wanted !== null && !stopped) {
      const beta = wanted;
      wanted = null;
      await render(beta);
      await yieldToBrowser();
    }
    busy = false;
  };
  return {
    request(beta: number) {
      wanted = beta;
      if (!busy) void pump();
    },
    stop: () => {
      stopped = true;
    },
  };
}

function captionList(caption1: string, caption2: string): HTMLElement {
  return h('dl', { class: 'blend-captions', 'data-testid': 'blend-captions' }, h('dt', {}, 't1'), h('dd', {}, `“${caption1}”`), h('dt', {}, 't2'), h('dd', {}, `“${caption2}”`));
}

function figure(canvas: HTMLCanvasElement, caption: Node | string): HTMLElement {
  return h('figure', { class: 'gan-figure' }, canvas, h('figcaption', {}, caption));
}

export function blendQuestionPanel(ctx: PanelContext, message: QuestionMessage<'blend'>): Panel {
  const { session } = ctx;
  const q = message.question;
  const match = q.mode === 'match' && typeof q.zSeed === 'number';
  announce(
    `Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${match ? 'Match the image with the slider.' : 'Guess β.'} ${Math.round(message.remainingMs / 1000)} seconds.`,
  );
  const target = figure(pixelCanvas(q.pixels, `The target image, made from a mix of “${q.caption1}” and “${q.caption2}”`, 'gan-image big'), 'The target');
  const prompt = match ? 'Drag β until your render matches the target.' : 'How much of t1 is in this image? Guess β.';

  if (session.role === 'host') {
    const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
    const el = h(
      'div',
      { class: 'blend-layout' },
      h('div', { class: 'blend-figures' }, target),
      h(
        'div',
        { class: 'blend-side' },
        h('p', { class: 'prompt' }, prompt),
        captionList(q.caption1, q.caption2),
        h('p', { class: 'math' }, FORMULA),
        h('p', { class: 'hint' }, match ? 'Each device re-renders the image as its slider moves. Answer on your device.' : 'β = 1 is all t1, β = 0 all t2. Answer on your device.'),
        count,
      ),
    );
    const panel: Panel = { el, stage: { scene: 'none' } };
    panel.update = (snap: Snapshot) => {
      count.textContent = answeredText(snap);
    };
    panel.update(session.snapshot());
    return panel;
  }

  const id = `blend-beta-${message.round}`;
  const slider = h('input', { type: 'range', id, name: 'beta', min: 0, max: 1, step: 0.01, value: START_BETA, 'aria-describedby': `${id}-math`, 'data-testid': 'beta-slider' });
  const output = h('output', { for: id, class: 'guess-value', 'data-testid': 'beta-value' }, beta2(START_BETA));
  const math = h('p', { id: `${id}-math`, class: 'math' });
  const submit = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'submit-answer' });
  const status = h('p', { class: 'answer-status', role: 'status', 'data-testid': 'answer-status' });
  const form = h(
    'form',
    { class: 'answer-form', 'data-testid': 'answer-form', novalidate: true },
    h('label', { for: id, class: 'answer-label' }, 'Your β: ', output),
    slider,
    h('div', { class: 'range-ends', 'aria-hidden': 'true' }, h('span', {}, '0 · only t2'), h('span', {}, '1 · only t1')),
    math,
    h('p', { class: 'hint' }, 'Arrow keys move β by 0.01; Page Up and Page Down jump by 0.1.'),
    submit,
  );
  const locked = h('div', { class: 'locked-in', 'data-testid': 'answer-locked', hidden: true, tabindex: -1 });
  const figures = h('div', { class: 'blend-figures' }, target);
  const side = h('div', { class: 'blend-side' }, h('p', { class: 'prompt' }, prompt), captionList(q.caption1, q.caption2), form, locked, status);
  const panel: Panel = { el: h('div', { class: 'blend-layout' }, figures, side), stage: { scene: 'none' }, focus: slider };
  const cleanups: (() => void)[] = [];

  // Match mode: this device draws G(z, β φ(t1) + (1 − β) φ(t2)) beside the target.
  let preview: { request(beta: number): void } | null = null;
  if (match) {
    const canvas = blankCanvas('Your render, at the β of your slider', 'blend-preview');
    canvas.classList.add('big');
    const shownBeta = h('span', { 'data-testid': 'preview-beta' }, 'loading the models…');
    figures.append(figure(canvas, h('span', {}, 'Your render · ', shownBeta)));
    const widget = mountModelStatus(side, getModelService());
    let renders = 0;
    let totalMs = 0;
    const live = latestOnly(async (beta) => {
      try {
        const t0 = performance.now();
        const pixels = await renderBlend(q.caption1, q.caption2, beta, q.zSeed!);
        totalMs += performance.now() - t0;
        renders += 1;
        draw(canvas, pixels);
        canvas.classList.remove('placeholder');
        shownBeta.textContent = `β = ${beta2(beta)}`;
        // Read by the browser test and `npm run bench` (fps-blend): what is drawn, and at what cost.
        canvas.dataset.beta = beta2(beta);
        canvas.dataset.renders = String(renders);
        canvas.dataset.renderMs = totalMs.toFixed(1);
      } catch {
        shownBeta.textContent = 'the models could not render here';
      }
    });
    preview = live;
    live.request(START_BETA);
    cleanups.push(live.stop, () => widget.destroy());
  }

  let beta = START_BETA;
  const show = () => {
    beta = Math.min(1, Math.max(0, Math.round(Number(slider.value) * 100) / 100));
    output.textContent = beta2(beta);
    slider.setAttribute('aria-valuetext', `β = ${beta2(beta)}`);
    math.textContent = `= G(z, ${beta2(beta)}·φ(t1) + ${beta2(1 - beta)}·φ(t2))`;
    submit.textContent = `Lock in β = ${beta2(beta)}`;
  };
  slider.addEventListener('input', () => {
    show();
    preview?.request(beta);
  });
  show();

  const flow = answerFlow(
    session,
    message.round,
    form,
    { submit, status, locked },
    {
      collect: () => ({ answer: { beta } }),
      lockedText: () => ({ text: `β = ${beta2(beta)}.`, announce: `Answer locked in: β = ${beta2(beta)}.` }),
    },
  );
  cleanups.push(flow.destroy);
  if (flow.answeredBefore) panel.focus = locked;
  panel.update = flow.update;
  panel.update(session.snapshot());
  panel.destroy = () => cleanups.forEach((off) => off());
  return panel;
}

/**
 * Guesses as marks on a 0..1 axis lined up under the strip (β = k/10 under image k's
 * centre); labels stack in rows so names do not overlap. Phones get a narrower viewBox so
 * the text stays readable when the figure shrinks.
 */
function guessAxis(reveal: BlendReveal, me: string | null, compact: boolean): SVGSVGElement {
  const span = compact ? 500 : 1000;
  const x = (b: number) => span / 20 + span * b;
  const sorted = [...reveal.guesses].sort((a, b) => a.beta - b.beta);
  const rowEnds: number[] = [];
  const placed = sorted.map((g) => {
    const label = `${g.nickname}${g.playerId === me ? ' (you)' : ''} ${g.beta.toFixed(2)} · +${g.points}`;
    // Labels start at the mark, or end there when they would run off the right edge.
    const width = 8.5 * label.length;
    const left = x(g.beta) + width > 1.1 * span ? x(g.beta) - width : x(g.beta) - 4;
    let row = rowEnds.findIndex((end) => end < left - 10);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = left + width;
    return { g, row, label, anchor: left < x(g.beta) - 4 ? 'end' : 'start' };
  });
  const H = 70 + 22 * Math.max(1, rowEnds.length);
  const ticks = reveal.strip.map((b, i) =>
    svg(
      'g',
      { class: 'tick' },
      svg('line', { x1: x(b), x2: x(b), y1: 30, y2: 40 }),
      compact && i % 2 ? null : svg('text', { x: x(b), y: 56, 'text-anchor': 'middle' }, b.toFixed(1)),
    ),
  );
  const marks = placed.map(({ g, row, label, anchor }) => {
    const mine = g.playerId === me;
    const y = 80 + 22 * row;
    return svg(
      'g',
      { class: mine ? 'blend-mark mine' : 'blend-mark', 'data-testid': 'guess-mark' },
      svg('line', { x1: x(g.beta), x2: x(g.beta), y1: 36, y2: y - 14 }),
      svg('path', { d: mine ? `M${x(g.beta)} 38 l7 11 h-14 z` : `M${x(g.beta)} 38 l5 8 h-10 z` }),
      svg('text', { x: x(g.beta) + (anchor === 'start' ? -4 : 4), y, 'text-anchor': anchor }, label),
    );
  });
  return svg(
    'svg',
    {
      class: 'blend-axis',
      viewBox: `0 0 ${1.1 * span} ${H}`,
      role: 'img',
      'aria-label': `Guesses of β on a line from 0 to 1; the true β is ${reveal.beta.toFixed(2)}.`,
      'data-testid': 'blend-axis',
    },
    svg('line', { class: 'axis', x1: x(0), x2: x(1), y1: 35, y2: 35 }),
    ...ticks,
    svg('line', { class: 'truth-line', x1: x(reveal.beta), x2: x(reveal.beta), y1: 4, y2: H - 4 }),
    svg(
      'text',
      { class: 'truth-label', x: x(reveal.beta) + (reveal.beta > 0.8 ? -6 : 6), y: 18, 'text-anchor': reveal.beta > 0.8 ? 'end' : 'start' },
      `β = ${reveal.beta.toFixed(2)}`,
    ),
    ...marks,
  );
}

export function blendRevealPanel(ctx: PanelContext, message: RevealMessage<'blend'>): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  const me = session.playerId;
  const mine = reveal.guesses.find((g) => g.playerId === me) ?? null;
  const points = session.myPoints();
  const head = h(
    'div',
    { class: 'gan-reveal-head' },
    h('p', { class: 'eyebrow' }, 'The answer'),
    h('p', { class: 'truth', tabindex: -1, 'data-testid': 'true-beta' }, `β = ${reveal.beta.toFixed(2)}`),
    h('p', { class: 'truth-detail' }, `The image was G(z, ${reveal.beta.toFixed(2)}·φ(t1) + ${(1 - reveal.beta).toFixed(2)}·φ(t2)).`),
  );
  const satOut = session.role === 'host' ? renderedNote(message) : null;
  if (satOut) head.append(satOut);
  if (session.role !== 'host') {
    const line = mine
      ? `You said β = ${mine.beta.toFixed(2)} (${Math.abs(mine.beta - reveal.beta).toFixed(2)} away): +${formatNumber(points ?? mine.points)} points`
      : (satOutLine(message, me) ?? 'No answer from you this round: 0 points.');
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line));
    announce(`The answer was β = ${reveal.beta.toFixed(2)}. ${line}`);
  } else announce(`The answer was β = ${reveal.beta.toFixed(2)}.`);

  // The strip: G(z, β φ(t1) + (1 − β) φ(t2)) for each β, drawn here now that z is out.
  const canvases = reveal.strip.map((b) => blankCanvas(`β = ${b.toFixed(1)}`, 'strip-image'));
  const strip = h(
    'ol',
    { class: 'blend-strip', 'data-testid': 'blend-strip' },
    ...reveal.strip.map((b, i) => h('li', { class: Math.abs(b - reveal.beta) < 0.051 ? 'near' : null }, canvases[i]!, h('span', {}, b.toFixed(1)))),
  );
  const status = h('div', { class: 'blend-status' });
  const widget = mountModelStatus(status, getModelService());
  let stopped = false;
  void (async () => {
    for (const [i, b] of reveal.strip.entries()) {
      if (stopped) return;
      try {
        draw(canvases[i]!, await renderBlend(reveal.caption1, reveal.caption2, b, reveal.zSeed));
        canvases[i]!.classList.remove('placeholder');
        canvases[i]!.dataset.drawn = 'true';
      } catch {
        return; // the status line says why (models unavailable)
      }
      await yieldToBrowser();
    }
  })();

  const stripFigure = h(
    'figure',
    { class: 'blend-strip-figure' },
    strip,
    guessAxis(reveal, me, window.innerWidth < 700),
    h('figcaption', {}, 'The interpolation strip: β from 0 (only t2) to 1 (only t1), same z, rendered on this device. Below: where the guesses fell; dashed: the true β.'),
  );
  const explanation =
    'GAN-INT: while training, D also judged images made from interpolated embeddings β·φ(t1) + (1−β)·φ(t2), so G learned to make them look real too. That is why the in-between captions give plausible images, not a blurry overlay.';
  const el = h(
    'div',
    { class: 'blend-reveal', 'data-testid': 'blend-reveal' },
    head,
    h(
      'div',
      { class: 'blend-reveal-target' },
      figure(pixelCanvas(reveal.target, `The target, β = ${reveal.beta.toFixed(2)}`, 'gan-image'), 'The target'),
      h('div', {}, captionList(reveal.caption1, reveal.caption2), h('p', { class: 'math' }, FORMULA)),
    ),
    stripFigure,
    // The closest guesses with their points, as text (the axis is the picture of it).
    closestList(reveal.guesses, { me, label: (g) => `β̂ = ${g.beta.toFixed(2)}`, order: byDistance((g) => g.beta, reveal.beta), limit: 5, className: 'blend-closest' }),
    status,
    formulaBox(message.formula, explanation),
  );
  return {
    el,
    stage: { scene: 'none' },
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
    destroy: () => {
      stopped = true;
      widget.destroy();
    },
  };
}

const MODE_LABEL = { guess: 'Guess β', match: 'Match with a live slider' } as const;

/** Host playlist options: guess or match, and how far apart the two captions are. */
export function blendOptionsEditor(idPrefix: string, current: Readonly<Record<string, unknown>>, onChange: (options: Record<string, unknown>) => void): OptionsEditor {
  const mode = h('select', { id: `${idPrefix}-mode` }, ...BLEND_MODES.map((m) => h('option', { value: m }, MODE_LABEL[m])));
  const differences = h('select', { id: `${idPrefix}-differences` }, ...[1, 2, 3].map((n) => h('option', { value: n }, `${n} attribute${n > 1 ? 's' : ''}`)));
  const set = (o: Readonly<Record<string, unknown>>) => {
    mode.value = String(o.mode ?? 'guess');
    differences.value = String(o.differences ?? 1);
  };
  const el = h(
    'div',
    { class: 'gan-options', role: 'group', 'aria-label': 'Blend options' },
    h('div', { class: 'field small' }, h('label', { for: mode.id }, 'Mode'), mode),
    h('div', { class: 'field small' }, h('label', { for: differences.id }, 'Captions differ in'), differences),
    h('p', { class: 'hint' }, 'Match mode re-renders on every student’s device (the models download first).'),
  );
  el.addEventListener('change', () => onChange({ mode: mode.value, differences: Number(differences.value) }));
  set(current);
  return { el, set };
}
