/**
 * What this browser remembers. Host secrets live in localStorage (a host may come back to
 * /host/CODE days later for the report); a student's seat token lives in sessionStorage,
 * so it survives a reload of that tab but is not shared with other tabs.
 */
const HOST_PREFIX = 'latent-arena:host:';
const GAMES_KEY = 'latent-arena:host-games';
const SEAT_PREFIX = 'latent-arena:seat:';
const MAX_REMEMBERED_GAMES = 30;

interface HostedGame {
  code: string;
  createdAt: number;
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    // Private mode or a full quota: the game still works, it just forgets.
    return fallback;
  }
}

export function saveHostSecret(code: string, hostSecret: string): void {
  safe(() => {
    localStorage.setItem(HOST_PREFIX + code, hostSecret);
    const games = hostedGames().filter((g) => g.code !== code);
    games.unshift({ code, createdAt: Date.now() });
    localStorage.setItem(GAMES_KEY, JSON.stringify(games.slice(0, MAX_REMEMBERED_GAMES)));
  }, undefined);
}

export function hostSecret(code: string): string | null {
  return safe(() => localStorage.getItem(HOST_PREFIX + code), null);
}

/** Newest first; only games whose secret this browser still holds. */
export function hostedGames(): HostedGame[] {
  return safe(() => {
    const parsed: unknown = JSON.parse(localStorage.getItem(GAMES_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((g): g is HostedGame => typeof g?.code === 'string' && typeof g?.createdAt === 'number' && localStorage.getItem(HOST_PREFIX + g.code) !== null);
  }, []);
}

/** Where the report is posted (with the host secret in the body: never in a URL, a history or a server log). */
export function reportAction(code: string): string {
  return `/api/lobbies/${encodeURIComponent(code)}/report.csv`;
}

export interface Seat {
  token: string;
  nickname: string;
  /** The seat's key from its welcome: opens the seat on a restarted server, where the token means nothing. */
  seatKey?: string;
}

export function saveSeat(code: string, seat: Seat): void {
  safe(() => sessionStorage.setItem(SEAT_PREFIX + code, JSON.stringify(seat)), undefined);
}

export function seat(code: string): Seat | null {
  return safe(() => {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(SEAT_PREFIX + code) ?? 'null');
    const s = parsed as Partial<Seat> | null;
    if (!s || typeof s.token !== 'string' || typeof s.nickname !== 'string') return null;
    return { token: s.token, nickname: s.nickname, ...(typeof s.seatKey === 'string' ? { seatKey: s.seatKey } : {}) };
  }, null);
}

export function forgetSeat(code: string): void {
  safe(() => sessionStorage.removeItem(SEAT_PREFIX + code), undefined);
}

const DEVICE_KEY = 'latent-arena:device';

/** This browser's random id, sent when joining a class: a student the host removed stays out on this device too. */
export function deviceId(): string | undefined {
  return safe(() => {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id || !/^[0-9a-f]{32}$/.test(id)) {
      id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  }, undefined);
}
