import { hostedGames, hostSecret, reportUrl } from '../session/storage.ts';
import { h } from './dom.ts';

/** The classes this browser hosted, newest first, each with its CSV report. */
export function previousGames(exceptCode: string | null): HTMLElement | null {
  const games = hostedGames().filter((g) => g.code !== exceptCode);
  if (games.length === 0) return null;
  const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return h(
    'section',
    { class: 'card history', 'aria-labelledby': 'history-title', 'data-testid': 'previous-games' },
    h('h2', { id: 'history-title', class: 'card-title' }, 'Your previous classes'),
    h(
      'ul',
      { class: 'history-list' },
      ...games.slice(0, 8).map((g) => {
        const secret = hostSecret(g.code);
        return h(
          'li',
          {},
          h('a', { href: `/host/${g.code}`, class: 'code-link' }, g.code),
          h('span', { class: 'hint' }, date.format(new Date(g.createdAt))),
          secret ? h('a', { href: reportUrl(g.code, secret), download: `latent-arena-${g.code}.csv` }, 'Report (CSV)') : null,
        );
      }),
    ),
  );
}
