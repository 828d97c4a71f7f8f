/**
 * "Judge" (GAN-CLS): each item is an image with a caption; players say real & matching,
 * real but mismatched, or fake. The reveal weighs the verdicts as L_CLS does and puts the
 * neural judge (the CLIP pair for matching, the GAN's D for realness) beside the class.
 */
import { JUDGE_CONFIDENCES, JUDGE_NOT_SURE, VERDICTS, type Verdict } from '../../shared/rounds/judge-round.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';
import { announce, formatNumber, h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { confidenceSteps, formatNats, formulaBox, hostImagesPanel, percent, pixelCanvas, roundAnswerForm } from './gan-common.ts';
import { renderedNote, satOutLine } from './sat-out.ts';

const VERDICT_TEXT: Record<Verdict, { icon: string; short: string; long: string }> = {
  match: { icon: '✓', short: 'Real & matches', long: 'a real image and its own caption' },
  mismatch: { icon: '≠', short: 'Real, wrong caption', long: 'a real image with a caption that does not fit it' },
  fake: { icon: '✕', short: 'Fake', long: 'a fake made by the generator for this caption' },
};

export function judgeQuestionPanel(ctx: PanelContext, message: QuestionMessage<'judge'>): Panel {
  const { session } = ctx;
  const question = message.question;
  const n = question.items.length;
  announce(`Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${n} images with captions. ${Math.round(message.remainingMs / 1000)} seconds.`);
  if (session.role === 'host') {
    return hostImagesPanel(
      ctx,
      'Judge each pair: real & matching, real with the wrong caption, or fake?',
      'You are the matching-aware discriminator of GAN-CLS. Answer on your device.',
      question.items,
    );
  }
  const cards = question.items.map((it, i) => {
    const base = `jd-${message.round}-${it.id}`;
    return h(
      'fieldset',
      { class: 'gan-card', 'data-testid': 'gan-item', 'data-id': it.id },
      h('legend', { class: 'visually-hidden' }, `Item ${i + 1} of ${n}: “${it.caption}”`),
      pixelCanvas(it.pixels, `Image ${i + 1}, shown with the caption: ${it.caption}`),
      h('p', { class: 'gan-caption' }, h('span', { class: 'gan-letter' }, `${i + 1}`), ` “${it.caption}”`),
      h(
        'div',
        { class: 'gan-verdicts', role: 'radiogroup', 'aria-label': `Item ${i + 1}: your verdict` },
        ...VERDICTS.map((v) => {
          const id = `${base}-${v}`;
          return h(
            'span',
            { class: `gan-choice verdict-${v}` },
            h('input', { type: 'radio', name: `${base}-verdict`, id, value: v, 'data-testid': `verdict-${v}` }),
            h('label', { for: id }, h('span', { class: 'gan-icon', 'aria-hidden': 'true' }, VERDICT_TEXT[v].icon), VERDICT_TEXT[v].short),
          );
        }),
      ),
      confidenceSteps(base, `Item ${i + 1}: how sure?`, JUDGE_CONFIDENCES, JUDGE_NOT_SURE, 0.75),
    );
  });
  return roundAnswerForm(ctx, message, cards, () => {
    const answers: { id: string; verdict: Verdict; confidence: number }[] = [];
    const missing: number[] = [];
    question.items.forEach((it, i) => {
      const picked = cards[i]!.querySelector<HTMLInputElement>('input[name$="-verdict"]:checked');
      const conf = cards[i]!.querySelector<HTMLInputElement>('input[name$="-conf"]:checked');
      const confidence = Number(conf?.value ?? Number.NaN);
      // "Not sure" is a third on each verdict: it needs no pick.
      if (confidence === JUDGE_NOT_SURE) answers.push({ id: it.id, verdict: 'match', confidence });
      else if (!picked || !conf) missing.push(i + 1);
      else answers.push({ id: it.id, verdict: picked.value as Verdict, confidence });
    });
    if (missing.length) return { missing: `Give a verdict (or “not sure”) for item${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.` };
    const said = (a: { verdict: Verdict; confidence: number }) => (a.confidence === JUDGE_NOT_SURE ? 'not sure' : `${VERDICT_TEXT[a.verdict].short} (${percent(a.confidence)})`);
    return { answer: { answers }, summary: `${answers.map((a, i) => `${i + 1}: ${said(a)}`).join(' · ')}.` };
  });
}

export function judgeRevealPanel(ctx: PanelContext, message: RevealMessage<'judge'>): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  const me = session.playerId;
  const mine = reveal.players.find((p) => p.playerId === me) ?? null;
  const points = session.myPoints();
  const head = h(
    'div',
    { class: 'gan-reveal-head' },
    h('p', { class: 'eyebrow' }, 'The verdicts'),
    h(
      'p',
      { class: 'truth gan-truth-small', tabindex: -1, 'data-testid': 'truth-summary' },
      VERDICTS.map((v) => `${VERDICT_TEXT[v].icon} ${reveal.items.filter((it) => it.truth === v).length} ${VERDICT_TEXT[v].short.toLowerCase()}`).join(' · '),
    ),
  );
  const satOut = session.role === 'host' ? renderedNote(message) : null;
  if (satOut) head.append(satOut);
  if (session.role !== 'host') {
    const line = mine
      ? `${mine.correct} of ${reveal.items.length} right: +${formatNumber(points ?? mine.points)} points`
      : (satOutLine(message, me) ?? 'No answer from you this round: 0 points.');
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line));
    announce(line);
  }

  const sent = mine ? session.myAnswer('judge') : null;
  const rows = reveal.items.map((it, i) => {
    const givenAnswer = sent?.answers.find((a) => a.id === it.id);
    const unsure = givenAnswer?.confidence === JUDGE_NOT_SURE;
    const given = givenAnswer?.verdict;
    const votes = VERDICTS.reduce((s, v) => s + it.votes[v], 0) + (it.notSure ?? 0);
    const n = it.neural;
    return h(
      'li',
      { class: `gan-reveal-item verdict-${it.truth}`, 'data-testid': 'reveal-item', 'data-truth': it.truth },
      pixelCanvas(it.pixels, `Item ${i + 1}: ${it.caption}. It was ${VERDICT_TEXT[it.truth].long}.`),
      h(
        'div',
        { class: 'gan-reveal-text' },
        h('p', { class: 'gan-caption' }, h('span', { class: 'gan-letter' }, `${i + 1}`), ` “${it.caption}”`),
        h(
          'p',
          { class: `gan-badge verdict-${it.truth}` },
          h('span', { class: 'gan-icon', 'aria-hidden': 'true' }, VERDICT_TEXT[it.truth].icon),
          `${VERDICT_TEXT[it.truth].short} · weight ${reveal.weights[it.truth]} in L_CLS`,
        ),
        it.truth === 'mismatch' ? h('p', { class: 'hint' }, `Its own caption: “${it.trueCaption}”`) : null,
        givenAnswer && given
          ? h(
              'p',
              { class: 'gan-mine', 'data-testid': 'my-answer' },
              unsure ? 'You: not sure (⅓ each)' : `${given === it.truth ? '✓ You' : '✗ You'}: ${VERDICT_TEXT[given].short}, ${percent(givenAnswer.confidence)} sure`,
            )
          : null,
        h(
          'p',
          { class: 'gan-votes' },
          `Class (${votes}): `,
          VERDICTS.map((v) => `${VERDICT_TEXT[v].icon} ${it.votes[v]}`).join(' · '),
          it.notSure ? ` · ${it.notSure} not sure` : '',
          it.classD === null || it.classD === undefined ? '' : ` · D = ${percent(it.classD)}`,
        ),
        h(
          'p',
          { class: 'gan-neural', 'data-testid': 'neural-judge' },
          n
            ? `Neural judge: ${VERDICT_TEXT[n.verdict].icon} ${VERDICT_TEXT[n.verdict].short} (CLIP match ${percent(n.match)}, D real ${percent(n.real)})`
            : 'Neural judge: no answer',
        ),
      ),
    );
  });

  const explanation = h(
    'span',
    {},
    'GAN-CLS trains its discriminator on three kinds of pairs: L_CLS = log D(real image, right text) + ½ log(1 − D(real image, wrong text)) + ½ log(1 − D(fake image, right text)). ',
    'The two “reject” cases share one weight between them. Those weights weigh D’s loss; your points are a log score of the chance you gave the truth, so that saying what you believe pays best. ',
    `With the class’s answers as D (its chance of “real & matches”), L_CLS = ${formatNats(reveal.classLoss ?? null)} (0 is a perfect D). `,
    'The neural judge’s “matches?” comes from the CLIP pair, its “real?” from the GAN’s D.',
  );
  return {
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
    stage: { scene: 'none' },
    el: h('div', { class: 'gan-reveal', 'data-testid': 'judge-reveal' }, head, h('ol', { class: 'gan-reveal-list' }, ...rows), formulaBox(message.formula, explanation)),
  };
}
