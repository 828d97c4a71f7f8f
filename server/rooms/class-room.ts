import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { CloseCode, Room, ServerError, type Client } from '@colyseus/core';
import { z } from 'zod';
import { generateJoinCode } from '../../shared/game/lobby-rules.ts';
import type { StoredAnswer } from '../../shared/game/engine.ts';
import { Match, type MatchEvents, type MatchOptions, type MatchPorts, type MatchSnapshot } from '../../shared/game/match.ts';
import { decodeSnapshot, encodeSnapshot } from '../../shared/game/snapshot-json.ts';
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
import { hashSecret } from '../store/results-store.ts';
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

/**
 * This process's key for recreating lobbies a previous process left live (`restoreLobbies`):
 * the matchmaker's create over HTTP cannot pass it, so nobody outside can restore a lobby.
 */
export const RESTORE_KEY = randomBytes(24).toString('base64url');
const restoreOptionsSchema = z.object({ restore: z.string().min(1).max(16), restoreKey: z.string() }).strict();

/** The room's part of a saved lobby (the match's part is its snapshot). */
interface SavedRoom {
  locked: boolean;
  removed: { nickname: string; device: string | null }[];
  /** Seat key hashes by player id: a student takes their seat back with the key from their welcome. */
  seats: [string, string][];
  devices: [string, string][];
}

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
  /** Each player's seat key hash (sha256): the seat can be taken back on a new connection. */
  private readonly seats = new Map<string, string>();
  /** Restored players not back yet, and the timers that give their seats up. */
  private readonly awaiting = new Map<string, { clear(): void }>();
  /** The match's last snapshot as saved (the room's part is saved beside it). */
  private savedMatch = '';
  /** The process is stopping: the lobby stays saved as it is, for the next process to restore. */
  private shuttingDown = false;
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
      this.saveLobby();
    },
    'host:kick': (_client, { playerId }) => this.kick(playerId),
    'host:readmit': (_client, { nickname }) => {
      if (!this.removed.delete(lookAlikeKey(nickname))) throw new GameError('no_such_player', 'Nobody was removed under that name.');
      this.saveLobby();
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
    const restoring = restoreOptionsSchema.safeParse(rawOptions);
    if (restoring.success && sameSecret(restoring.data.restoreKey, RESTORE_KEY)) return this.restore(restoring.data.restore);
    const options = joinOptionsSchema.safeParse(rawOptions);
    // Over HTTP (the matchmaker's create), so an HTTP status rather than a join refusal number.
    if (!options.success || options.data.role !== 'host' || !options.data.creationToken) throw new ServerError(400, 'A class is created by a host screen.');
    this.creationToken = options.data.creationToken;
    this.ctx = roomContext();
    const code = this.uniqueCode();
    this.hostSecret = randomBytes(24).toString('base64url');
    this.ctx.store.createGame(code, this.hostSecret, DEFAULT_SETTINGS);
    this.match = new Match(DEFAULT_SETTINGS, secretSource, this.matchPorts(code), this.matchOptions());
    this.setUp(code);
    this.saveLobby(this.match.snapshot());
    this.ctx.log.info({ code }, 'lobby created');
  }

  /** A lobby a previous process left live, as it was saved: its host and students take their seats back by code. */
  private restore(code: string): void {
    this.ctx = roomContext();
    const lobby = this.ctx.store.liveLobby(code);
    if (!lobby) throw new ServerError(404, 'No such lobby to restore.');
    const saved = JSON.parse(lobby.room) as SavedRoom;
    const snapshot = decodeSnapshot(lobby.match) as MatchSnapshot;
    const answers = lobby.answers.map((a) => decodeSnapshot(a) as StoredAnswer);
    this.hostClaimed = true;
    this.savedMatch = lobby.match;
    for (const r of saved.removed) this.removed.set(lookAlikeKey(r.nickname), r);
    for (const [id, hash] of saved.seats) this.seats.set(id, hash);
    for (const [id, device] of saved.devices) this.devices.set(id, device);
    this.match = Match.restore(snapshot, secretSource, this.matchPorts(code), this.matchOptions(), answers, lobby.ratings);
    this.setUp(code);
    this.state.locked = saved.locked;
    for (const p of this.match.engine.players.values()) {
      const player = new PlayerState();
      Object.assign(player, { id: p.id, nickname: p.nickname, score: p.score, lastPoints: p.lastPoints, rank: 0, connected: false, answered: this.match.hasAnswered(p.id) });
      this.state.players.set(p.id, player);
      // Like a dropped seat: kept for the reconnection time, then given up.
      this.awaiting.set(
        p.id,
        this.clock.setTimeout(() => {
          this.awaiting.delete(p.id);
          this.giveUpSeat(p.id);
        }, this.ctx.reconnectSeconds * 1000),
      );
    }
    this.match.resume();
    this.ctx.log.info({ code, players: this.state.players.size, phase: this.match.phase }, 'lobby restored');
  }

  private matchOptions(): MatchOptions {
    return { prepareLimitMs: this.ctx.generatorPickMs + this.ctx.renderDeadlineMs + SERVER_RENDER_ALLOWANCE_MS };
  }

  private setUp(code: string): void {
    this.roomId = code;
    // Reachable only by its code: never listed, never picked by join/joinOrCreate.
    void this.setPrivate(true);
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
    Object.assign(this.state, { code, locked: false, hostConnected: false, maxPlayers: this.ctx.maxPlayers });
    this.showStatus(this.match.status);
    this.clock.setInterval(() => this.checkIdle(), IDLE_CHECK_MS);
    lobbyRegistry.add(code, { info: () => this.info() });
  }

  override onAuth(_client: Client, rawOptions: unknown): boolean {
    const parsed = joinOptionsSchema.safeParse(rawOptions);
    if (!parsed.success) throw refuse('bad_message', 'Join options not understood.');
    const options: JoinOptions = parsed.data;
    if (options.role === 'host') {
      // The creator, joining right after onCreate, holds the creation token; later, the host secret (checked against its stored hash).
      const ok = this.hostClaimed ? this.ctx.store.checkHostSecret(this.state.code, options.hostSecret ?? '') : sameSecret(options.creationToken ?? '', this.creationToken);
      if (!ok) throw refuse('bad_host_secret');
      return true;
    }
    // A seat taken back with its key (after a restart) is theirs: no other check applies.
    if (options.seatKey && this.seatFor(options.seatKey)) return true;
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
      this.sendTo(client, 'welcome', { role: 'host', code: this.state.code, hostSecret: this.hostSecret || options.hostSecret });
    } else {
      const seat = options.seatKey ? this.seatFor(options.seatKey) : null;
      if (seat && options.seatKey) {
        this.takeBack(client, seat, options.seatKey);
        this.catchUp(client);
        return;
      }
      const seatKey = randomBytes(18).toString('base64url');
      this.seats.set(client.sessionId, hashSecret(seatKey));
      let nickname: string;
      try {
        // onAuth checked these, but joins can race between onAuth and onJoin.
        if (this.connectedPlayers() >= this.ctx.maxPlayers) throw new GameError('lobby_full');
        nickname = this.match.addPlayer(client.sessionId, options.nickname);
      } catch (error) {
        this.seats.delete(client.sessionId);
        if (error instanceof GameError) throw refuse(error.code, error.message);
        throw error;
      }
      client.userData = { role: 'player' };
      if (options.device) this.devices.set(client.sessionId, options.device);
      const player = new PlayerState();
      Object.assign(player, { id: client.sessionId, nickname, score: 0, lastPoints: 0, rank: 0, connected: true, answered: false });
      this.state.players.set(client.sessionId, player);
      this.sendTo(client, 'welcome', { role: 'player', code: this.state.code, playerId: client.sessionId, seatKey });
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

  override onBeforeShutdown(): void {
    this.shuttingDown = true;
    super.onBeforeShutdown();
  }

  override onLeave(client: Client<{ userData: ClientData }>): void {
    this.studio.lost(client.sessionId);
    if (this.shuttingDown) return; // everyone leaves at shutdown: their seats stay saved
    if (client.userData?.role === 'host') {
      this.hostSessions.delete(client.sessionId);
      this.state.hostConnected = this.hostSessions.size > 0;
      return;
    }
    this.setConnected(client, false);
    this.giveUpSeat(client.sessionId);
  }

  /** A seat its owner did not take back in time: freed, except on the podium, where a departed player still earned their place. */
  private giveUpSeat(id: string): void {
    if (this.match.phase !== 'podium') this.removePlayer(id);
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
        endGame: () => {
          store.endGame(code);
          store.dropLobby(code);
        },
        saveSnapshot: (snapshot) => this.saveLobby(snapshot),
        saveAnswer: (answer) => store.saveLobbyAnswer(code, answer.round, answer.playerId, encodeSnapshot(answer)),
        saveRating: (r) => store.saveLobbyRating(code, r.round, r.target, r.rater, r.stars),
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

  /** The player whose seat this key opens, if that seat is waiting for its owner. */
  private seatFor(seatKey: string): string | null {
    const hash = hashSecret(seatKey);
    for (const [id, h] of this.seats) if (h === hash && this.state.players.get(id)?.connected === false) return id;
    return null;
  }

  /** A student back on a new connection (after a restart): their seat, score and answers move to it. */
  private takeBack(client: Client<{ userData: ClientData }>, oldId: string, seatKey: string): void {
    const newId = client.sessionId;
    const player = this.state.players.get(oldId)!;
    this.awaiting.get(oldId)?.clear();
    this.awaiting.delete(oldId);
    this.seats.set(newId, this.seats.get(oldId)!);
    this.seats.delete(oldId);
    const device = this.devices.get(oldId);
    this.devices.delete(oldId);
    if (device) this.devices.set(newId, device);
    this.state.players.delete(oldId);
    this.ctx.store.rekeyLobbyPlayer(this.state.code, oldId, newId);
    this.match.rekeyPlayer(oldId, newId);
    client.userData = { role: 'player' };
    player.id = newId;
    player.connected = true;
    this.state.players.set(newId, player);
    this.sendTo(client, 'welcome', { role: 'player', code: this.state.code, playerId: newId, seatKey });
    this.ctx.log.info({ code: this.state.code, nickname: player.nickname }, 'player took their seat back');
  }

  /** Saves the lobby (the room's part, and the match's latest snapshot when given) so a restart finds it. */
  private saveLobby(snapshot?: MatchSnapshot): void {
    if (snapshot) this.savedMatch = encodeSnapshot(snapshot);
    if (!this.savedMatch || !this.state.code || this.disposed || this.shuttingDown) return;
    const room: SavedRoom = { locked: this.state.locked, removed: [...this.removed.values()], seats: [...this.seats], devices: [...this.devices] };
    this.ctx.store.saveLobby(this.state.code, JSON.stringify(room), this.savedMatch);
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
    if (Date.now() - this.idleSince > IDLE_DISPOSE_MS) {
      this.ctx.store.dropLobby(this.state.code);
      void this.disconnect();
    }
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
    const series = this.match.engine.seriesShown();
    if (Object.keys(series).length > 0) this.sendTo(client, 'series', series);
  }

  private removePlayer(id: string): void {
    this.devices.delete(id);
    this.seats.delete(id);
    this.awaiting.get(id)?.clear();
    this.awaiting.delete(id);
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
