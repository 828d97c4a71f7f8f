import { Client, type Room } from '@colyseus/sdk';
import type { Phase } from '../../shared/game/engine.ts';
import { DEFAULT_SETTINGS, gameSettingsSchema, type GameSettings } from '../../shared/game/settings.ts';
import { ERRORS, type ErrorCode, errorCodeFromNumber, type ErrorMessage } from '../../shared/protocol/errors.ts';
import { ROOM_NAME, type ServerMessages } from '../../shared/protocol/messages.ts';
import { GanDevice } from '../rounds/gan-device.ts';
import type { AdversaryRound } from '../../shared/rounds/adversary.ts';
import { GameState } from '../../shared/protocol/state.ts';
import { normalizeQuestion, normalizeReveal } from '../rounds/normalize.ts';
import { emptySnapshot, type GameSession, type HostControls, type SessionChannel, type Snapshot } from './game-session.ts';
import { SessionBase } from './session-base.ts';
import { serverUrl } from './server-api.ts';
import { deviceId, hostSecret, saveHostSecret, saveSeat, type Seat } from './storage.ts';

type GameRoom = Room<unknown, GameState>;

/**
 * When the server process is gone (a crash, kill -9, a restart), the SDK's own reconnection
 * gives up: the new process holds no reservation for the old connection. The page then joins
 * the same code again as what it was (the host with its secret, a student with the seat key
 * from their welcome) every REJOIN_EVERY_MS until REJOIN_FOR_MS have passed.
 */
