/**
 * "Restyle" (style encoder): s ← S(x), x̂ ← G(s, φ(t_new)) keeps what the caption does not
 * say. Players pick which result kept a reference's style, or which reference a result came
 * from; the reveal feeds the same S(x) with other captions to show what "style" is.
 */
import './blend-restyle.css';
import { RESTYLE_KEEPS, RESTYLE_MODES, type RestyleQuestion } from '../../shared/rounds/restyle-round.ts';
import { answeredText } from './answer-flow.ts';
import type { QuestionMessage, RevealMessage, Snapshot } from '../session/game-session.ts';
import { announce, formatNumber, h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { formulaBox, pixelCanvas, roundAnswerForm } from './gan-common.ts';
import type { OptionsEditor } from './views.ts';
import { renderedNote, satOutLine } from './sat-out.ts';

const letter = (i: number) => String.fromCharCode(65 + i);
const FORMULA = 's ← S(x),  x̂ ← G(s, φ(t_new))';

function texts(mode: RestyleQuestion['mode']) {
  return mode === 'which-result'
    ? { prompt: 'Which result kept the style of this reference?', shown: 'Reference x', choice: 'Result' }
    : { prompt: 'Which reference did this result come from?', shown: 'Result x̂', choice: 'Reference' };
}

function shownFigure(q: RestyleQuestion): HTMLElement {
  const t = texts(q.mode);
  return h(
    'figure',
    { class: 'gan-figure restyle-shown' },
    pixelCanvas(q.shown, q.mode === 'which-result' ? 'The reference image x' : `The result x̂, made with the caption: ${q.caption}`, 'gan-image big'),
    h('figcaption', {}, t.shown),
  );
}

function newCaption(caption: string): HTMLElement {
  return h('p', { class: 'restyle-caption' }, h('span', { class: 'eyebrow' }, 'New caption t_new'), ' ', `“${caption}”`);
}

export function restyleQuestionPanel(ctx: PanelContext, message: QuestionMessage<'restyle'>): Panel {
  const { session } = ctx;
  const q = message.question;
  const t = texts(q.mode);
  announce(`Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${t.prompt} ${q.choices.length} choices. ${Math.round(message.remainingMs / 1000)} seconds.`);
  const head = h('div', { class: 'restyle-head' }, h('p', { class: 'prompt' }, t.prompt), newCaption(q.caption), h('p', { class: 'math' }, FORMULA));

  if (session.role === 'host') {
    const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
    head.append(h('p', { class: 'hint' }, 'Style is what the caption does not say. Answer on your device.'), count);
    const grid = h(
      'div',
      { class: 'gan-host-grid' },
      ...q.choices.map((c, i) =>
        h(
          'figure',
          { class: 'gan-figure', 'data-testid': 'restyle-choice' },
          pixelCanvas(c.pixels, `${t.choice} ${letter(i)}`, 'gan-image big'),
          h('figcaption', {}, h('span', { class: 'gan-letter' }, letter(i)), ` ${t.choice}`),
        ),
      ),
    );
    const panel: Panel = { el: h('div', { class: 'restyle-layout' }, head, h('div', { class: 'restyle-body' }, shownFigure(q), grid)), stage: { scene: 'none' } };
    panel.update = (snap: Snapshot) => {
      count.textContent = answeredText(snap);
    };
    panel.update(session.snapshot());
    return panel;
  }

  // Real buttons (Tab + Enter/Space), one pressed at a time; the form's submit locks it in.
  let picked: number | null = null;
  const buttons = q.choices.map((c, i) =>
    h(
      'button',
      { type: 'button', class: 'restyle-choice', 'aria-pressed': 'false', 'data-testid': 'restyle-choice', 'data-id': c.id },
      pixelCanvas(c.pixels, `${t.choice} ${letter(i)}`),
      h('span', { class: 'restyle-choice-label' }, h('span', { class: 'gan-letter' }, letter(i)), ` ${t.choice}`, h('span', { class: 'restyle-picked' }, '✓ your pick')),
    ),
  );
  buttons.forEach((b, i) =>
    b.addEventListener('click', () => {
      picked = i;
      buttons.forEach((other, k) => other.setAttribute('aria-pressed', String(k === i)));
    }),
  );
  const group = h('div', { class: 'restyle-choices', role: 'group', 'aria-label': t.prompt }, ...buttons);
  const form = roundAnswerForm(ctx, message, [group], () => {
    if (picked === null) return { missing: `Pick one ${t.choice.toLowerCase()} first.` };
    return { answer: { choice: q.choices[picked]!.id }, summary: `${t.choice} ${letter(picked)}.` };
  });
  if (!session.hasAnswered()) form.focus = buttons[0];
  return { ...form, el: h('div', { class: 'restyle-layout' }, head, h('div', { class: 'restyle-body' }, shownFigure(q), form.el)) };
}

export function restyleRevealPanel(ctx: PanelContext, message: RevealMessage<'restyle'>): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  const t = texts(reveal.mode);
  const me = session.playerId;
  const mine = reveal.guesses.find((g) => g.playerId === me) ?? null;
  const points = session.myPoints();
  // Vote keys are in the order the choices were shown, so letters match the question's.
  const ids = Object.keys(reveal.votes);
  const right = ids.indexOf(reveal.correct);
  const head = h(
    'div',
    { class: 'gan-reveal-head' },
    h('p', { class: 'eyebrow' }, 'The answer'),
    h('p', { class: 'truth', tabindex: -1, 'data-testid': 'truth-summary' }, `${t.choice} ${letter(right)}`),
  );
  const satOut = session.role === 'host' ? renderedNote(message) : null;
  if (satOut) head.append(satOut);
  if (session.role !== 'host') {
    const line = mine
      ? `${mine.choice === reveal.correct ? 'Right' : `You picked ${letter(ids.indexOf(mine.choice))}`}: +${formatNumber(points ?? mine.points)} points`
      : (satOutLine(message, me) ?? 'No answer from you this round: 0 points.');
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line));
    announce(`The answer was ${t.choice} ${letter(right)}. ${line}`);
  } else announce(`The answer was ${t.choice} ${letter(right)}.`);

  const transfer = h(
    'div',
    { class: 'restyle-transfer', 'data-testid': 'restyle-transfer' },
    h('figure', { class: 'gan-figure' }, pixelCanvas(reveal.reference, 'The reference x'), h('figcaption', {}, 'x: the reference')),
    h('p', { class: 'restyle-arrow' }, h('span', { class: 'math' }, 's ← S(x)'), h('span', { 'aria-hidden': 'true' }, '→'), h('span', { class: 'math' }, 'G(s, φ(t_new))')),
    h('figure', { class: 'gan-figure' }, pixelCanvas(reveal.result, `The result x̂: ${reveal.caption}`), h('figcaption', {}, `x̂: “${reveal.caption}”`)),
  );

  // The question's pixels for the wrong choices; a device that joined during the reveal has only the right one.
  const question = session.currentQuestion();
  const asked = question?.type === 'restyle' && question.round === message.round ? question.question : null;
  const choices = h(
    'ol',
    { class: 'restyle-votes', 'data-testid': 'restyle-votes' },
    ...ids.map((id, i) => {
      const correct = id === reveal.correct;
      const pixels = asked?.choices.find((c) => c.id === id)?.pixels ?? (correct ? (reveal.mode === 'which-result' ? reveal.result : reveal.reference) : null);
      const votes = reveal.votes[id] ?? 0;
      return h(
        'li',
        { class: correct ? 'right' : null, 'data-testid': 'restyle-vote', 'data-correct': String(correct) },
        pixels ? pixelCanvas(pixels, `${t.choice} ${letter(i)}`) : h('div', { class: 'gan-image placeholder', 'aria-hidden': 'true' }),
        h('span', {}, h('span', { class: 'gan-letter' }, letter(i)), correct ? ' ✓ right' : ' ✗'),
        h('span', { class: 'restyle-count' }, `${votes} vote${votes === 1 ? '' : 's'}`, mine?.choice === id ? ' · your pick' : ''),
      );
    }),
  );

  const row = h(
    'ol',
    { class: 'restyle-row', 'data-testid': 'restyle-row' },
    ...reveal.row.map((px, i) => h('li', {}, pixelCanvas(px, `G(S(x), φ(“${reveal.rowCaptions[i]}”))`), h('span', {}, `“${reveal.rowCaptions[i]}”`))),
  );
  const keeps: readonly string[] = RESTYLE_KEEPS;
  const explanation = `Style is what the caption does not say. The style encoder S reads it from x; G then draws the new caption in that style, so every image in the row keeps x’s ${keeps.join(', ')} while the shape and colour follow its caption.${keeps.includes('rotation') ? '' : ' (Rotation is style too, but this G does not keep it reliably, so the game does not claim it.)'}`;
  return {
    el: h(
      'div',
      { class: 'restyle-reveal', 'data-testid': 'restyle-reveal' },
      head,
      transfer,
      h('div', { class: 'restyle-block restyle-votes-block' }, h('h3', {}, `The class’s votes: ${t.prompt.toLowerCase()}`), choices),
      h('div', { class: 'restyle-block restyle-row-block' }, h('h3', {}, 'The same style S(x), other captions'), row),
      formulaBox(message.formula, h('span', {}, h('span', { class: 'math' }, FORMULA), ' ', explanation)),
    ),
    stage: { scene: 'none' },
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
  };
}

