import { alphaBar } from '../../shared/diffusion/index.ts';
import { TIMESTEP_T, timestepLogSnr, timestepSchedule } from '../../shared/rounds/timestep-round.ts';
import type { QuestionMessage, RevealMessage, Snapshot } from '../session/game-session.ts';
import { alphaCurve } from '../ui/alpha-curve.ts';
import { announce, formatNumber, h } from '../ui/dom.ts';
import { answerFlow, answeredText } from './answer-flow.ts';
import { byDistance, closestList } from './closest-list.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';

const START_GUESS = 500;

/** ᾱ near 0 (late steps) still shows its size: 0.00035, not 0.000. */
function formatAlphaBar(ab: number): string {
  return ab >= 0.01 ? ab.toFixed(3) : ab.toPrecision(2);
}

/** "x_t = 0.28·x₀ + 0.96·ε": what a guess means, live under the slider. */
function mixFor(t: number): string {
  const ab = alphaBar(timestepSchedule(), t);
  return `ᾱ = ${formatAlphaBar(ab)}  →  x_t = ${Math.sqrt(ab).toFixed(2)}·x₀ + ${Math.sqrt(1 - ab).toFixed(2)}·ε`;
}

function imageFigure(slot: string, label: string, caption: Node | string, big = false, tLabel = ''): HTMLElement {
  return h(
    'figure',
    { class: `pixel-figure${big ? ' big' : ''}` },
    h('div', { class: 'pixel-slot', 'data-slot': slot, role: 'img', 'aria-label': label }),
    big ? null : h('span', { class: 'slot-t', 'aria-hidden': 'true' }, tLabel),
    h('figcaption', {}, caption),
  );
}

export function timestepQuestionPanel(ctx: PanelContext, message: QuestionMessage<'timestep'>): Panel {
  const { session } = ctx;
  const question = message.question;
  const T = question.T || TIMESTEP_T;
  const figure = imageFigure(
    'question-image',
    `A 32 by 32 pixel image after an unknown number of noising steps, between 1 and ${T}.`,
    h('span', {}, 'x', h('sub', {}, 't'), ` — noised for how many steps? (1 to ${T})`),
    true,
  );

  const side = h('div', { class: 'question-side' });
  const panel: Panel = {
    el: h('div', { class: 'question-layout' }, figure, side),
    stage: { scene: 'question', pixels: question.pixels, countdown: session.countdown },
  };

  const seconds = Math.round(message.remainingMs / 1000);
  announce(`Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${seconds} seconds.`);

  if (session.role === 'host') {
    const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
    side.append(
      h('p', { class: 'prompt' }, 'Guess ', h('strong', {}, 't'), ': how many steps of the DDPM forward process made this image?'),
      h('p', { class: 'hint' }, `1 is barely noisy, ${T} is pure noise. Answer on your device.`),
      count,
    );
    panel.update = (snap: Snapshot) => {
      count.textContent = answeredText(snap);
    };
    panel.update(session.snapshot());
    return panel;
  }

  const slider = h('input', {
    type: 'range',
    id: 'guess-t',
    name: 't',
    min: 1,
    max: T,
    step: 1,
    value: START_GUESS,
    'aria-describedby': 'guess-math guess-help',
    'data-testid': 'guess-slider',
  });
  const exact = h('input', {
    type: 'number',
    id: 'guess-exact',
    min: 1,
    max: T,
    step: 1,
    value: START_GUESS,
    inputmode: 'numeric',
    'data-testid': 'guess-number',
  });
  const output = h('output', { for: 'guess-t guess-exact', class: 'guess-value', 'data-testid': 'guess-value' }, String(START_GUESS));
  const math = h('p', { id: 'guess-math', class: 'math' }, mixFor(START_GUESS));
  const submit = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'submit-answer' }, `Lock in t = ${START_GUESS}`);
  const status = h('p', { class: 'answer-status', role: 'status', 'data-testid': 'answer-status' });
  const form = h(
    'form',
    { class: 'answer-form', 'data-testid': 'answer-form', novalidate: true },
    h('label', { for: 'guess-t', class: 'answer-label' }, 'Your guess for t: ', output),
    slider,
    h('div', { class: 'range-ends', 'aria-hidden': 'true' }, h('span', {}, '1 · almost clean'), h('span', {}, `${T} · pure noise`)),
    h('div', { class: 'exact-row' }, h('label', { for: 'guess-exact' }, 'Exact value'), exact),
    math,
    h('p', { id: 'guess-help', class: 'hint' }, 'Arrow keys move the slider by 1; Page Up and Page Down jump further.'),
    submit,
  );
  const locked = h('div', { class: 'locked-in', 'data-testid': 'answer-locked', hidden: true, tabindex: -1 });
  side.append(form, locked, status);

  let guess = START_GUESS;
  const show = (t: number, from: 'slider' | 'exact') => {
    guess = Math.min(T, Math.max(1, Math.round(t)));
    if (from !== 'slider') slider.value = String(guess);
    if (from !== 'exact') exact.value = String(guess);
    output.textContent = String(guess);
    slider.setAttribute('aria-valuetext', `t = ${guess}`);
    math.textContent = mixFor(guess);
    submit.textContent = `Lock in t = ${guess}`;
  };
  slider.addEventListener('input', () => show(Number(slider.value), 'slider'));
  exact.addEventListener('input', () => {
    if (exact.value !== '' && Number.isFinite(Number(exact.value))) show(Number(exact.value), 'exact');
  });
  exact.addEventListener('change', () => show(Number(exact.value) || START_GUESS, 'slider'));

  const flow = answerFlow(
    session,
    message.round,
    form,
    { submit, status, locked },
    {
      collect: () => ({ answer: { t: guess } }),
      lockedText: () => ({ text: `t = ${guess}.`, announce: `Answer locked in: t = ${guess}.` }),
    },
  );
  panel.focus = flow.answeredBefore ? locked : slider;
  panel.update = flow.update;
  panel.update(session.snapshot());
  panel.destroy = flow.destroy;
  return panel;
}

