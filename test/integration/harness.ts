import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { ServerConfig } from '../../server/config.ts';
import type { ServerMessages } from '../../shared/protocol/messages.ts';
import { GameState } from '../../shared/protocol/state.ts';

export type GameRoom = Room<unknown, GameState>;

export interface Harness {
  server: RunningServer;
  dataDir: string;
  client(): Client;
  host(): Promise<{ room: GameRoom; code: string; hostSecret: string }>;
  join(code: string, nickname: string): Promise<GameRoom>;
  stop(keepData?: boolean): Promise<void>;
}

/** A real server on an ephemeral port with a throw-away database. */
export async function startHarness(overrides: Partial<ServerConfig> = {}, dataDir?: string): Promise<Harness> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'latent-arena-it-'));
  const server = await startServer({ port: 0, dataDir: dir, quiet: true, ...overrides });
  const rooms: GameRoom[] = [];
  const track = (room: GameRoom) => {
    rooms.push(room);
    // Tests wait for messages one at a time; these keep the SDK from warning about the rest.
    for (const type of ['welcome', 'question', 'answered', 'reveal', 'series', 'error', 'kicked', 'removed']) room.onMessage(type, () => undefined);
    return room;
  };
  return {
    server,
    dataDir: dir,
    client: () => new Client(server.url),
    async host() {
      const client = new Client(server.url);
      const room = track(await client.create('class', { role: 'host', creationToken: randomBytes(18).toString('base64url') }, GameState));
      const welcome = await nextMessage(room, 'welcome');
      return { room, code: welcome.code, hostSecret: welcome.hostSecret! };
    },
    async join(code, nickname) {
      const room = track(await new Client(server.url).joinById(code, { role: 'player', nickname }, GameState));
      await nextMessage(room, 'welcome');
      return room;
    },
    async stop(keepData = false) {
      for (const room of rooms) {
        room.reconnection.enabled = false;
        if (room.connection.isOpen) await room.leave(true).catch(() => undefined);
      }
      await server.close();
      if (!keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves with the next message of a type. Call it BEFORE the action that causes the
 * message, or the message may arrive first and the wait never ends.
 */
export function nextMessage<K extends keyof ServerMessages>(room: GameRoom, type: K, timeoutMs = 10_000): Promise<ServerMessages[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = room.onMessage(type as string, (payload: ServerMessages[K]) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Resolves once the replicated state satisfies `predicate` (checked on every patch). */
export function stateWhere(room: GameRoom, predicate: (s: GameState) => boolean, timeoutMs = 10_000): Promise<GameState> {
  return new Promise((resolve, reject) => {
    if (room.state && predicate(room.state)) return resolve(room.state);
    const timer = setTimeout(() => {
      room.onStateChange.remove(check);
      reject(new Error(`state condition not met within ${timeoutMs} ms (phase ${room.state?.phase})`));
    }, timeoutMs);
    const check = (s: GameState) => {
      if (!predicate(s)) return;
      clearTimeout(timer);
      room.onStateChange.remove(check);
      resolve(s);
    };
    room.onStateChange(check);
  });
}

/** Collects every message a room receives, to prove what it never received. */
export function recordMessages(room: GameRoom): { type: string; payload: unknown }[] {
  const log: { type: string; payload: unknown }[] = [];
  // Wrap the SDK's dispatcher: it sees every message, handled or not.
  const target = room as unknown as { dispatchMessage(type: string | number, message: unknown): void };
  const dispatch = target.dispatchMessage.bind(target);
  target.dispatchMessage = (type, message) => {
    log.push({ type: String(type), payload: message });
    dispatch(type, message);
  };
  return log;
}

export async function expectJoinRefused(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('join was expected to be refused');
}

/** The report as the host's page asks for it: a form post with the host secret in the body. */
export function fetchReport(serverUrl: string, code: string, key: string): Promise<Response> {
  return fetch(`${serverUrl}/api/lobbies/${code}/report.csv`, { method: 'POST', body: new URLSearchParams({ key }) });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every key anywhere in a payload: a leaked label or recipe would show up here. */
export function keysOf(value: unknown, out = new Set<string>()): Set<string> {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}
