/**
 * The Noise lab's "sample" challenge: the question (schedule editor + on-device sampler)
 * and the reveal (every player's schedule, steps and sample, what went wrong, and the
 * ratings — the class's stars live in a class game, the neural judge's in solo).
 */
import type { RatingsPayload, RatingTally } from '../../shared/game/engine.ts';
import { MAX_STARS, MIN_STARS } from '../../shared/game/engine.ts';
import { decodeSample, encodeSample, SAMPLE_RATING_POINTS, SAMPLE_SETUP_POINTS, type LabQuestion, type LabRevealEntry } from '../../shared/rounds/noise-lab-round.ts';
import type { ScheduleSpec } from '../../shared/rounds/schedule-spec.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';
import { announce, formatNumber, h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { answerFlow, answeredText } from './answer-flow.ts';
import { pixelCanvas } from './gan-common.ts';
import { labSampler } from './lab-sampler.ts';
import { revealCurvePlot, scheduleEditor } from './lab-schedule-editor.ts';

type SampleTask = Extract<LabQuestion['task'], { challenge: 'sample' }>;

export const sampleTaskText = (caption: string) => `Draw “${caption}” with the diffusion model, using your own noise schedule and number of steps.`;

function specText(spec: ScheduleSpec): string {
  return `${spec.kind === 'custom' ? 'drawn' : spec.kind}, T = ${spec.T}`;
}

// ---- question ------------------------------------------------------------------------------

export function sampleQuestionPanel(ctx: PanelContext, message: QuestionMessage<'noise-lab'>, task: SampleTask): Panel {
  const { session } = ctx;
  const question = message.question;
  let sampler: ReturnType<typeof labSampler> | null = null;
  const editor = scheduleEditor(`lab-${message.round}`, question.previewSeed, null, null, () => sampler?.refresh());
  sampler = labSampler({ idPrefix: `lab-${message.round}`, caption: task.caption, noiseSeed: task.noiseSeed, spec: editor.spec, onSampled: () => (submit.disabled = false) });
  announce(`Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${sampleTaskText(task.caption)}`);
  const prompt = h('p', { class: 'prompt', 'data-testid': 'lab-task' }, sampleTaskText(task.caption));
  const hint = h(
    'p',
    { class: 'hint' },
    'Shape the schedule, pick a sampler and a step count, press Sample and watch the model denoise. A schedule that destroys the image too early, or too few steps, gives poor samples. ',
    `Up to ${SAMPLE_SETUP_POINTS} points for the set-up, up to ${SAMPLE_RATING_POINTS} more from the ratings of your sample.`,
  );
  const status = h('p', { class: 'answer-status', role: 'status', 'data-testid': 'answer-status' });
  const submit = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'submit-answer', disabled: true }, 'Lock in this sample');
  // Two columns when there is room: the schedule on the left, the sampler and its denoising on the right.
  const tools = h(
    'div',
    { class: 'lab-sample-tools', style: 'display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:1rem;align-items:start' },
    editor.el,
    h('div', { style: 'display:grid;gap:.75rem' }, sampler.el, submit),
  );
  const form = h('form', { class: 'answer-form lab-form', 'data-testid': 'answer-form', novalidate: true }, prompt, hint, tools);
  const locked = h('div', { class: 'locked-in', 'data-testid': 'answer-locked', hidden: true, tabindex: -1 });
  const panel: Panel = { el: h('div', { class: 'lab-layout' }, form, locked, status), stage: { scene: 'none' } };
  const destroyTools = () => {
    editor.destroy();
    sampler?.destroy();
  };

  if (session.role === 'host') {
    submit.remove();
    const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
    hint.after(h('p', { class: 'hint' }, 'Students sample on their devices and lock in their sample; the class rates them at the reveal. You can try it here.'), count);
    panel.update = (snap) => (count.textContent = answeredText(snap));
    panel.update(session.snapshot());
    panel.destroy = destroyTools;
    return panel;
  }

  // The lab's submit: the answer is the last sample this device drew (none yet: say so).
  let sentText = '';
  const flow = answerFlow(
    session,
    message.round,
    form,
    { submit, status, locked },
    {
      noun: 'sample',
      collect: () => {
        const run = sampler?.last();
        if (!run) return { missing: 'Press Sample first: the answer is your sample.' };
        sentText = `${specText(run.spec)}, ${run.sampler.toUpperCase()} ${run.steps} steps.`;
        return { answer: { schedule: run.spec, sampler: run.sampler, steps: run.steps, image: encodeSample(run.image) } };
      },
      lockedText: () => ({ text: sentText || 'Your sample is in.' }),
    },
  );
  panel.focus = editor.el.querySelector('select') ?? undefined;
  panel.destroy = () => {
    flow.destroy();
    destroyTools();
  };
  return panel;
}

