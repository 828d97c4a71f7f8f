import { Client, type Room } from '@colyseus/sdk';
import type { Phase } from '../../shared/game/engine.ts';
import { DEFAULT_SETTINGS, gameSettingsSchema, type GameSettings } from '../../shared/game/settings.ts';
import { ERRORS, type ErrorCode, errorCodeFromNumber, type ErrorMessage } from '../../shared/protocol/errors.ts';
import { ROOM_NAME, type ServerMessages } from '../../shared/protocol/messages.ts';
import { GanDevice } from '../rounds/gan-device.ts';
import { GameState } from '../../shared/protocol/state.ts';
import { normalizeQuestion, normalizeReveal } from '../rounds/normalize.ts';
import { emptySnapshot, type GameSession, type HostControls, type SessionChannel, type Snapshot } from './game-session.ts';
import { SessionBase } from './session-base.ts';
import { serverUrl } from './server-api.ts';
import { deviceId, saveHostSecret, saveSeat } from './storage.ts';

type GameRoom = Room<unknown, GameState>;

/** A join that failed, with the sentence to show and the rule that refused it. */
export class JoinError extends Error {
  readonly code: string;
  constructor(error: ErrorMessage | { code: string; message: string }) {
    super(error.message);
    this.code = error.code;
  }
}

/** The matchmaker's own refusals travel as HTTP statuses (server/rooms/matchmaking-guard.ts). */
const HTTP_REFUSALS: Record<number, ErrorCode> = { 403: 'not_allowed', 429: 'too_many_requests', 503: 'server_full' };

