import './noise-lab-view.css';
import type { LabTask } from '../../shared/rounds/noise-lab-round.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';
import { announce, formatNumber, h } from '../ui/dom.ts';
import type { Panel, PanelContext } from '../ui/panel.ts';
import { answerFlow, answeredText } from './answer-flow.ts';
import { closestList } from './closest-list.ts';
import { sampleQuestionPanel, sampleRevealPanel, sampleTaskText } from './lab-sample-view.ts';
import { revealCurvePlot, scheduleEditor } from './lab-schedule-editor.ts';

function taskText(task: LabTask): string {
  switch (task.challenge) {
    case 'match-curve':
      return `Match the target ᾱ curve (dashed${task.target.kind === 'cosine' ? '' : ', a hand-drawn curve'}).`;
    case 'destroy-window':
      return `Destroy the image (ᾱ below 0.01) after ${Math.round(task.notBefore * 100)} % of the steps but by ${Math.round(task.by * 100)} %.`;
    case 'sample':
      return sampleTaskText(task.caption);
  }
}

export function noiseLabQuestionPanel(ctx: PanelContext, message: QuestionMessage<'noise-lab'>): Panel {
  const { session } = ctx;
  const question = message.question;
  const task = question.task;
  if (task.challenge === 'sample') return sampleQuestionPanel(ctx, message, task);
  const editor = scheduleEditor(
    `lab-${message.round}`,
    question.previewSeed,
    task.challenge === 'match-curve' ? task.target : null,
    task.challenge === 'destroy-window' ? { notBefore: task.notBefore, by: task.by } : null,
  );
  announce(`Round ${message.round + 1} of ${message.totalRounds}: ${message.title}. ${taskText(task)}`);
  const prompt = h('p', { class: 'prompt', 'data-testid': 'lab-task' }, taskText(task));
  const status = h('p', { class: 'answer-status', role: 'status', 'data-testid': 'answer-status' });
  const submit = h('button', { type: 'submit', class: 'button primary big', 'data-testid': 'submit-answer' }, 'Lock in this schedule');
  const form = h('form', { class: 'answer-form lab-form', 'data-testid': 'answer-form', novalidate: true }, prompt, editor.el, submit);
  const locked = h('div', { class: 'locked-in', 'data-testid': 'answer-locked', hidden: true, tabindex: -1 });
  const panel: Panel = { el: h('div', { class: 'lab-layout' }, form, locked, status), stage: { scene: 'none' } };

  if (session.role === 'host') {
    submit.remove();
    const count = h('p', { class: 'answered-count', 'data-testid': 'answered-count' });
    form.append(h('p', { class: 'hint' }, 'Students shape their schedule on their devices. You can try it here.'), count);
    panel.update = (snap) => (count.textContent = answeredText(snap));
    panel.update(session.snapshot());
    panel.destroy = editor.destroy;
    return panel;
  }

  const flow = answerFlow(
    session,
    message.round,
    form,
    { submit, status, locked },
    {
      collect: () => ({ answer: { schedule: editor.spec() } }),
      lockedText: () => {
        const s = editor.spec();
        return { text: `${s.kind === 'custom' ? 'drawn' : s.kind} schedule, T = ${s.T}.` };
      },
    },
  );
  panel.focus = editor.el.querySelector('select') ?? undefined;
  panel.destroy = () => {
    flow.destroy();
    editor.destroy();
  };
  return panel;
}

export function noiseLabRevealPanel(ctx: PanelContext, message: RevealMessage<'noise-lab'>): Panel {
  const { session } = ctx;
  const reveal = message.reveal;
  if (reveal.task.challenge === 'sample') return sampleRevealPanel(ctx, message, reveal.task);
  const me = session.playerId;
  const mine = reveal.entries.find((e) => e.playerId === me) ?? null;
  const points = session.myPoints();
  const head = h(
    'div',
    { class: 'reveal-head' },
    h('p', { class: 'eyebrow' }, 'The challenge'),
    h('p', { class: 'truth lab-truth', 'data-testid': 'lab-truth', tabindex: -1 }, taskText(reveal.task)),
  );
  if (session.role !== 'host') {
    const line = mine ? `Your schedule: +${formatNumber(points ?? mine.points)} points` : 'No answer from you this round: 0 points.';
    head.append(h('p', { class: 'your-result', 'data-testid': 'your-points' }, line));
    if (mine) head.append(h('ul', { class: 'lab-notes' }, ...mine.notes.map((n) => h('li', {}, n))));
    announce(line);
  }
  const list = closestList(reveal.entries, {
    me,
    label: (e) => `${e.schedule.kind === 'custom' ? 'drawn' : e.schedule.kind}, T = ${e.schedule.T}`,
    order: (a, b) => b.points - a.points,
    limit: 5,
    title: 'Best schedules',
  });
  const plot = h(
    'figure',
    { class: 'curve-figure' },
    revealCurvePlot(
      reveal.task.challenge === 'match-curve' ? reveal.task.target : null,
      reveal.task.challenge === 'destroy-window' ? { notBefore: reveal.task.notBefore, by: reveal.task.by } : null,
      reveal.entries.slice(0, 30).map((e) => ({ spec: e.schedule, mine: e.playerId === me })),
    ),
    h(
      'figcaption',
      {},
      'ᾱ over normalised time. ',
      reveal.task.challenge === 'match-curve' ? 'Dashed: the target. ' : 'Band: the window. ',
      mine ? 'Bright: your schedule; faint: the others.' : 'Faint: the players’ schedules.',
    ),
  );
  return {
    focus: head.querySelector<HTMLElement>('.truth') ?? undefined,
    el: h(
      'div',
      { class: 'reveal-layout' },
      head,
      plot,
      list,
      h('p', { class: 'formula', 'data-testid': 'formula' }, h('span', { class: 'eyebrow' }, 'Scoring'), ' ', message.formula),
    ),
    stage: { scene: 'none' },
  };
}

/** Host playlist options for the lab (the challenge). */
export function labOptionsEditor(idPrefix: string, current: Readonly<Record<string, unknown>>, onChange: (o: Record<string, unknown>) => void) {
  const select = h(
    'select',
    { id: `${idPrefix}-challenge` },
    h('option', { value: 'match-curve' }, 'match an ᾱ curve'),
    h('option', { value: 'destroy-window' }, 'destroy in a window'),
    h('option', { value: 'sample' }, 'sample with the diffusion model (rated)'),
  );
  select.value = String(current.challenge ?? 'match-curve');
  select.addEventListener('change', () => onChange({ challenge: select.value }));
  return {
    el: h('div', { class: 'type-options' }, h('label', { for: `${idPrefix}-challenge` }, 'Challenge '), select),
    set: (o: Readonly<Record<string, unknown>>) => (select.value = String(o.challenge ?? 'match-curve')),
  };
}
