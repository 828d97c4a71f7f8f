/**
 * The reveal's words for a round a student sat out because their device rendered its
 * images (it saw the recipes): their own line, and the host's note. Spot the fake, Judge,
 * Blend and Restyle are the rounds with render jobs.
 */
import type { RevealMessage } from '../session/game-session.ts';
import { formatNumber, h } from '../ui/dom.ts';

/** The student's own result line when they sat the round out, else null. */
export function satOutLine(message: RevealMessage, me: string | null): string | null {
  if (!message.renderedBy || message.renderedBy.playerId !== me) return null;
  return `You sat this round out: your device drew its images. Class average: +${formatNumber(message.points[me] ?? 0)} points.`;
}

/** For the host's reveal: who sat out and why, or null. */
export function renderedNote(message: RevealMessage): HTMLElement | null {
  const r = message.renderedBy;
  if (!r) return null;
  const points = formatNumber(message.points[r.playerId] ?? 0);
  return h(
    'p',
    { class: 'hint rendered-note', 'data-testid': 'rendered-note' },
    `${r.nickname}’s device drew this round’s images, so ${r.nickname} sat it out with the class average (+${points}).`,
  );
}
