import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { CloseCode, Room, ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import { generateJoinCode } from '../../shared/game/lobby-rules.ts';
import { Match, type MatchEvents, type MatchPorts } from '../../shared/game/match.ts';
import { DEFAULT_SETTINGS } from '../../shared/game/settings.ts';
import { lookAlikeKey } from '../../shared/game/nickname.ts';
import { ERRORS, errorNumber, GameError, type ErrorCode } from '../../shared/protocol/errors.ts';
import {
  CLIENT_MESSAGES,
  joinOptionsSchema,
  MAX_MESSAGES_PER_SECOND,
  type ClientMessage,
  type ClientMessageType,
  type JoinOptions,
  type ServerMessages,
} from '../../shared/protocol/messages.ts';
import { GameState, PlayerState } from '../../shared/protocol/state.ts';
import { FakeStudio } from './fake-studio.ts';
import { lobbyRegistry, type LobbyInfo } from './lobby-registry.ts';
import { roomContext, type RoomContext } from './room-context.ts';
import { secretSource } from './secret-draws.ts';

/** A lobby nobody is connected to is closed after this long (its results stay stored). */
const IDLE_DISPOSE_MS = 30 * 60_000;
const IDLE_CHECK_MS = 10_000;
/** Beyond the generator picks and the worker's deadline, how long the server may take to render a round's fakes itself. */
const SERVER_RENDER_ALLOWANCE_MS = 150_000;
/**
 * Colyseus's client limit beyond twice the seats: host screens and seats reserved over HTTP
 * but not yet connected (about 80 per address within one reservation window at the default
 * join rate), so unused reservations cannot lock a class. Students are counted by
 * `onAuth`/`onJoin` (connected ones only), not by this limit.
 */
const EXTRA_CLIENTS = 200;
/** A seat reserved over HTTP but never connected is given back after this long (Colyseus's default is 15 s). */
const SEAT_RESERVATION_S = 8;

type Role = 'host' | 'player';
/** Colyseus's per-client message counter (set on the transport's client). */
type FloodCounted = Client & { _numMessagesLastSecond?: number };
interface ClientData {
  role: Role;
}

/** One handler per client message, given the message already validated against CLIENT_MESSAGES. */
type MessageHandlers = { [K in ClientMessageType]: (client: Client, message: ClientMessage<K>) => void };

/**
 * One class on the network: seats, the host's secret, replication and storage around the
 * shared Match (shared/game/match.ts), which owns the phases and their clock. This room
 * turns messages into Match calls and Match events into state and messages. Truths live
 * in the engine until the reveal; clients only ever get the question payload.
 */
export class ClassRoom extends Room<{ state: GameState }> {
  override maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND;
  override autoDispose = false;
  override state = new GameState();

  private ctx!: RoomContext;
  private match!: Match;
  private hostSecret = '';
  /** The creating browser's one-time key to the host seat; spent when the host first joins. */
  private creationToken = '';
  private hostClaimed = false;
  private readonly hostSessions = new Set<string>();
  private readonly kicked = new Set<string>();
  /** Students the host removed, by look-alike key of their name: their name and device stay out until readmitted. */
  private readonly removed = new Map<string, { nickname: string; device: string | null }>();
  /** Each student's device id as given at join. */
  private readonly devices = new Map<string, string>();
  /** Seats dropped for flooding, and when they may reconnect. */
  private readonly floodedUntil = new Map<string, number>();
  private idleSince: number | null = null;
  private studio!: FakeStudio;
  private disposed = false;

  /**
   * Every client message. Validation happens in `dispatch`, not through Colyseus's
   * `validate()`: that drops the client on a bad payload, where a class needs a clear
   * `error` reply that changes nothing.
   */
  private readonly handlers: MessageHandlers = {
    answer: (client, { round, answer }) => this.asPlayer(client, () => this.match.answer(client.sessionId, round, answer)),
    rate: (client, { round, playerId, stars }) => this.asPlayer(client, () => this.match.rate(client.sessionId, round, playerId, stars)),
    'host:settings': (_client, settings) => this.match.configure(settings),
    'host:lock': (_client, { locked }) => {
      this.state.locked = locked;
    },
    'host:kick': (_client, { playerId }) => this.kick(playerId),
    'host:readmit': (_client, { nickname }) => {
      if (!this.removed.delete(lookAlikeKey(nickname))) throw new GameError('no_such_player', 'Nobody was removed under that name.');
      this.sendRemoved();
    },
    'host:rename': (_client, { playerId, nickname }) => {
      const player = this.state.players.get(playerId);
      if (!player) throw new GameError('no_such_player');
      player.nickname = this.match.rename(playerId, nickname);
    },
    'host:start': () => this.match.start(),
    'host:pause': (_client, { paused }) => this.match.pause(paused),
    'host:skip': () => this.match.skip(),
    'host:end': () => this.match.end(),
    'render:ready': (client, offer) => this.studio.offer(client.sessionId, offer),
    'render:result': (client, { jobId, pixels }) => this.studio.upload(client.sessionId, jobId, pixels),
    'gen:pick': (client, { slot, candidate }) => this.studio.pick(client.sessionId, slot, candidate),
  };

  override messages = {
    ...Object.fromEntries((Object.keys(CLIENT_MESSAGES) as ClientMessageType[]).map((type) => [type, (client: Client, payload: unknown) => this.dispatch(client, type, payload)])),
    // Colyseus routes every message type without a handler here.
    _: (client: Client) => this.sendError(client, 'unknown_message'),
  };

  override onCreate(rawOptions: unknown): void {
    const options = joinOptionsSchema.safeParse(rawOptions);
    // Over HTTP (the matchmaker's create), so an HTTP status rather than a join refusal number.
    if (!options.success || options.data.role !== 'host' || !options.data.creationToken) throw new ServerError(400, 'A class is created by a host screen.');
    this.creationToken = options.data.creationToken;
    this.ctx = roomContext();
    const code = this.uniqueCode();
    this.roomId = code;
    // Reachable only by its code: never listed, never picked by join/joinOrCreate.
    void this.setPrivate(true);
    this.hostSecret = randomBytes(24).toString('base64url');
    this.ctx.store.createGame(code, this.hostSecret, DEFAULT_SETTINGS);
    // Dropped students keep their seats for reconnection beyond the connected cap, so Colyseus's own limit sits well above it.
    this.maxClients = 2 * this.ctx.maxPlayers + EXTRA_CLIENTS;
    this.seatReservationTimeout = SEAT_RESERVATION_S;
    this.studio = new FakeStudio({
      clock: this.clock,
      ctx: this.ctx,
      hostSessions: this.hostSessions,
      client: (id) => this.clients.getById(id),
      send: (client, type, payload) => this.sendTo(client, type, payload),
      players: () => [...this.state.players.values()].map((p) => ({ id: p.id, connected: p.connected })),
    });
    this.match = new Match(DEFAULT_SETTINGS, secretSource, this.matchPorts(code), {
      prepareLimitMs: this.ctx.generatorPickMs + this.ctx.renderDeadlineMs + SERVER_RENDER_ALLOWANCE_MS,
    });
    Object.assign(this.state, { code, locked: false, hostConnected: false, maxPlayers: this.ctx.maxPlayers });
    this.showStatus(this.match.status);
    this.clock.setInterval(() => this.checkIdle(), IDLE_CHECK_MS);
    lobbyRegistry.add(code, { info: () => this.info() });
    this.ctx.log.info({ code }, 'lobby created');
  }

  override onAuth(_client: Client, rawOptions: unknown): boolean {
    const parsed = joinOptionsSchema.safeParse(rawOptions);
    if (!parsed.success) throw refuse('bad_message', 'Join options not understood.');
    const options: JoinOptions = parsed.data;
    if (options.role === 'host') {
      // The creator, joining right after onCreate, holds the creation token; later, the host secret.
      const key = this.hostClaimed ? this.hostSecret : this.creationToken;
      const given = (this.hostClaimed ? options.hostSecret : options.creationToken) ?? '';
      if (!sameSecret(given, key)) throw refuse('bad_host_secret');
      return true;
    }
    if (this.match.phase === 'podium') throw refuse('game_over');
    if (this.state.locked) throw refuse('lobby_locked');
    if (this.isRemoved(options.nickname, options.device)) throw refuse('removed_by_host');
    if (this.connectedPlayers() >= this.ctx.maxPlayers) throw refuse('lobby_full');
    try {
      this.match.admissibleName(options.nickname);
    } catch (error) {
      if (error instanceof GameError) throw refuse(error.code, error.message);
      throw error;
    }
    return true;
  }

  override onJoin(client: Client<{ userData: ClientData }>, options: JoinOptions): void {
    this.idleSince = null;
    if (options.role === 'host') {
      this.hostClaimed = true;
      this.creationToken = '';
      client.userData = { role: 'host' };
      this.hostSessions.add(client.sessionId);
      this.state.hostConnected = true;
      this.sendTo(client, 'welcome', { role: 'host', code: this.state.code, hostSecret: this.hostSecret });
    } else {
      let nickname: string;
      try {
        // onAuth checked these, but joins can race between onAuth and onJoin.
        if (this.connectedPlayers() >= this.ctx.maxPlayers) throw new GameError('lobby_full');
        nickname = this.match.addPlayer(client.sessionId, options.nickname);
      } catch (error) {
        if (error instanceof GameError) throw refuse(error.code, error.message);
        throw error;
      }
      client.userData = { role: 'player' };
      if (options.device) this.devices.set(client.sessionId, options.device);
      const player = new PlayerState();
      Object.assign(player, { id: client.sessionId, nickname, score: 0, lastPoints: 0, rank: 0, connected: true, answered: false });
      this.state.players.set(client.sessionId, player);
      this.sendTo(client, 'welcome', { role: 'player', code: this.state.code, playerId: client.sessionId });
      this.ctx.log.info({ code: this.state.code, nickname }, 'player joined');
    }
    this.catchUp(client);
  }

  override onDrop(client: Client<{ userData: ClientData }>, code?: number): void {
    this.studio.lost(client.sessionId);
    if (this.kicked.has(client.sessionId)) return;
    // Colyseus closes a client over maxMessagesPerSecond with WITH_ERROR; its seat stays, but not at once.
    if (code === CloseCode.WITH_ERROR && ((client as FloodCounted)._numMessagesLastSecond ?? 0) > this.maxMessagesPerSecond) {
      this.floodedUntil.set(client.sessionId, Date.now() + this.ctx.floodCooldownMs);
      this.ctx.log.warn({ code: this.state.code }, 'client dropped for flooding');
    }
    this.setConnected(client, false);
    // The framework calls onLeave if the seat is not reclaimed in time.
    // It rejects when the seat expires or the room shuts down; both are normal here.
    Promise.resolve(this.allowReconnection(client, this.ctx.reconnectSeconds)).catch(() => undefined);
  }

  /** The door a reconnecting socket passes (its seat and token): shut for a while after a flood. */
  override hasReservedSeat(sessionId: string, reconnectionToken?: string): boolean {
    const until = this.floodedUntil.get(sessionId);
    if (until !== undefined && reconnectionToken !== undefined) {
      if (Date.now() < until) return false;
      this.floodedUntil.delete(sessionId);
    }
    return super.hasReservedSeat(sessionId, reconnectionToken);
  }

  override onReconnect(client: Client<{ userData: ClientData }>): void {
    this.idleSince = null;
    this.setConnected(client, true);
    this.catchUp(client);
  }

  override onLeave(client: Client<{ userData: ClientData }>): void {
    this.studio.lost(client.sessionId);
    if (client.userData?.role === 'host') {
      this.hostSessions.delete(client.sessionId);
      this.state.hostConnected = this.hostSessions.size > 0;
      return;
    }
    // On the podium a departed player still earned their place.
    if (this.match.phase === 'podium') {
      this.setConnected(client, false);
      return;
    }
    this.removePlayer(client.sessionId);
  }

  override onDispose(): void {
    this.disposed = true;
    if (!this.studio) return; // onCreate refused the lobby before it existed
    this.studio.cancel();
    lobbyRegistry.remove(this.state.code);
    this.ctx.log.info({ code: this.state.code }, 'lobby closed');
  }

  private info(): LobbyInfo {
    return {
      code: this.state.code,
      locked: this.state.locked,
      full: this.connectedPlayers() >= this.ctx.maxPlayers,
      players: this.match.playerCount,
      maxPlayers: this.ctx.maxPlayers,
      phase: this.match.phase,
    };
  }

  // ---- the match's ports --------------------------------------------------------------

  private matchPorts(code: string): MatchPorts {
    const store = this.ctx.store;
    return {
      clock: {
        now: () => performance.now(),
        after: (ms, callback) => {
          const timer = this.clock.setTimeout(callback, ms);
          return () => timer.clear();
        },
        every: (ms, callback) => {
          const timer = this.clock.setInterval(callback, ms);
          return () => timer.clear();
        },
      },
      makeFakes: (order) => this.studio.make(order),
      hurryFakes: () => this.studio.cancel(),
      opponents: () => this.ctx.models,
      store: {
        recordResults: (rows) => store.recordResults(code, rows),
        updateResults: (rows) => store.updateResults(code, rows),
        updateSettings: (settings) => store.updateSettings(code, settings),
        endGame: () => store.endGame(code),
      },
      emit: (type, payload) => {
        if (!this.disposed) this.onMatchEvent(type, payload);
      },
      warn: (message, err) => this.ctx.log.warn({ err, code }, message),
    };
  }

  private onMatchEvent<K extends keyof MatchEvents>(type: K, payload: MatchEvents[K]): void {
    const event = { type, payload } as { [T in keyof MatchEvents]: { type: T; payload: MatchEvents[T] } }[keyof MatchEvents];
    switch (event.type) {
      case 'status':
        return this.showStatus(event.payload);
      case 'question':
        for (const player of this.state.players.values()) player.answered = false;
        for (const client of this.clients) this.sendQuestion(client);
        return;
      case 'answered': {
        const player = this.state.players.get(event.payload.playerId);
        if (player) player.answered = true;
        const client = this.clients.getById(event.payload.playerId);
        if (client) this.sendTo(client, 'answered', { round: event.payload.round });
        return;
      }
      case 'reveal':
        return this.broadcast('reveal', event.payload);
      case 'ratings':
        return this.broadcast('ratings', event.payload);
      case 'scores':
        for (const s of event.payload) {
          const player = this.state.players.get(s.id);
          if (player) Object.assign(player, { score: s.score, lastPoints: s.lastPoints, rank: s.rank });
        }
        return;
      case 'failed':
        for (const client of this.clients) if (this.hostSessions.has(client.sessionId)) this.sendError(client, 'render_failed');
        return;
    }
  }

  private showStatus(status: MatchEvents['status']): void {
    Object.assign(this.state, {
      phase: status.phase,
      paused: status.paused,
      round: status.round,
      totalRounds: status.totalRounds,
      roundType: status.roundType,
      phaseMs: status.phaseMs,
      secondsLeft: status.secondsLeft,
      answeredCount: status.answeredCount,
      answering: status.answering,
    });
    const settings = JSON.stringify(status.settings);
    if (settings !== this.state.settings) this.state.settings = settings;
  }

  // ---- messages -------------------------------------------------------------------

  private dispatch<K extends ClientMessageType>(client: Client, type: K, payload: unknown): void {
    try {
      const schema: z.ZodType = CLIENT_MESSAGES[type];
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw new GameError('bad_message', `"${type}" message not understood.`);
      if (type.startsWith('host:') && !this.hostSessions.has(client.sessionId)) throw new GameError('not_host');
      this.handlers[type](client, parsed.data as ClientMessage<K>);
    } catch (error) {
      if (error instanceof GameError) this.sendError(client, error.code, error.message);
      else {
        this.ctx.log.error({ err: error, type }, 'message handler failed');
        this.sendError(client, 'bad_message');
      }
    }
  }

  /** Answers and ratings come from players' seats only, never from a host screen. */
  private asPlayer(client: Client, action: () => void): void {
    if (this.hostSessions.has(client.sessionId)) throw new GameError('no_player');
    action();
  }

  private kick(playerId: string): void {
    if (!this.match.hasPlayer(playerId)) throw new GameError('no_such_player');
    const target = this.clients.getById(playerId);
    const nickname = this.state.players.get(playerId)?.nickname ?? '';
    this.kicked.add(playerId);
    this.removed.set(lookAlikeKey(nickname), { nickname, device: this.devices.get(playerId) ?? null });
    this.removePlayer(playerId);
    this.sendRemoved();
    if (target) {
      this.sendTo(target, 'kicked', { message: 'The host removed you from this class.' });
      target.leave(CloseCode.CONSENTED);
    }
  }

  private isRemoved(nickname: string, device: string | undefined): boolean {
    if (this.removed.has(lookAlikeKey(nickname.trim()))) return true;
    return device !== undefined && [...this.removed.values()].some((r) => r.device === device);
  }

  private sendRemoved(client?: Client): void {
    const payload = { nicknames: [...this.removed.values()].map((r) => r.nickname) };
    const hosts = client ? [client] : this.clients.filter((c) => this.hostSessions.has(c.sessionId));
    for (const host of hosts) this.sendTo(host, 'removed', payload);
  }

  /** Students connected now: dropped seats waiting for reconnection do not make a class full. */
  private connectedPlayers(): number {
    let n = 0;
    for (const p of this.state.players.values()) if (p.connected) n += 1;
    return n;
  }

  // ---- helpers ----------------------------------------------------------------------

  private checkIdle(): void {
    if (this.clients.length > 0) return;
    this.idleSince ??= Date.now();
    if (Date.now() - this.idleSince > IDLE_DISPOSE_MS) void this.disconnect();
  }

  private sendQuestion(client: Client): void {
    const question = this.match.questionFor(this.hostSessions.has(client.sessionId) ? undefined : client.sessionId);
    if (question) this.sendTo(client, 'question', question);
  }

  /** Sends a client who (re)joins mid-round what the others already saw. */
  private catchUp(client: Client): void {
    if (this.hostSessions.has(client.sessionId) && this.removed.size > 0) this.sendRemoved(client);
    this.studio.resendCandidates(client, this.match.roundsOpened);
    this.sendQuestion(client);
    const reveal = this.match.revealPayload();
    if (reveal) this.sendTo(client, 'reveal', reveal);
  }

  private removePlayer(id: string): void {
    this.devices.delete(id);
    this.floodedUntil.delete(id);
    this.state.players.delete(id);
    this.match.removePlayer(id);
  }

  private setConnected(client: Client<{ userData: ClientData }>, connected: boolean): void {
    if (client.userData?.role === 'host') {
      if (connected) this.hostSessions.add(client.sessionId);
      else this.hostSessions.delete(client.sessionId);
      this.state.hostConnected = this.hostSessions.size > 0;
      return;
    }
    const player = this.state.players.get(client.sessionId);
    if (player) player.connected = connected;
  }

  private uniqueCode(): string {
    const random = () => randomInt(0, 2 ** 31) / 2 ** 31;
    for (;;) {
      const code = generateJoinCode(random);
      if (!lobbyRegistry.has(code) && !this.ctx.store.codeExists(code)) return code;
    }
  }

  private sendTo<K extends keyof ServerMessages>(client: Client, type: K, payload: ServerMessages[K]): void {
    client.send(type, payload);
  }

  private sendError(client: Client, code: ErrorCode, message: string = ERRORS[code]): void {
    this.sendTo(client, 'error', { code, message });
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return expected.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}

function refuse(code: ErrorCode, message: string = ERRORS[code]): ServerError {
  return new ServerError(errorNumber(code), message);
}
