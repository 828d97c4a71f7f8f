/**
 * The reveal's "closest guesses" box: the best few answers of the round, each with the
 * player's name ("(you)" for this device), what they answered and the points. The round's
 * view says how to order the answers and how one answer reads ("t = 500", "β̂ = 0.42").
 */
import { formatNumber, h } from '../ui/dom.ts';

interface ListedGuess {
  playerId: string;
  nickname: string;
  points: number;
}

interface ClosestListOptions<G extends ListedGuess> {
  /** this device's player id (its row is marked), or null on the host screen */
  me: string | null;
  /** how one answer reads in the list */
  label(guess: G): string;
  /** best first: the list shows the first `limit` answers in this order */
  order(a: G, b: G): number;
  limit: number;
  /** the heading; "Closest guesses" unless told */
  title?: string;
  /** extra class names for the box */
  className?: string;
}

/** Orders answers by their distance to the truth, closest first. */
export const byDistance =
  <G>(value: (guess: G) => number, truth: number) =>
  (a: G, b: G): number =>
    Math.abs(value(a) - truth) - Math.abs(value(b) - truth);

export function closestList<G extends ListedGuess>(guesses: readonly G[], o: ClosestListOptions<G>): HTMLElement {
  const ranked = [...guesses].sort(o.order).slice(0, o.limit);
  return h(
    'div',
    { class: o.className ? `closest ${o.className}` : 'closest' },
    h('h3', {}, o.title ?? 'Closest guesses'),
    ranked.length === 0
      ? h('p', { class: 'hint' }, 'Nobody answered this round.')
      : h(
          'ol',
          { class: 'closest-list' },
          ...ranked.map((g) =>
            h(
              'li',
              { class: g.playerId === o.me ? 'me' : null, 'data-testid': 'closest-row' },
              h('span', { class: 'name' }, g.nickname, g.playerId === o.me ? ' (you)' : ''),
              h('span', { class: 'guess' }, o.label(g)),
              h('span', { class: 'pts' }, `+${formatNumber(g.points)}`),
            ),
          ),
        ),
  );
}
