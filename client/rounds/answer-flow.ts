/**
 * The answer life cycle every question panel shares: submit (refused while paused or once
 * sent), "Sending…", "Answer locked in" when the server acknowledges, the server's refusal
 * back in the status line, and the pause notice. The panel keeps its own form contents.
 */
import type { GameSession, Snapshot } from '../session/game-session.ts';
import { announce, h } from '../ui/dom.ts';

/** The elements of an answer form the flow drives. */
interface AnswerControls {
  submit: HTMLButtonElement;
  status: HTMLElement;
  /** shown in place of the form once the answer is in (focusable) */
  locked: HTMLElement;
}

interface AnswerFlowOptions {
  /** the payload to send, or a sentence saying what is still missing */
  collect(): { answer: unknown } | { missing: string };
  /** the locked-in line once the server has the answer ("t = 500."), and what a screen reader hears, if anything */
  lockedText(): { text: string; announce?: string };
  /** what the player locks in, for "Answer locked in" / "Your answer is in" ('answer' unless told: the lab says 'sample') */
  noun?: string;
}

interface AnswerFlow {
  /** this player had answered before the panel was built (the locked line shows already) */
  readonly answeredBefore: boolean;
  /** for the panel's `update`: the submit button and the pause notice follow the game */
  update(snap: Snapshot): void;
  destroy(): void;
}

const PAUSED = 'Paused by the host.';

export function answerFlow(session: GameSession, round: number, form: HTMLFormElement, controls: AnswerControls, o: AnswerFlowOptions): AnswerFlow {
  const { submit, status, locked } = controls;
  const noun = o.noun ?? 'answer';
  let pending = false;
  const lockIn = (text: string) => {
    pending = false;
    form.hidden = true;
    locked.hidden = false;
    locked.replaceChildren(h('strong', {}, `${noun[0]!.toUpperCase()}${noun.slice(1)} locked in`), h('span', {}, text));
    status.textContent = '';
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (pending || session.hasAnswered()) return;
    if (session.snapshot().paused) {
      status.textContent = 'The game is paused: answers open again when it resumes.';
      return;
    }
    const result = o.collect();
    if ('missing' in result) {
      status.textContent = result.missing;
      return;
    }
    pending = true;
    submit.disabled = true;
    status.textContent = 'Sending…';
    session.answer(round, result.answer);
  });
  const offs = [
    session.on('answered', ({ round: answered }) => {
      if (answered !== round) return;
      const line = o.lockedText();
      lockIn(`${line.text} Waiting for the others…`);
      if (line.announce) announce(line.announce);
      locked.focus();
    }),
    session.on('error', (error) => {
      if (!pending) return;
      pending = false;
      submit.disabled = false;
      status.textContent = error.message;
    }),
  ];
  const answeredBefore = session.hasAnswered();
  if (answeredBefore) lockIn(`Your ${noun} is in. Waiting for the others…`);
  return {
    answeredBefore,
    update(snap) {
      submit.disabled = pending || snap.paused;
      if (snap.paused && !pending && !form.hidden) status.textContent = PAUSED;
      else if (!snap.paused && status.textContent === PAUSED) status.textContent = '';
    },
    destroy: () => offs.forEach((off) => off()),
  };
}

/** The host screen's "3 of 5 answered": of the players who answer this round (not its generator team). */
export function answeredText(snap: Snapshot): string {
  return `${snap.answeredCount} of ${snap.answering} answered`;
}