const REJOIN_EVERY_MS = 2_000;
const REJOIN_FOR_MS = 5 * 60_000;
/** A code the server keeps refusing as unknown this many times in a row has ended (a restored lobby is back at once). */
const REJOIN_UNKNOWN_TRIES = 6;
/** Refusals a later try cannot change. */
const FINAL_REFUSALS = new Set<string>(['removed_by_host', 'bad_host_secret', 'game_over', 'lobby_locked', 'lobby_full', 'not_allowed']);

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
  readonly host: HostControls | null;
  readonly device: GanDevice;

  private room: GameRoom;
  private snap: Snapshot;
  /** Answers sent and not yet confirmed, by round: the server's 'answered' makes one this device's answer. */
  private readonly sent = new Map<number, unknown>();
  private answeredRound = -1;
  private lastPhaseKey = '';
  private closed = false;
  /** Between a lost connection and the next one: the SDK's failed attempts are not errors to show. */
  private dropped = false;
  /** Host screens: students the host removed (the server's list). */
  private removedNames: string[] = [];
  private readonly nickname: string | null;
  private playerIdNow: string | null;
  /** This seat's key from its welcome: takes the seat back on a new connection after a restart. */
  private seatKey: string | null;
  /** Device services' message handlers, attached again to the room that replaces a lost one. */
  private readonly deviceHandlers = new Set<{ type: string; callback: (payload: never) => void; off: () => void }>();

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
      const room = await client.joinById(code, playerOptions(nickname), GameState);
      const session = new NetworkSession(room, 'player', code, nickname);
      await firstState(room);
      return session;
    } catch (error) {
      throw joinError(error);
    }
  }

  /** Takes back a seat after a reload; the server keeps it for RECONNECT_SECONDS (across a restart, by its key). */
  static async resumeSeat(code: string, seat: Seat): Promise<NetworkSession> {
    const client = new Client(serverUrl());
    try {
      const room = await client.reconnect(seat.token, GameState);
      const session = new NetworkSession(room, 'player', code, seat.nickname, seat.seatKey);
      await firstState(room);
      return session;
    } catch (error) {
      // The server that held the reservation is gone: the seat key opens the seat on the new one.
      if (!seat.seatKey) throw joinError(error);
    }
    try {
      const room = await new Client(serverUrl()).joinById(code, playerOptions(seat.nickname, seat.seatKey), GameState);
      const session = new NetworkSession(room, 'player', code, seat.nickname, seat.seatKey);
      await firstState(room);
      return session;
    } catch (error) {
      throw joinError(error);
    }
  }

  private constructor(room: GameRoom, role: 'host' | 'player', code: string, nickname: string | null, seatKey: string | null = null) {
    super();
    this.room = room;
    this.role = role;
    this.code = code;
    this.nickname = nickname;
    this.seatKey = seatKey;
    this.playerIdNow = role === 'player' ? room.sessionId : null;
    this.snap = emptySnapshot(code, DEFAULT_SETTINGS);
    this.host = role === 'host' ? this.hostControls() : null;
    this.device = new GanDevice(this.channel());
    this.rememberSeat();
    this.listen();
    // A state object exists before the first patch; only a real one carries the code.
    if (room.state?.code) this.onState(room.state);
  }

  get playerId(): string | null {
    return this.playerIdNow;
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
      onMessage: (type, callback) => {
        const handler = { type: type as string, callback: callback as (payload: never) => void, off: this.room.onMessage(type, callback) };
        this.deviceHandlers.add(handler);
        return () => {
          handler.off();
          this.deviceHandlers.delete(handler);
        };
      },
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
      saveSeat(this.code, { token: this.room.reconnectionToken, nickname: this.nickname, ...(this.seatKey ? { seatKey: this.seatKey } : {}) });
    }
  }

  /** The server process is gone: join the same code again as what this page was, until it answers. */
  private async rejoin(): Promise<void> {
    this.dropped = true;
    this.events.emit('connection', { status: 'reconnecting' });
    const deadline = Date.now() + REJOIN_FOR_MS;
    let unknown = 0;
    let last = 'The connection to the class was lost.';
    while (!this.closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, REJOIN_EVERY_MS));
      if (this.closed) return;
      try {
        const options = this.role === 'host' ? { role: 'host' as const, hostSecret: hostSecret(this.code) ?? '' } : playerOptions(this.nickname ?? '', this.seatKey ?? undefined);
        const room = await new Client(serverUrl()).joinById(this.code, options, GameState);
        if (this.closed) return void room.leave(true);
        this.adopt(room);
        return;
      } catch (error) {
        const refused = joinError(error);
        last = refused.message;
        if (FINAL_REFUSALS.has(refused.code)) break;
        unknown = refused.code === 'no_such_lobby' ? unknown + 1 : 0;
        if (unknown >= REJOIN_UNKNOWN_TRIES) break;
      }
    }
    if (this.closed) return;
    this.closed = true;
    this.events.emit('connection', { status: 'closed', message: last });
  }

  /** A new room for this class in place of the lost one: listeners, device handlers and unconfirmed answers move over. */
  private adopt(room: GameRoom): void {
    this.room = room;
    this.dropped = false;
    if (this.role === 'player') this.playerIdNow = room.sessionId;
    this.lastPhaseKey = '';
    this.listen();
    for (const handler of this.deviceHandlers) handler.off = room.onMessage(handler.type, handler.callback);
    this.rememberSeat();
    const resend = () => {
      const answer = this.sent.get(this.snap.round);
      const me = this.snap.players.find((p) => p.id === this.playerIdNow);
      if (answer !== undefined && this.snap.phase === 'question' && me && !me.answered) this.room.send('answer', { round: this.snap.round, answer });
    };
    if (room.state?.code) {
      this.onState(room.state);
      resend();
    } else room.onStateChange.once(resend);
    this.events.emit('connection', { status: 'connected' });
  }

  private listen(): void {
    const room = this.room;
    room.onStateChange((state) => this.onState(state));
    room.onMessage('welcome', (welcome: ServerMessages['welcome']) => {
      if (welcome.seatKey) this.seatKey = welcome.seatKey;
      if (welcome.playerId) this.playerIdNow = welcome.playerId;
      this.rememberSeat();
    });
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
    room.onMessage('series', (payload: ServerMessages['series']) => {
      const history = payload?.['spot-fake'];
      if (!Array.isArray(history)) return;
      this.memory.restoreSeries(history as AdversaryRound[], this.snap.players.length);
      const series = this.memory.minimaxSeries();
      if (series) this.events.emit('series', series);
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
      this.dropped = true;
      if (!this.closed) this.events.emit('connection', { status: 'reconnecting' });
    });
    room.onReconnect(() => {
      this.dropped = false;
      this.rememberSeat();
      this.events.emit('connection', { status: 'connected' });
    });
    room.onLeave(() => {
      if (this.closed || room !== this.room) return;
      void this.rejoin();
    });
    room.onError((_code, message) => {
      if (!this.dropped && room === this.room) this.events.emit('error', { code: 'bad_message', message: message ?? 'Connection error.' });
    });
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

/** A student's join: their nickname, this browser's id (a removed student stays out on it), and their seat key when coming back. */
function playerOptions(nickname: string, seatKey?: string) {
  const device = deviceId();
  return { role: 'player' as const, nickname, ...(device ? { device } : {}), ...(seatKey ? { seatKey } : {}) };
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
