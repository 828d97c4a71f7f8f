import { append, h } from './dom.ts';

/** The bar at the top: the way home, and what this screen is (code, role). */
export function setTopbar(context: { code?: string; role?: string } = {}): void {
  const bar = document.getElementById('topbar');
  if (!bar) return;
  bar.replaceChildren();
  append(
    bar,
    h('a', { href: '/', class: 'brand', 'data-link': true }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Latent Arena'),
    context.code || context.role
      ? h(
          'p',
          { class: 'topbar-context' },
          context.role ? h('span', { class: 'chip' }, context.role) : null,
          context.code ? h('span', { class: 'chip code-chip', 'aria-label': `Class code ${context.code.split('').join(' ')}` }, context.code) : null,
        )
      : null,
  );
}

/** A full-width message with ways on, for dead ends (kicked, class gone, no seat). */
export function noticeCard(title: string, text: string, ...actions: HTMLElement[]): HTMLElement {
  return h(
    'section',
    { class: 'card notice', 'data-testid': 'notice' },
    h('h1', { class: 'notice-title', tabindex: -1 }, title),
    h('p', { class: 'lead' }, text),
    actions.length ? h('div', { class: 'actions' }, ...actions) : null,
  );
}

export function linkButton(href: string, text: string, kind: 'primary' | '' = ''): HTMLAnchorElement {
  return h('a', { href, class: `button ${kind}`.trim(), 'data-link': true }, text);
}