// ---- reveal --------------------------------------------------------------------------------

const stars = (mean: number) => `${mean.toFixed(1)} ★`;

function tallyText(t: RatingTally | undefined, open: boolean, solo: boolean, host = false): string {
  if (!t || t.count === 0) return solo ? 'The neural judge did not rate this sample.' : open ? 'Not rated yet.' : 'No ratings: no rating points.';
  const who = solo ? 'the neural judge' : `${t.count} rating${t.count === 1 ? '' : 's'}`;
  // The points follow the fair mean (each rater's stars measured against that rater's own average).
  const fair = t.fairMean !== null && t.mean !== null && t.fairMean.toFixed(1) !== t.mean.toFixed(1) ? ` (fair: ${stars(t.fairMean)})` : '';
  // The host sees when ratings far from the rest of the class were weighed down (fair-ratings.ts).
  const cut = host && t.cut > 0 ? ` · ${t.cut} rating${t.cut === 1 ? '' : 's'} far from the class counted less` : '';
  return `${stars(t.mean!)} from ${who}${fair} → +${formatNumber(t.points)}${open && !solo ? ' so far' : ''}${cut}`;
}

export function sampleRevealPanel(ctx: PanelContext, message: RevealMessage<'noise-lab'>, task: SampleTask): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  const me = session.playerId;
  const solo = session.mode === 'solo';
  let ratings: RatingsPayload | null = session.currentRatings() ?? message.ratings ?? null;
  const mine = reveal.entries.find((e) => e.playerId === me) ?? null;
  const status = h('p', { class: 'answer-status', role: 'status', 'data-testid': 'lab-rating-status' });

  const head = h(
    'div',
    { class: 'gan-reveal-head' },
    h('p', { class: 'eyebrow' }, 'The caption'),
    h('p', { class: 'truth lab-truth', 'data-testid': 'lab-truth', tabindex: -1 }, `“${task.caption}”`),
  );
  const myTally = h('p', { class: 'hint', 'data-testid': 'lab-my-rating' });
  if (session.role !== 'host') {
    const points = session.myPoints() ?? 0;
    const line = mine
      ? `Your set-up: +${formatNumber(points)} points. ${solo ? 'The neural judge rated your sample.' : 'The class now rates your sample.'}`
      : 'No sample from you this round: 0 points.';
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line), myTally);
    announce(line);
  }
  head.append(
    h(
      'p',
      { class: 'hint' },
      solo
        ? 'The neural judge (the CLIP pair) says how well each sample fits the caption: p = 1 is 5 stars.'
        : 'Rate the others’ samples, 1 to 5 stars: how well does it show the caption? You cannot rate your own. Each rater’s stars count against their own average, and a rating far from the rest of the class counts less, so rating everyone low, or a friend high, changes little. Ratings close with the leaderboard.',
    ),
    status,
  );

  const ordered = [...reveal.entries].sort((a, b) => (a.playerId === me ? -1 : b.playerId === me ? 1 : 0));
  const tallyEls = new Map<string, HTMLElement>();
  const buttonGroups = new Map<string, HTMLButtonElement[]>();
  const canRate = session.role === 'player';

  const item = (e: LabRevealEntry): HTMLElement => {
    const isMe = e.playerId === me;
    const canvas = e.sample ? pixelCanvas(decodeSample(e.sample.image), `${e.nickname}’s sample of “${task.caption}”`) : h('span', { class: 'hint' }, 'no sample');
    const tally = h('p', { class: 'gan-votes', 'data-testid': 'lab-rating-tally' });
    tallyEls.set(e.playerId, tally);
    const text = h(
      'div',
      { class: 'gan-reveal-text' },
      h('p', {}, h('strong', {}, e.nickname), isMe && !solo ? ' (you)' : ''),
      h('p', {}, `${specText(e.schedule)} · ${e.sample ? `${e.sample.sampler.toUpperCase()} ${e.sample.steps} steps` : ''}`),
      h('p', {}, `Set-up: +${formatNumber(e.points)}`),
      tally,
      h('ul', { class: 'lab-notes', 'data-testid': 'lab-sample-notes' }, ...e.notes.map((n) => h('li', {}, n))),
    );
    if (canRate && !isMe) {
      const buttons: HTMLButtonElement[] = [];
      for (let s = MIN_STARS; s <= MAX_STARS; s++) {
        const b = h(
          'button',
          { type: 'button', class: 'button small', 'aria-pressed': 'false', 'aria-label': `${s} star${s === 1 ? '' : 's'} for ${e.nickname}’s sample`, 'data-testid': `rate-${s}` },
          `${s}★`,
        );
        b.addEventListener('click', () => {
          if (session.starsGiven(e.playerId) !== undefined) return;
          session.rate(message.round, e.playerId, s);
          status.textContent = `You gave ${e.nickname} ${s}★.`;
          showGiven(e.playerId);
        });
        buttons.push(b);
      }
      buttonGroups.set(e.playerId, buttons);
      text.append(h('div', { class: 'gan-steps', role: 'group', 'aria-label': `Rate ${e.nickname}’s sample`, 'data-testid': 'lab-rate-group' }, ...buttons));
    }
    return h('li', { class: `gan-reveal-item${isMe ? ' gan-mine' : ''}`, 'data-testid': 'lab-sample-entry', 'data-player': e.nickname }, canvas, text);
  };

  const showGiven = (playerId: string) => {
    const mineStars = session.starsGiven(playerId);
    for (const b of buttonGroups.get(playerId) ?? []) {
      const s = Number(b.textContent?.[0]);
      b.setAttribute('aria-pressed', String(s === mineStars));
      b.disabled = mineStars !== undefined || ratings?.open === false;
      b.classList.toggle('primary', s === mineStars);
    }
  };

  const list = h('ol', { class: 'gan-reveal-list', 'data-testid': 'lab-sample-list' }, ...ordered.map(item));
  const render = () => {
    const open = ratings?.open ?? true;
    for (const e of reveal.entries) {
      const t = ratings?.tallies.find((x) => x.playerId === e.playerId);
      const el = tallyEls.get(e.playerId);
      if (el) {
        el.textContent = tallyText(t, open, solo, session.role === 'host');
        el.dataset.cut = String(t?.cut ?? 0);
        if (solo && t?.judge != null) el.textContent += ` (judge: p = ${t.judge.toFixed(2)} that it shows the caption)`;
      }
      showGiven(e.playerId);
      if (e.playerId === me) myTally.textContent = `Your sample: ${tallyText(t, open, solo)}`;
    }
  };
  render();
  const onRatings = (r: RatingsPayload) => {
    if (r.round !== message.round) return;
    ratings = r;
    render();
  };
  const offRatings = session.on('ratings', onRatings);
  const offError = session.on('error', (error) => {
    if (!canRate) return;
    status.textContent = error.message;
  });

  const plot = h(
    'figure',
    { class: 'curve-figure' },
    revealCurvePlot(
      null,
      null,
      reveal.entries.slice(0, 30).map((e) => ({ spec: e.schedule, mine: e.playerId === me })),
    ),
    h('figcaption', {}, 'ᾱ over normalised time: ', mine ? 'bright, your schedule; faint, the others.' : 'the players’ schedules.'),
  );
  const empty = reveal.entries.length === 0 ? h('p', { class: 'hint' }, 'Nobody sampled this round.') : null;
  return {
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
    el: h(
      'div',
      { class: 'gan-reveal', 'data-testid': 'lab-sample-reveal' },
      head,
      h('div', { class: 'gan-reveal-side' }, plot),
      empty ?? list,
      h('div', { class: 'formula gan-formula', 'data-testid': 'formula' }, h('span', { class: 'eyebrow' }, 'Scoring'), ' ', message.formula),
    ),
    stage: { scene: 'none' },
    destroy: () => {
      offRatings();
      offError();
    },
  };
}
