import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_MAX_PLAYERS, RECONNECT_SECONDS } from '../shared/game/lobby-rules.ts';

/** Everything the server can be told; each has a default so `npm start` needs nothing. */
export interface ServerConfig {
  port: number;
  /** Where the SQLite results database lives (git-ignored). */
  dataDir: string;
  maxPlayers: number;
  /** The base URL students open (for the QR code); guessed from the LAN address when unset. */
  publicUrl: string | null;
  /** The built client (Vite output). */
  clientDir: string;
  quiet: boolean;
  /** How long a render worker has for a round's fakes before the server renders them. */
  renderDeadlineMs: number;
  generatorPickMs: number;
  /** The trained weights the server renders with (tests point it elsewhere to make rendering fail). */
  weightsDir: string;
  /** New lobbies one address may create per minute. */
  lobbyCreatesPerMinute: number;
  /** Code look-ups, joins and reconnections one address may make per minute (a class behind one NAT shares it). */
  joinsPerMinute: number;
  /** Live lobbies this process runs at most. */
  maxLobbies: number;
  /** How long a dropped student's seat, score and nickname wait for them. */
  reconnectSeconds: number;
  /** How long a device dropped for flooding must wait before it may take its seat back. */
  floodCooldownMs: number;
}

const root = resolve(import.meta.dirname, '..');

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: intFrom(env.PORT, 2567),
    dataDir: env.LATENT_ARENA_DATA ?? resolve(root, 'data'),
    maxPlayers: intFrom(env.MAX_PLAYERS, DEFAULT_MAX_PLAYERS),
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, '') || null,
    clientDir: env.CLIENT_DIR ?? resolve(root, 'dist/client'),
    quiet: env.QUIET === '1',
    renderDeadlineMs: intFrom(env.RENDER_DEADLINE_MS, 8_000),
    generatorPickMs: intFrom(env.GENERATOR_PICK_MS, 20_000),
    weightsDir: resolve(root, 'models/weights'),
    lobbyCreatesPerMinute: intFrom(env.LOBBY_CREATES_PER_MINUTE, 10),
    joinsPerMinute: intFrom(env.JOINS_PER_MINUTE, 600),
    maxLobbies: intFrom(env.MAX_LOBBIES, 100),
    reconnectSeconds: intFrom(env.RECONNECT_SECONDS, RECONNECT_SECONDS),
    floodCooldownMs: intFrom(env.FLOOD_COOLDOWN_MS, 10_000),
  };
}

function intFrom(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected a whole number, got "${value}"`);
  return n;
}

/** A classroom's phones cannot reach "localhost": prefer the machine's LAN address. */
export function guessJoinBaseUrl(port: number): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return `http://${a.address}:${port}`;
    }
  }
  return `http://localhost:${port}`;
}

export const PROJECT_ROOT = root;
