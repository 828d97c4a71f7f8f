import { normalizeJoinCode } from '../shared/game/lobby-rules.ts';
import type { GameSession } from './session/game-session.ts';
import type { StageHandle } from './ui/panel.ts';

export type Route =
  | { name: 'landing' }
  | { name: 'host'; code: string | null }
  | { name: 'join'; code: string | null }
  | { name: 'play'; code: string }
  | { name: 'solo' }
  | { name: 'notes' }
  | { name: 'not-found'; path: string };

interface ViewContext {
  root: HTMLElement;
  stage: StageHandle;
  navigate(path: string, options?: { replace?: boolean; session?: GameSession; notice?: string }): void;
  /** A live session handed over by the previous view (join → play), if any. */
  session: GameSession | null;
  /** A sentence the previous view left for this one (e.g. why a seat could not be restored). */
  notice: string | null;
}

/** Mounts a screen; returns what to do when leaving it. */
// biome-ignore lint/suspicious/noConfusingVoidType: a view returns its cleanup, or nothing at all.
export type View = (ctx: ViewContext, route: Route) => (() => void) | void;

function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  const [first, second, ...rest] = parts;
  if (parts.length === 0) return { name: 'landing' };
  if (rest.length > 0) return { name: 'not-found', path: pathname };
  const code = second === undefined ? null : normalizeJoinCode(decodeURIComponent(second));
  switch (first) {
    case 'host':
      return second === undefined || code ? { name: 'host', code } : { name: 'not-found', path: pathname };
    case 'join':
      // A mistyped code in the URL still opens the form, which explains the problem.
      return { name: 'join', code: code ?? (second ? decodeURIComponent(second).toUpperCase() : null) };
    case 'play':
      return code ? { name: 'play', code } : { name: 'join', code: null };
    case 'solo':
      return second === undefined ? { name: 'solo' } : { name: 'not-found', path: pathname };
    case 'notes':
      return second === undefined ? { name: 'notes' } : { name: 'not-found', path: pathname };
    default:
      return { name: 'not-found', path: pathname };
  }
}

/** History-API routing for the single page the server serves at every client path. */
export function startRouter(root: HTMLElement, stage: StageHandle, views: Record<Route['name'], View>): void {
  let leave: (() => void) | null = null;

  const mount = (path: string, session: GameSession | null, notice: string | null) => {
    leave?.();
    leave = null;
    stage.show({ scene: 'none' });
    const route = parseRoute(path);
    const ctx: ViewContext = { root, stage, navigate, session, notice };
    root.replaceChildren();
    leave = views[route.name](ctx, route) ?? null;
    window.scrollTo(0, 0);
    // Screen readers start at the new screen's heading.
    const heading = root.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  };

  function navigate(path: string, options: { replace?: boolean; session?: GameSession; notice?: string } = {}): void {
    if (options.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    mount(path, options.session ?? null, options.notice ?? null);
  }

  window.addEventListener('popstate', () => mount(location.pathname, null, null));
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || link.hasAttribute('download') || link.target) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    if (url.pathname !== location.pathname) navigate(url.pathname);
  });
  mount(location.pathname, null, null);
}
