import type { PlayerView, Snapshot } from '../session/game-session.ts';
import { announce, formatNumber, h } from './dom.ts';
import type { Panel, PanelContext } from './panel.ts';
import { minimaxChart } from './minimax-chart.ts';

const TOP_ROWS = 10;

/** Ranked like the server: by rank, then score, then name. */
export function ranked(players: readonly PlayerView[]): PlayerView[] {
  return [...players].sort((a, b) => (a.rank || 1e9) - (b.rank || 1e9) || b.score - a.score || a.nickname.localeCompare(b.nickname));
}

function row(p: PlayerView, top: number, me: string | null): HTMLElement {
  const mine = p.id === me;
  return h(
    'li',
    { class: `board-row${mine ? ' me' : ''}`, 'data-testid': 'leaderboard-row', 'data-player': p.nickname },
    h('span', { class: 'rank' }, `#${p.rank || '–'}`),
    h('span', { class: 'name' }, p.nickname, mine ? h('span', { class: 'you-tag' }, 'you') : null, p.connected ? null : h('span', { class: 'offline-tag' }, 'offline')),
    h('span', { class: 'bar', 'data-slot': 'bar', 'data-value': top > 0 ? (p.score / top).toFixed(4) : '0', 'data-me': String(mine), 'aria-hidden': 'true' }),
    h('span', { class: 'score', 'data-testid': 'score' }, formatNumber(p.score)),
    h('span', { class: 'delta' }, p.lastPoints > 0 ? `+${formatNumber(p.lastPoints)}` : '+0'),
  );
}

export function leaderboardPanel(ctx: PanelContext): Panel {
  const { session } = ctx;
  const me = session.playerId;
  const heading = h('h2', { class: 'screen-title' });
  const mine = h('p', { class: 'my-rank', 'data-testid': 'my-rank' });
  const list = h('ol', { class: 'board', 'data-testid': 'leaderboard' });
  const more = h('p', { class: 'hint' });
  const el = h('div', { class: 'standings' }, heading, mine, list, more);
  let lastKey = '';
  const update = (snap: Snapshot) => {
    const players = ranked(snap.players);
    const key = players.map((p) => `${p.id}:${p.nickname}:${p.score}:${p.rank}:${p.connected}`).join('|');
    heading.textContent = `Leaderboard after round ${snap.round + 1} of ${snap.totalRounds}`;
    if (key === lastKey) return;
    lastKey = key;
    const top = Math.max(1, ...players.map((p) => p.score));
    const shown = players.slice(0, TOP_ROWS);
    const self = players.find((p) => p.id === me);
    if (self && !shown.includes(self)) shown.push(self);
    list.replaceChildren(...shown.map((p) => row(p, top, me)));
    more.textContent = players.length > shown.length ? `…and ${players.length - shown.length} more.` : '';
    if (self) {
      mine.hidden = false;
      mine.textContent = `You are #${self.rank} of ${players.length} with ${formatNumber(self.score)} points.`;
    } else mine.hidden = true;
  };
  update(session.snapshot());
  const self = session.snapshot().players.find((p) => p.id === me);
  if (self) announce(`Leaderboard. You are number ${self.rank} with ${formatNumber(self.score)} points.`);
  return { el, update, stage: { scene: 'leaderboard' } };
}

export function podiumPanel(ctx: PanelContext, extras: Node | null): Panel {
  const { session } = ctx;
  const me = session.playerId;
  const snap = session.snapshot();
  const players = ranked(snap.players);
  const top = players.slice(0, 3);
  const place = (p: PlayerView, i: number) =>
    h(
      'li',
      { class: `podium-place place-${i + 1}${p.id === me ? ' me' : ''}`, 'data-testid': 'podium-place' },
      h('span', { class: 'podium-rank', 'aria-label': `Place ${p.rank}` }, String(p.rank)),
      h('span', { class: 'podium-name' }, p.nickname, p.id === me ? h('span', { class: 'you-tag' }, 'you') : null),
      h('span', { class: 'podium-score' }, `${formatNumber(p.score)} pts`),
      // Tied players share a rank, and a block of the same height.
      h('span', { class: 'podium-block', 'data-slot': 'podium-block', 'data-rank': String(Math.min(3, p.rank || i + 1)), 'aria-hidden': 'true' }),
    );
  const self = players.find((p) => p.id === me);
  const mine = self ? h('p', { class: 'my-rank', 'data-testid': 'my-rank' }, `You finished #${self.rank} of ${players.length} with ${formatNumber(self.score)} points.`) : null;
  const best = Math.max(1, ...players.map((p) => p.score));
  const series = session.minimaxSeries();
  const el = h(
    'div',
    { class: 'standings podium-screen', 'data-testid': 'podium' },
    h('h2', { class: 'screen-title' }, 'Final results'),
    mine,
    top.length === 0 ? h('p', { class: 'hint' }, 'Nobody played this game.') : h('ol', { class: 'podium' }, ...top.map(place)),
    players.length > 3 ? h('h3', { class: 'sub-title' }, 'Everyone') : null,
    players.length > 3 ? h('ol', { class: 'board compact' }, ...players.map((p) => row(p, best, me))) : null,
    series && series.history.length > 0 ? minimaxChart(series.history, series.equilibrium, 'minimax-final', series.players) : null,
    extras,
  );
  announce(self ? `Game over. You finished number ${self.rank} with ${formatNumber(self.score)} points.` : 'Game over: final results.');
  return { el, stage: { scene: 'podium' } };
}