function joinError(error: unknown): JoinError {
  if (error instanceof JoinError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'number' ? (HTTP_REFUSALS[e.code] ?? errorCodeFromNumber(e.code)) : null;
  if (code) return new JoinError({ code, message: typeof e.message === 'string' && e.message ? e.message : ERRORS[code] });
  // Colyseus' own refusals (room gone, seat expired) and network failures.
  if (typeof e?.code === 'number' && (e.code === 522 || e.code === 524 || e.code === 4212)) {
    return new JoinError({ code: 'no_such_lobby', message: ERRORS.no_such_lobby });
  }
  if (error instanceof TypeError || e?.code === undefined) {
    return new JoinError({ code: 'network', message: 'Cannot reach the game server. Check your network connection.' });
  }
  return new JoinError({ code: 'unknown', message: typeof e.message === 'string' && e.message ? e.message : 'Could not join.' });
}

/** The class server's room behind the GameSession interface. */
export class NetworkSession extends SessionBase implements GameSession {
  readonly mode = 'network' as const;
  readonly role: 'host' | 'player';
  readonly code: string;
  readonly playerId: string | null;
  readonly host: HostControls | null;
  readonly device: GanDevice;

  private room: GameRoom;
  private snap: Snapshot;
  /** Answers sent and not yet confirmed, by round: the server's 'answered' makes one this device's answer. */
  private readonly sent = new Map<number, unknown>();
  private answeredRound = -1;
  private lastPhaseKey = '';
  private closed = false;
  /** Host screens: students the host removed (the server's list). */
  private removedNames: string[] = [];
  private readonly nickname: string | null;

  /** Creates a new class and joins it as its host. */
  static async createAsHost(): Promise<NetworkSession> {
    const client = new Client(serverUrl());
    let room: GameRoom;
    try {
      room = await client.create(ROOM_NAME, { role: 'host', creationToken: creationToken() }, GameState);
    } catch (error) {
      throw joinError(error);
    }
    const [welcome] = await Promise.all([firstMessage(room, 'welcome'), firstState(room)]);
    if (!welcome.hostSecret) throw new JoinError({ code: 'unknown', message: 'The server did not make this browser the host.' });
    saveHostSecret(welcome.code, welcome.hostSecret);
    return new NetworkSession(room, 'host', welcome.code, null);
  }

  /** Comes back to a class this browser hosts (reload, or days later for the report). */
  static async rejoinAsHost(code: string, hostSecret: string): Promise<NetworkSession> {
    const client = new Client(serverUrl());
    try {
      const room = await client.joinById(code, { role: 'host', hostSecret }, GameState);
      const session = new NetworkSession(room, 'host', code, null);
      await firstState(room);
      return session;
    } catch (error) {
      throw joinError(error);
    }
  }

  static async joinAsPlayer(code: string, nickname: string): Promise<NetworkSession> {
    const client = new Client(serverUrl());
    try {
      const device = deviceId();
      const room = await client.joinById(code, { role: 'player', nickname, ...(device ? { device } : {}) }, GameState);
      const session = new NetworkSession(room, 'player', code, nickname);
      await firstState(room);
      return session;
    } catch (error) {
      throw joinError(error);
    }
  }

  /** Takes back a seat after a reload; the server keeps it for RECONNECT_SECONDS. */
  static async resumeSeat(code: string, token: string, nickname: string): Promise<NetworkSession> {
    const client = new Client(serverUrl());
    try {
      const room = await client.reconnect(token, GameState);
      const session = new NetworkSession(room, 'player', code, nickname);
      await firstState(room);
      return session;
    } catch (error) {
      throw joinError(error);
    }
  }

  private constructor(room: GameRoom, role: 'host' | 'player', code: string, nickname: string | null) {
    super();
    this.room = room;
    this.role = role;
    this.code = code;
    this.nickname = nickname;
    this.playerId = role === 'player' ? room.sessionId : null;
    this.snap = emptySnapshot(code, DEFAULT_SETTINGS);
    this.host = role === 'host' ? this.hostControls() : null;
    this.device = new GanDevice(this.channel());
    this.rememberSeat();
    this.listen();
    // A state object exists before the first patch; only a real one carries the code.
    if (room.state?.code) this.onState(room.state);
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  hasAnswered(): boolean {
    if (this.answeredRound === this.snap.round) return true;
    return this.snap.players.find((p) => p.id === this.playerId)?.answered ?? false;
  }

  answer(round: number, answer: unknown): void {
    this.sent.set(round, answer);
    this.room.send('answer', { round, answer });
  }

  rate(round: number, playerId: string, stars: number): void {
    if (this.memory.giveStars(round, playerId, stars)) this.room.send('rate', { round, playerId, stars });
  }

  starsGiven(playerId: string): number | undefined {
    return this.memory.starsGiven(playerId);
  }

  /** The room's messages, typed, for device services beside the game screens (the GAN device). */
  private channel(): SessionChannel {
    return {
      send: (type, payload) => this.room.send(type, payload),
      onMessage: (type, callback) => this.room.onMessage(type, callback),
    };
  }

  async leave(): Promise<void> {
    this.closed = true;
    this.device.stop();
    this.room.reconnection.enabled = false;
    this.events.clear();
    if (this.room.connection.isOpen) await this.room.leave(true).catch(() => undefined);
  }

  private hostControls(): HostControls {
    const send = (type: string, payload?: unknown) => this.room.send(type, payload ?? {});
    return {
      settings: (settings: GameSettings) => send('host:settings', settings),
      lock: (locked: boolean) => send('host:lock', { locked }),
      kick: (playerId: string) => send('host:kick', { playerId }),
      readmit: (nickname: string) => send('host:readmit', { nickname }),
      removed: () => [...this.removedNames],
      rename: (playerId: string, nickname: string) => send('host:rename', { playerId, nickname }),
      start: () => send('host:start'),
      pause: (paused: boolean) => send('host:pause', { paused }),
      skip: () => send('host:skip'),
      end: () => send('host:end'),
    };
  }

  private rememberSeat(): void {
    if (this.role === 'player' && this.nickname !== null && this.room.reconnectionToken) {
      saveSeat(this.code, { token: this.room.reconnectionToken, nickname: this.nickname });
    }
  }

  private listen(): void {
    const room = this.room;
    room.onStateChange((state) => this.onState(state));
    room.onMessage('welcome', () => this.rememberSeat());
    room.onMessage('question', (raw: ServerMessages['question']) => {
      const question = normalizeQuestion(raw);
      this.memory.setQuestion(question);
      this.countdown.set(raw.remainingMs, raw.durationMs, this.snap.paused);
      this.events.emit('question', question);
    });
    room.onMessage('answered', (payload: ServerMessages['answered']) => {
      this.answeredRound = payload.round;
      if (this.sent.has(payload.round)) this.memory.setAnswer(payload.round, this.sent.get(payload.round));
      this.sent.clear();
      this.events.emit('answered', payload);
    });
    room.onMessage('reveal', (raw: ServerMessages['reveal']) => {
      const reveal = normalizeReveal(raw);
      this.memory.setReveal(reveal);
      this.events.emit('reveal', reveal);
    });
    room.onMessage('ratings', (ratings: ServerMessages['ratings']) => {
      this.memory.setRatings(ratings);
      this.events.emit('ratings', ratings);
    });
    room.onMessage('error', (error: ServerMessages['error']) => this.events.emit('error', error));
    room.onMessage('removed', (payload: ServerMessages['removed']) => {
      this.removedNames = Array.isArray(payload?.nicknames) ? payload.nicknames.filter((n) => typeof n === 'string') : [];
      this.events.emit('removed', { nicknames: [...this.removedNames] });
    });
    room.onMessage('kicked', (payload: ServerMessages['kicked']) => {
      this.closed = true;
      room.reconnection.enabled = false;
      this.events.emit('kicked', payload);
    });
    room.onDrop(() => {
      if (!this.closed) this.events.emit('connection', { status: 'reconnecting' });
    });
    room.onReconnect(() => {
      this.rememberSeat();
      this.events.emit('connection', { status: 'connected' });
    });
    room.onLeave((code) => {
      if (this.closed) return;
      this.closed = true;
      const message = code === 4001 ? 'The game server shut down.' : 'The connection to the class was lost.';
      this.events.emit('connection', { status: 'closed', message });
    });
    room.onError((_code, message) => this.events.emit('error', { code: 'bad_message', message: message ?? 'Connection error.' }));
  }

  private onState(state: GameState): void {
    const players = [...state.players.values()].map((p) => ({
      id: p.id,
      nickname: p.nickname,
      score: p.score,
      lastPoints: p.lastPoints,
      rank: p.rank,
      connected: p.connected,
      answered: p.answered,
    }));
    const parsed = gameSettingsSchema.safeParse(safeJson(state.settings));
    this.snap = {
      code: state.code || this.code,
      phase: (state.phase || 'lobby') as Phase,
      paused: state.paused,
      locked: state.locked,
      hostConnected: state.hostConnected,
      round: state.round,
      totalRounds: state.totalRounds,
      roundType: state.roundType,
      phaseMs: state.phaseMs,
      secondsLeft: state.secondsLeft,
      answeredCount: state.answeredCount,
      answering: state.answering,
      maxPlayers: state.maxPlayers,
      settings: parsed.success ? parsed.data : this.snap.settings,
      players,
    };
    this.followClock();
    this.events.emit('state', this.snap);
  }

  /** The server sends the phase's length and whole seconds left; the countdown interpolates between them. */
  private followClock(): void {
    const { phase, round, phaseMs, secondsLeft, paused } = this.snap;
    const key = `${phase}:${round}:${phaseMs}`;
    if (key !== this.lastPhaseKey) {
      this.lastPhaseKey = key;
      // The question message carries the exact time left; it set the countdown already.
      if (phase !== 'question' || !this.currentQuestion()) this.countdown.set(Math.min(phaseMs, secondsLeft * 1000), phaseMs, paused);
    }
    this.countdown.syncSeconds(secondsLeft, paused);
  }
}

/** The one-time key to a new lobby's host seat: only this browser ever holds it. */
function creationToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Screens render from the replicated state; until the first patch they would show an empty
 * lobby (and a host screen would even send its default playlist). Sessions are handed out
 * only once it is there. The session is constructed first, so messages sent on join (the
 * open question) are not missed while waiting.
 */
function firstState(room: GameRoom, timeoutMs = 10_000): Promise<void> {
  if (room.state?.code) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new JoinError({ code: 'network', message: 'The game server did not answer in time.' })), timeoutMs);
    room.onStateChange.once(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function firstMessage<K extends keyof ServerMessages>(room: GameRoom, type: K, timeoutMs = 10_000): Promise<ServerMessages[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new JoinError({ code: 'network', message: 'The game server did not answer in time.' }));
    }, timeoutMs);
    const off = room.onMessage(type as string, (payload: ServerMessages[K]) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
