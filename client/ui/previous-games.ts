import { hostedGames, hostSecret, reportAction } from '../session/storage.ts';
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
          secret ? reportForm(g.code, 'Report (CSV)', 'link-button', 'previous-report') : null,
        );
      }),
    ),
  );
}

/**
 * The report download: a form that posts the host secret, so the secret stays out of the
 * URL (and so out of the browser history and access logs); the answer is an attachment.
 */
export function reportForm(code: string, label: string, buttonClass: string, testId: string): HTMLElement | null {
  const secret = hostSecret(code);
  if (!secret) return null;
  return h(
    'form',
    { method: 'post', action: reportAction(code), class: 'report-form' },
    h('input', { type: 'hidden', name: 'key', value: secret }),
    h('button', { type: 'submit', class: buttonClass, 'data-testid': testId }, label),
  );
}