export function timestepRevealPanel(ctx: PanelContext, message: RevealMessage<'timestep'>): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  const me = session.playerId;
  const mine = reveal.guesses.find((g) => g.playerId === me) ?? null;
  const points = session.myPoints();
  const schedule = timestepSchedule();

  const head = h(
    'div',
    { class: 'reveal-head' },
    h('p', { class: 'eyebrow' }, 'The answer'),
    h('p', { class: 'truth', 'data-testid': 'true-t', tabindex: -1 }, `t = ${reveal.t}`),
    h(
      'p',
      { class: 'truth-detail' },
      'ᾱ',
      h('sub', {}, 't'),
      ` = ${formatAlphaBar(reveal.alphaBar)}: the image kept √ᾱ = ${Math.sqrt(reveal.alphaBar).toFixed(2)} of its signal, plus noise of scale ${Math.sqrt(1 - reveal.alphaBar).toFixed(2)}.`,
    ),
    h(
      'p',
      { class: 'hint', 'data-testid': 'logsnr' },
      `Closeness is scored on the noise level, the log signal-to-noise ratio λ = ln(ᾱ / (1 − ᾱ)) = ${formatLambda(reveal.logSnr ?? timestepLogSnr(reveal.t))}, not on the step count: `,
      'early steps change the picture much more than late ones, so 50 steps early in the process are a bigger miss than 50 steps late.',
    ),
  );
  if (session.role !== 'host') {
    const line = mine
      ? `You guessed ${mine.t} (λ = ${formatLambda(timestepLogSnr(mine.t))}, ${Math.abs(mine.t - reveal.t)} steps away): +${formatNumber(points ?? mine.points)} points`
      : 'No answer from you this round: 0 points.';
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line));
    announce(`The answer was t = ${reveal.t}. ${line}`);
  } else {
    announce(`The answer was t = ${reveal.t}.`);
  }

  const images = h(
    'div',
    { class: 'reveal-images' },
    imageFigure(
      'reveal-noisy',
      `The noisy image, at t = ${reveal.t}.`,
      h('span', {}, 'x', h('sub', {}, 't'), session.role === 'host' ? ': what everyone saw' : ': what you saw'),
      false,
      `t = ${reveal.t}`,
    ),
    h('span', { class: 'reveal-arrow', 'aria-hidden': 'true' }, '→'),
    imageFigure('reveal-clean', `The clean image x0: ${reveal.caption}.`, h('span', {}, 'x', h('sub', {}, '0'), `: “${reveal.caption}”`), false, `t = ${reveal.t}`),
  );

  const titleId = `curve-title-${message.round}`;
  const curve = h(
    'figure',
    { class: 'curve-figure' },
    alphaCurve(
      schedule,
      reveal.t,
      reveal.guesses.map((g) => ({ t: g.t, nickname: g.nickname, mine: g.playerId === me })),
      titleId,
      window.innerWidth < 700,
    ),
    h(
      'figcaption',
      { id: titleId },
      'ᾱ',
      h('sub', {}, 't'),
      ` of the linear schedule: 1 at t = 0, almost 0 at t = ${reveal.T}. Dashed line: the true t (${reveal.t}). `,
      mine ? `Diamond: your guess (${mine.t}). ` : '',
      `Circles: ${reveal.guesses.length - (mine ? 1 : 0)} other guesses.`,
    ),
  );

  const closest = closestList(reveal.guesses, { me, label: (g) => `t = ${g.t}`, order: byDistance((g) => g.t, reveal.t), limit: 3 });

  return {
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
    el: h(
      'div',
      { class: 'reveal-layout' },
      head,
      images,
      curve,
      closest,
      h('p', { class: 'formula', 'data-testid': 'formula' }, h('span', { class: 'eyebrow' }, 'Scoring'), ' ', message.formula),
    ),
    stage: { scene: 'reveal', noisy: reveal.noisy, clean: reveal.clean, t: reveal.t },
  };
}

function formatLambda(lambda: number): string {
  return `${lambda < 0 ? '−' : ''}${Math.abs(lambda).toFixed(1)}`;
}
