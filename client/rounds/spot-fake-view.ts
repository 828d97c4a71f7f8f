/**
 * "Spot the fake": every player is the discriminator D. The question shows each image
 * with its caption and asks real or fake, with a confidence; the reveal shows the truth,
 * the class's answers beside the neural D's, the class's V(D,G) and who fooled whom.
 */
import { answerToD, CONFIDENCES, expectedLogScore, NOT_SURE } from '../../shared/rounds/log-score.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';
import { announce, formatNumber, h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { confidenceSteps, formatNats, formulaBox, hostImagesPanel, percent, pixelCanvas, roundAnswerForm } from './gan-common.ts';
import { generatorQuestionPanel } from './generator-view.ts';
import { renderedNote, satOutLine } from './sat-out.ts';
import { minimaxChart } from '../ui/minimax-chart.ts';

const REAL_ICON = '◯';
const FAKE_ICON = '✕';

export function spotFakeQuestionPanel(ctx: PanelContext, message: QuestionMessage<'spot-fake'>): Panel {
  const { session } = ctx;
  const question = message.question;
  const n = question.images.length;
  announce(`Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${n} images. ${Math.round(message.remainingMs / 1000)} seconds.`);

  if (session.role === 'host') {
    return hostImagesPanel(
      ctx,
      'Real or fake? You are the discriminator D.',
      'For each image: is it from the data set, or did the generator G make it for this caption? Answer on your device, with how sure you are.',
      question.images,
    );
  }
  const turn = session.playerId ? session.device?.turn(message.round) : null;
  if (turn) return generatorQuestionPanel(ctx, message, turn);

  const confidences = question.confidences?.length ? question.confidences : CONFIDENCES;
  const cards = question.images.map((im, i) => {
    const base = `sf-${message.round}-${im.id}`;
    const choice = (real: boolean) => {
      const id = `${base}-${real ? 'real' : 'fake'}`;
      return h(
        'span',
        { class: `gan-choice ${real ? 'is-real' : 'is-fake'}` },
        h('input', { type: 'radio', name: `${base}-kind`, id, value: real ? 'real' : 'fake', 'data-testid': `say-${real ? 'real' : 'fake'}` }),
        h('label', { for: id }, h('span', { class: 'gan-icon', 'aria-hidden': 'true' }, real ? REAL_ICON : FAKE_ICON), real ? 'Real' : 'Fake'),
      );
    };
    return h(
      'fieldset',
      { class: 'gan-card', 'data-testid': 'gan-item', 'data-id': im.id },
      h('legend', { class: 'visually-hidden' }, `Image ${i + 1} of ${n}: “${im.caption}”`),
      pixelCanvas(im.pixels, `Image ${i + 1}: ${im.caption}`),
      h('p', { class: 'gan-caption' }, h('span', { class: 'gan-letter' }, `${i + 1}`), ` “${im.caption}”`),
      h('div', { class: 'gan-choices', role: 'radiogroup', 'aria-label': `Image ${i + 1}: real or fake?` }, choice(true), choice(false)),
      confidenceSteps(base, `Image ${i + 1}: how sure?`, confidences, NOT_SURE, 0.75),
    );
  });

  return roundAnswerForm(ctx, message, cards, () => {
    const answers: { id: string; real: boolean; confidence: number }[] = [];
    const missing: number[] = [];
    question.images.forEach((im, i) => {
      const card = cards[i]!;
      const kind = card.querySelector<HTMLInputElement>('input[value="real"]:checked, input[value="fake"]:checked');
      const conf = card.querySelector<HTMLInputElement>(`input[name$="-conf"]:checked`);
      const confidence = Number(conf?.value ?? Number.NaN);
      // "Not sure" is p = ½ either way: it needs no real/fake.
      if (confidence === NOT_SURE) answers.push({ id: im.id, real: true, confidence });
      else if (!kind || !conf) missing.push(i + 1);
      else answers.push({ id: im.id, real: kind.value === 'real', confidence });
    });
    if (missing.length) return { missing: `Say real or fake (or “not sure”) for image${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.` };
    const sure = answers.filter((a) => a.confidence !== NOT_SURE);
    const unsure = answers.length - sure.length;
    return {
      answer: { answers },
      summary: `${sure.filter((a) => a.real).length} real, ${sure.filter((a) => !a.real).length} fake${unsure ? `, ${unsure} not sure` : ''}.`,
    };
  });
}

export function spotFakeRevealPanel(ctx: PanelContext, message: RevealMessage<'spot-fake'>): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  const me = session.playerId;
  const mine = reveal.players.find((p) => p.playerId === me) ?? null;
  const myFakes = reveal.generators.filter((g) => g.playerId === me);
  const points = session.myPoints();
  const fakes = reveal.images.filter((im) => !im.real).length;

  const head = h(
    'div',
    { class: 'gan-reveal-head' },
    h('p', { class: 'eyebrow' }, 'The truth'),
    h('p', { class: 'truth', tabindex: -1, 'data-testid': 'truth-summary' }, `${fakes} fake${fakes === 1 ? '' : 's'}, ${reveal.images.length - fakes} real`),
  );
  const satOut = session.role === 'host' ? renderedNote(message) : null;
  if (satOut) head.append(satOut);
  if (session.role !== 'host') {
    let line: string;
    if (myFakes.length) {
      const total = myFakes.reduce((s, g) => s + g.points, 0);
      const fooled = [...new Set(myFakes.flatMap((g) => g.fooled))];
      line = `You were G: your fake${myFakes.length > 1 ? 's' : ''} fooled ${fooled.length ? fooled.join(', ') : 'nobody'}: +${formatNumber(points ?? total)} points (zero-sum: what D did not earn)`;
    } else if (mine) line = `${mine.correct} of ${reveal.images.length} right: +${formatNumber(points ?? mine.points)} points`;
    else line = satOutLine(message, me) ?? 'No answer from you this round: 0 points.';
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line));
    announce(`${fakes} of ${reveal.images.length} were fakes. ${line}`);
  } else announce(`${fakes} of ${reveal.images.length} were fakes.`);

  const sent = mine ? session.myAnswer('spot-fake') : null;
  const rows = reveal.images.map((im, i) => {
    const g = reveal.generators.find((x) => x.imageId === im.id);
    const given = sent?.answers.find((a) => a.id === im.id);
    const total = im.saidReal + im.saidFake + (im.notSure ?? 0);
    return h(
      'li',
      { class: `gan-reveal-item ${im.real ? 'is-real' : 'is-fake'}`, 'data-testid': 'reveal-item', 'data-truth': im.real ? 'real' : 'fake' },
      pixelCanvas(im.pixels, `Image ${i + 1}: ${im.caption}. It was ${im.real ? 'real' : 'a fake'}.`),
      h(
        'div',
        { class: 'gan-reveal-text' },
        h('p', { class: 'gan-caption' }, h('span', { class: 'gan-letter' }, `${i + 1}`), ` “${im.caption}”`),
        h(
          'p',
          { class: `gan-badge ${im.real ? 'is-real' : 'is-fake'}` },
          h('span', { class: 'gan-icon', 'aria-hidden': 'true' }, im.real ? REAL_ICON : FAKE_ICON),
          im.real ? 'Real: from the data set' : `Fake: made by ${reveal.source === 'diffusion' ? 'diffusion' : 'G'}${g ? ` (picked by ${g.nickname})` : ''}`,
        ),
        given
          ? h(
              'p',
              { class: 'gan-mine', 'data-testid': 'my-answer' },
              given.confidence === NOT_SURE
                ? 'You: not sure (D = ½)'
                : `${given.real === im.real ? '✓ You' : '✗ You'}: ${given.real ? 'real' : 'fake'}, ${percent(given.confidence)} sure`,
            )
          : null,
        h(
          'p',
          { class: 'gan-votes' },
          `Class: ${im.saidReal} said real, ${im.saidFake} said fake${im.notSure ? `, ${im.notSure} not sure` : ''}`,
          total ? ` · mean D = ${percent(im.classD)}` : '',
        ),
        h(
          'p',
          { class: 'gan-neural', 'data-testid': 'neural-d' },
          `Neural D: ${im.neuralD === null ? 'no answer' : `D = ${percent(im.neuralD)} → “${im.neuralD >= 0.5 ? 'real' : 'fake'}”`}`,
        ),
        im.fooled.length
          ? h('p', { class: 'gan-fooled' }, `${im.real ? 'Called it fake' : 'Fooled'}: ${im.fooled.join(', ')}`)
          : h('p', { class: 'gan-fooled none' }, total ? 'Fooled nobody.' : ''),
      ),
    );
  });

  const value = h(
    'section',
    { class: 'gan-value', 'aria-labelledby': `value-title-${message.round}` },
    h('h3', { id: `value-title-${message.round}` }, 'V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))]'),
    h(
      'dl',
      { class: 'gan-value-list' },
      h('dt', {}, 'The class as D'),
      h('dd', { 'data-testid': 'class-value' }, formatNats(reveal.classValue)),
      h('dt', {}, 'The neural D'),
      h('dd', { 'data-testid': 'neural-value' }, formatNats(reveal.neuralValue)),
      h('dt', {}, 'Equilibrium (D = ½ everywhere)'),
      h('dd', {}, `−log 4 = ${formatNats(reveal.equilibriumValue)}`),
    ),
    h(
      'p',
      { class: 'hint' },
      'D wants V high (0 is perfect: log 1), G wants it low. When G copies the data perfectly the best D can do is say ½ to everything, and V = −log 4 ≈ −1.39. ',
      reveal.classValue === null
        ? 'Not enough answers to estimate the class’s V.'
        : reveal.classValue > reveal.equilibriumValue
          ? 'The class beat the equilibrium: these fakes could still be told apart.'
          : 'The class did no better than the equilibrium: G is winning.',
    ),
  );

  const team = reveal.generators.length
    ? h(
        'section',
        { class: 'gan-team', 'data-testid': 'generator-team' },
        h('h3', {}, 'The generator team (G)'),
        h(
          'ul',
          {},
          ...reveal.generators.map((g) =>
            h(
              'li',
              {},
              h('strong', {}, g.nickname),
              ` picked image ${reveal.images.findIndex((im) => im.id === g.imageId) + 1}: fooled ${g.fooled.length ? g.fooled.join(', ') : 'nobody'} · +${formatNumber(g.points)}`,
            ),
          ),
        ),
      )
    : null;

  if (team) head.append(team);
  const explanation = h(
    'span',
    {},
    `Your answer “real, ${percent(0.9)} sure” means D = ${answerToD(true, 0.9)}; “fake, ${percent(0.9)} sure” means D = ${answerToD(false, 0.9).toFixed(1)}. `,
    'p is the probability you gave to the truth: “not sure” (p = ½) earns 85, 99 % sure and right 100, 99 % sure and wrong 0. ',
    'The log score is proper: on average, saying how sure you really are pays best, as the table below shows.',
  );

  return {
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
    stage: { scene: 'none' },
    el: h(
      'div',
      { class: 'gan-reveal', 'data-testid': 'spot-fake-reveal' },
      head,
      h('ol', { class: 'gan-reveal-list' }, ...rows),
      h('div', { class: 'gan-reveal-side' }, value),
      reveal.adversary ? minimaxChart(reveal.adversary, reveal.equilibriumValue, `minimax-${message.round}`, reveal.players.length) : null,
      formulaBox(message.formula, explanation),
      h('details', { class: 'honesty' }, h('summary', {}, 'Why saying how sure you are pays'), honestyTable()),
    ),
  };
}

/** "If you believed X, saying Y earns …": each row's best answer is its own belief. */
function honestyTable(): HTMLElement {
  const steps = CONFIDENCES;
  const name = (c: number) => (c === NOT_SURE ? 'not sure' : percent(c));
  return h(
    'table',
    { class: 'honesty-table', 'data-testid': 'honesty-table' },
    h(
      'caption',
      {},
      'Average points per image if you believe it is real with the row’s chance and answer “real” with the column’s: in each row, saying what you believe pays best.',
    ),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'you believe ↓ · you say →'), ...steps.map((c) => h('th', { scope: 'col' }, name(c))))),
    h(
      'tbody',
      {},
      ...steps.map((belief) => {
        const row = steps.map((c) => expectedLogScore(belief, c));
        const best = Math.max(...row);
        return h('tr', {}, h('th', { scope: 'row' }, percent(belief)), ...row.map((v) => h('td', { class: v === best ? 'best' : null }, v.toFixed(1))));
      }),
    ),
  );
}