const MODE_LABEL = { 'which-result': 'Which result kept the style?', 'which-reference': 'Which reference was it?' } as const;

/** Host playlist options: which question, and how many images to choose from. */
export function restyleOptionsEditor(idPrefix: string, current: Readonly<Record<string, unknown>>, onChange: (options: Record<string, unknown>) => void): OptionsEditor {
  const mode = h('select', { id: `${idPrefix}-mode` }, ...RESTYLE_MODES.map((m) => h('option', { value: m }, MODE_LABEL[m])));
  const choices = h('select', { id: `${idPrefix}-choices` }, ...[2, 3, 4].map((n) => h('option', { value: n }, String(n))));
  const set = (o: Readonly<Record<string, unknown>>) => {
    mode.value = String(o.mode ?? 'which-result');
    choices.value = String(o.choices ?? 3);
  };
  const el = h(
    'div',
    { class: 'gan-options', role: 'group', 'aria-label': 'Restyle options' },
    h('div', { class: 'field small' }, h('label', { for: mode.id }, 'Question'), mode),
    h('div', { class: 'field small' }, h('label', { for: choices.id }, 'Choices'), choices),
  );
  el.addEventListener('change', () => onChange({ mode: mode.value, choices: Number(choices.value) }));
  set(current);
  return { el, set };
}
