import { ERRORS, type ErrorCode, type ErrorMessage } from '../../shared/protocol/errors.ts';
import type { LobbyInfo } from '../../shared/protocol/lobby-info.ts';

/** Where the game server is: this page's origin, or `npm start`'s port under `vite` dev. */
export function serverUrl(): string {
  const configured = import.meta.env.VITE_SERVER_URL as string | undefined;
  if (configured) return configured;
  // MODE, not DEV: DEV follows NODE_ENV, which a test runner may set to "test" for a build.
  if (import.meta.env.MODE === 'development') return `${location.protocol}//${location.hostname}:2567`;
  return location.origin;
}

export type { LobbyInfo };

type LobbyLookup = { ok: true; lobby: LobbyInfo } | { ok: false; error: ErrorMessage };

/** Checks a code before joining, so a typo gets a clear sentence instead of a socket error. */
export async function lookUpLobby(code: string): Promise<LobbyLookup> {
  try {
    const res = await fetch(`/api/lobbies/${encodeURIComponent(code)}`, { headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as ({ error?: ErrorMessage } & Partial<LobbyInfo>) | null;
    if (res.ok && body && typeof body.code === 'string') return { ok: true, lobby: body as LobbyInfo };
    if (body?.error?.message) return { ok: false, error: body.error };
    return { ok: false, error: { code: 'no_such_lobby', message: ERRORS.no_such_lobby } };
  } catch {
    return { ok: false, error: { code: 'bad_message', message: 'Cannot reach the game server. Check your network connection.' } };
  }
}

/** The join refusal a lobby's public state already predicts (locked, full, finished). */
export function lobbyRefusal(lobby: LobbyInfo): ErrorMessage | null {
  const refuse = (code: ErrorCode): ErrorMessage => ({ code, message: ERRORS[code] });
  if (lobby.phase === 'podium') return refuse('game_over');
  if (lobby.locked) return refuse('lobby_locked');
  if (lobby.full) return refuse('lobby_full');
  return null;
}

let joinBase: Promise<string> | null = null;
/** The address students type: the server knows its LAN address, this page may be on localhost. */
export function joinBaseUrl(): Promise<string> {
  joinBase ??= (async () => {
    try {
      const res = await fetch('/api/config');
      const body = res.ok ? ((await res.json()) as { joinBaseUrl?: unknown }) : {};
      return typeof body.joinBaseUrl === 'string' && body.joinBaseUrl ? body.joinBaseUrl.replace(/\/+$/, '') : location.origin;
    } catch {
      return location.origin;
    }
  })();
  return joinBase;
}
