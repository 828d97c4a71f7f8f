import { randomBytes, randomInt } from 'node:crypto';
import { CloseCode, Room, ServerError, type Client } from '@colyseus/core';
import type { z } from 'zod';
import { GameEngine, LEADERBOARD_MS, type Phase, type ResultRow } from '../../shared/game/engine.ts';
import { generateJoinCode, RECONNECT_SECONDS } from '../../shared/game/lobby-rules.ts';
import { validateNickname } from '../../shared/game/nickname.ts';
import { DEFAULT_SETTINGS, type GameSettings } from '../../shared/game/settings.ts';
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
import { FakeStudio, type MadeFakes } from './fake-studio.ts';
import { roundRules } from '../../shared/rounds/registry.ts';
import { lobbyRegistry, type LobbyInfo } from './lobby-registry.ts';
import { PhaseClock } from '../../shared/game/phase-clock.ts';
import { roomContext, type RoomContext } from './room-context.ts';

const TICK_MS = 200;
/** The reveal waits at most this long for the neural opponents' answers. */
const NEURAL_WAIT_MS = 4_000;
/** A lobby nobody is connected to is closed after this long (its results stay stored). */
const IDLE_DISPOSE_MS = 30 * 60_000;
/** Rating tallies go out at most this often while a class rates (one message for a burst of stars). */
const RATINGS_BROADCAST_MS = 250;
/** Once everyone has rated every sample, the reveal ends after at most this long. */
const RATED_GRACE_MS = 5_000;
/** Room for host screens and reconnecting seats beyond the player limit. */
const EXTRA_CLIENTS = 10;

type Role = 'host' | 'player';
interface ClientData {
  role: Role;
}

/**
 * One class: a lobby, then rounds. The room is a thin shell around the shared GameEngine:
 * it validates messages, keeps time, replicates state and stores results. Truths live
 * in the engine until the reveal; clients only ever get the question payload.
 */
export class ClassRoom extends Room<{ state: GameState }> {
  override maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND;
  override autoDispose = false;
  override state = new GameState();

  private ctx!: RoomContext;
  private engine!: GameEngine;
  private hostSecret = '';
  private hostClaimed = false;
  private readonly hostSessions = new Set<string>();
  private readonly kicked = new Set<string>();
  private readonly clock$ = new PhaseClock();
  private idleSince: number | null = null;
  private studio!: FakeStudio;
  private neuralAnswers: Promise<void> | null = null;
  private ratingsBroadcastPending = false;
  /** True while an async step (rendering, the neural opponents) owns the phase change. */
  private busy = false;
  private disposed = false;

  override onCreate(): void {
    this.ctx = roomContext();
    const code = this.uniqueCode();
    this.roomId = code;
    this.hostSecret = randomBytes(24).toString('base64url');
    this.engine = new GameEngine(DEFAULT_SETTINGS, randomInt(0, 2 ** 31));
    this.ctx.store.createGame(code, this.hostSecret, DEFAULT_SETTINGS);
    this.maxClients = this.ctx.maxPlayers + EXTRA_CLIENTS;
    this.studio = new FakeStudio({
      clock: this.clock,
      ctx: this.ctx,
      hostSessions: this.hostSessions,
      client: (id) => this.clients.getById(id),
      send: (client, type, payload) => this.sendTo(client, type, payload),
      players: () => [...this.state.players.values()].map((p) => ({ id: p.id, connected: p.connected })),
    });

    Object.assign(this.state, {
      code,
      phase: 'lobby',
      locked: false,
      paused: false,
      hostConnected: false,
      round: -1,
      totalRounds: this.engine.totalRounds,
      roundType: '',
      secondsLeft: 0,
      answeredCount: 0,
      maxPlayers: this.ctx.maxPlayers,
      settings: JSON.stringify(DEFAULT_SETTINGS),
    });

    for (const type of Object.keys(CLIENT_MESSAGES) as ClientMessageType[]) {
      this.onMessage(type, (client, payload) => this.dispatch(client, type, payload));
    }
    this.onMessage('*', (client) => this.sendError(client, 'unknown_message'));
    this.clock.setInterval(() => this.tick(), TICK_MS);
    lobbyRegistry.add(code, { info: () => this.info() });
    this.ctx.log.info({ code }, 'lobby created');
  }

  override onAuth(client: Client, rawOptions: unknown): boolean {
    const parsed = joinOptionsSchema.safeParse(rawOptions);
    if (!parsed.success) throw refuse('bad_message', 'Join options not understood.');
    const options: JoinOptions = parsed.data;
    if (options.role === 'host') {
      if (!this.hostClaimed) return true; // the creator, joining right after onCreate
      if (options.hostSecret !== this.hostSecret) throw refuse('bad_host_secret');
      return true;
    }
    if (this.state.phase === 'podium') throw refuse('game_over');
    if (this.state.locked) throw refuse('lobby_locked');
    if (this.engine.players.size >= this.ctx.maxPlayers) throw refuse('lobby_full');
    const name = validateNickname(options.nickname, this.nicknames());
    if (!name.ok) throw refuse(name.code, name.message);
    return true;
  }

  override onJoin(client: Client<{ userData: ClientData }>, options: JoinOptions): void {
    this.idleSince = null;
    if (options.role === 'host') {
      this.hostClaimed = true;
      client.userData = { role: 'host' };
      this.hostSessions.add(client.sessionId);
      this.state.hostConnected = true;
      this.sendTo(client, 'welcome', { role: 'host', code: this.state.code, hostSecret: this.hostSecret });
    } else {
      // onAuth checked the name, but two joins can race between onAuth and onJoin.
      const name = validateNickname(options.nickname, this.nicknames());
      if (!name.ok) throw refuse(name.code, name.message);
      client.userData = { role: 'player' };
      this.engine.addPlayer(client.sessionId, name.nickname);
      const player = new PlayerState();
      Object.assign(player, {
        id: client.sessionId,
        nickname: name.nickname,
        score: 0,
        lastPoints: 0,
        rank: 0,
        connected: true,
        answered: false,
      });
      this.state.players.set(client.sessionId, player);
      this.sendTo(client, 'welcome', { role: 'player', code: this.state.code, playerId: client.sessionId });
      this.ctx.log.info({ code: this.state.code, nickname: name.nickname }, 'player joined');
    }
    this.catchUp(client);
  }

  override onDrop(client: Client<{ userData: ClientData }>): void {
    this.studio.lost(client.sessionId);
    if (this.kicked.has(client.sessionId)) return;
    this.setConnected(client, false);
    // The framework calls onLeave if the seat is not reclaimed in time.
    // It rejects when the seat expires or the room shuts down; both are normal here.
    Promise.resolve(this.allowReconnection(client, RECONNECT_SECONDS)).catch(() => undefined);
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
    if (this.state.phase === 'podium') {
      this.setConnected(client, false);
      return;
    }
    this.removePlayer(client.sessionId);
  }

  override onDispose(): void {
    this.disposed = true;
    this.studio.cancel();
    lobbyRegistry.remove(this.state.code);
    this.ctx.log.info({ code: this.state.code }, 'lobby closed');
  }

  private info(): LobbyInfo {
    return {
      code: this.state.code,
      locked: this.state.locked,
      full: this.engine.players.size >= this.ctx.maxPlayers,
      players: this.engine.players.size,
      maxPlayers: this.ctx.maxPlayers,
      phase: this.state.phase,
    };
  }

  // ---- messages -------------------------------------------------------------------

  private dispatch(client: Client, type: ClientMessageType, payload: unknown): void {
    try {
      const schema: z.ZodType = CLIENT_MESSAGES[type];
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw new GameError('bad_message', `"${type}" message not understood.`);
      const isHost = this.hostSessions.has(client.sessionId);
      if (type.startsWith('host:') && !isHost) throw new GameError('not_host');
      this.handle(client, type, parsed.data);
    } catch (error) {
      if (error instanceof GameError) this.sendError(client, error.code, error.message);
      else {
        this.ctx.log.error({ err: error, type }, 'message handler failed');
        this.sendError(client, 'bad_message');
      }
    }
  }

  private handle(client: Client, type: ClientMessageType, data: unknown): void {
    switch (type) {
      case 'answer':
        return this.onAnswer(client, data as ClientMessage<'answer'>);
      case 'rate':
        return this.onRate(client, data as ClientMessage<'rate'>);
      case 'host:settings':
        return this.onSettings(data as GameSettings);
      case 'host:lock':
        this.state.locked = (data as ClientMessage<'host:lock'>).locked;
        return;
      case 'host:kick':
        return this.onKick((data as ClientMessage<'host:kick'>).playerId);
      case 'host:rename':
        return this.onRename(data as ClientMessage<'host:rename'>);
      case 'host:start':
        return this.onStart();
      case 'host:pause':
        return this.setPaused((data as ClientMessage<'host:pause'>).paused);
      case 'host:skip':
        if (this.state.phase === 'lobby' || this.state.phase === 'podium' || this.busy) throw new GameError('wrong_phase');
        return this.advance();
      case 'host:end':
        return this.endGame();
      case 'render:ready':
        return this.studio.offer(client.sessionId, data as ClientMessage<'render:ready'>);
      case 'render:result': {
        const { jobId, pixels } = data as ClientMessage<'render:result'>;
        return this.studio.upload(client.sessionId, jobId, pixels);
      }
      case 'gen:pick': {
        const { slot, candidate } = data as ClientMessage<'gen:pick'>;
        return this.studio.pick(client.sessionId, slot, candidate);
      }
    }
  }

  private onAnswer(client: Client, message: ClientMessage<'answer'>): void {
    if (this.hostSessions.has(client.sessionId)) throw new GameError('no_player');
    if (this.state.paused && this.state.phase === 'question') throw new GameError('paused');
    this.engine.submitAnswer(client.sessionId, message.round, message.answer, this.clock$.elapsedMs());
    const player = this.state.players.get(client.sessionId);
    if (player) player.answered = true;
    this.state.answeredCount += 1;
    this.sendTo(client, 'answered', { round: message.round });
    if (this.engine.allAnswered() && !this.busy) this.advance();
  }

  /** A player's stars for another player's sample (rated rounds, during the reveal). */
  private onRate(client: Client, message: ClientMessage<'rate'>): void {
    if (this.hostSessions.has(client.sessionId)) throw new GameError('no_player');
    if (this.state.phase !== 'reveal' || this.busy) throw new GameError('wrong_phase', 'Samples can only be rated while the reveal is open.');
    this.engine.rate(client.sessionId, message.round, message.playerId, message.stars);
    this.scheduleRatingsBroadcast();
    // Everyone has rated everything: no need to sit out the long rating reveal.
    if (this.engine.allRated() && this.clock$.remainingMs() > RATED_GRACE_MS) {
      this.clock$.start(RATED_GRACE_MS, this.state.paused);
      this.state.secondsLeft = Math.ceil(RATED_GRACE_MS / 1000);
    }
  }

  private scheduleRatingsBroadcast(): void {
    if (this.ratingsBroadcastPending) return;
    this.ratingsBroadcastPending = true;
    this.clock.setTimeout(() => {
      this.ratingsBroadcastPending = false;
      const ratings = this.engine.ratingsPayload();
      if (ratings && this.state.phase === 'reveal') this.broadcast('ratings', ratings);
    }, RATINGS_BROADCAST_MS);
  }

  /** Rating points changed these rows: store them, update the scores, and tell everyone the final tallies. */
  private settleRatings(rows: ResultRow[]): void {
    if (rows.length === 0) return;
    this.ctx.store.updateResults(this.state.code, rows);
    this.syncScores();
    const ratings = this.engine.ratingsPayload();
    if (ratings) this.broadcast('ratings', ratings);
  }

  private onSettings(settings: GameSettings): void {
    this.engine.configure(settings);
    this.state.settings = JSON.stringify(settings);
    this.state.totalRounds = this.engine.totalRounds;
    this.ctx.store.updateSettings(this.state.code, settings);
  }

  private onKick(playerId: string): void {
    const target = this.clients.getById(playerId);
    if (!this.engine.players.has(playerId)) throw new GameError('no_such_player');
    this.kicked.add(playerId);
    this.removePlayer(playerId);
    if (target) {
      this.sendTo(target, 'kicked', { message: 'The host removed you from this class.' });
      target.leave(CloseCode.CONSENTED);
    }
  }

  private onRename(message: ClientMessage<'host:rename'>): void {
    const engineRecord = this.engine.players.get(message.playerId);
    const player = this.state.players.get(message.playerId);
    if (!engineRecord || !player) throw new GameError('no_such_player');
    const others = [...this.engine.players.values()].filter((p) => p.id !== message.playerId).map((p) => p.nickname);
    const name = validateNickname(message.nickname, others);
    if (!name.ok) throw new GameError(name.code, name.message);
    engineRecord.nickname = name.nickname;
    player.nickname = name.nickname;
  }

  private onStart(): void {
    if (this.state.phase !== 'lobby') throw new GameError('wrong_phase');
    if (this.engine.players.size === 0) throw new GameError('no_players');
    void this.startRound();
  }

  private setPaused(paused: boolean): void {
    if (this.state.phase === 'lobby' || this.state.phase === 'podium') throw new GameError('wrong_phase');
    this.state.paused = paused;
    if (paused) this.clock$.pause();
    else this.clock$.resume();
  }

  // ---- phases -----------------------------------------------------------------------

  private tick(): void {
    if (this.clients.length === 0) {
      this.idleSince ??= Date.now();
      if (Date.now() - this.idleSince > IDLE_DISPOSE_MS) void this.disconnect();
    }
    const phase = this.state.phase as Phase;
    if (phase === 'lobby' || phase === 'podium' || this.state.paused || this.busy) return;
    const seconds = Math.ceil(this.clock$.remainingMs() / 1000);
    if (seconds !== this.state.secondsLeft) this.state.secondsLeft = seconds;
    if (this.clock$.expired()) this.advance();
  }

  /** Moves to the next phase: question → reveal → leaderboard → next question or podium. */
  private advance(): void {
    switch (this.state.phase as Phase) {
      case 'question':
        return void this.revealRound();
      case 'reveal':
        this.settleRatings(this.engine.showLeaderboard());
        return this.enterPhase('leaderboard', LEADERBOARD_MS);
      case 'leaderboard':
        if (this.engine.hasNextRound()) return void this.startRound();
        return this.endGame();
      default:
        return;
    }
  }

  /** Renders the next round's fakes (if any), then opens it. */
  private async startRound(): Promise<void> {
    this.busy = true;
    try {
      const next = this.engine.nextRenderJobs();
      if (next.jobs.length) this.state.phase = 'preparing';
      let made: MadeFakes;
      try {
        made = next.jobs.length
          ? await this.studio.make(next.jobs, next.generators, next.seed, this.engine.rounds.length, typeof roundRules(next.type).questionFor === 'function')
          : { renders: [], hidden: new Map(), generators: new Map() };
      } catch (err) {
        // Only the server's own renderer can fail here (missing weights, out of memory). A
        // class must never sit on "preparing" forever, nor the process die: end the game.
        this.ctx.log.error({ err }, 'the server could not render the fakes');
        if (this.state.phase === 'podium' || this.disposed) return;
        for (const client of this.clients) if (this.hostSessions.has(client.sessionId)) this.sendError(client, 'render_failed');
        return this.endGame();
      }
      const { renders, hidden, generators } = made;
      if (this.state.phase === 'podium' || this.disposed) return;
      const question = this.engine.startRound(renders, hidden, generators);
      for (const player of this.state.players.values()) player.answered = false;
      this.state.answeredCount = 0;
      this.state.round = question.round;
      this.state.roundType = question.type;
      this.enterPhase('question', question.durationMs);
      for (const client of this.clients) {
        const own = this.engine.questionPayload(this.hostSessions.has(client.sessionId) ? undefined : client.sessionId)!;
        this.sendTo(client, 'question', { ...own, remainingMs: question.durationMs });
      }
      this.neuralAnswers = this.engine.askNeuralOpponents(this.ctx.models).catch((err: unknown) => {
        this.ctx.log.warn({ err }, 'neural opponents could not answer');
      });
    } finally {
      this.busy = false;
    }
  }

  private async revealRound(): Promise<void> {
    this.busy = true;
    try {
      if (this.neuralAnswers) {
        await Promise.race([this.neuralAnswers, new Promise((resolve) => this.clock.setTimeout(resolve, NEURAL_WAIT_MS))]);
        this.neuralAnswers = null;
      }
    } finally {
      this.busy = false;
    }
    if (this.state.phase !== 'question') return;
    const { payload, rows } = this.engine.reveal();
    this.ctx.store.recordResults(this.state.code, rows);
    this.syncScores();
    this.enterPhase('reveal', this.engine.revealMs());
    this.broadcast('reveal', payload);
  }

  private endGame(): void {
    if (this.state.phase === 'podium') throw new GameError('game_over');
    this.studio.cancel();
    if (this.state.phase === 'question') {
      // Answers already given still count and reach the report.
      const { rows } = this.engine.reveal();
      this.ctx.store.recordResults(this.state.code, rows);
      this.syncScores();
    }
    this.settleRatings(this.engine.finish());
    this.state.paused = false;
    this.state.phase = 'podium';
    this.state.secondsLeft = 0;
    this.ctx.store.endGame(this.state.code);
  }

  private enterPhase(phase: Phase, durationMs: number): void {
    this.state.phase = phase;
    this.clock$.start(durationMs, this.state.paused);
    this.state.secondsLeft = Math.ceil(durationMs / 1000);
  }

  private syncScores(): void {
    for (const s of this.engine.standings()) {
      const player = this.state.players.get(s.id);
      if (!player) continue;
      player.score = s.score;
      player.lastPoints = s.lastPoints;
      player.rank = s.rank;
    }
  }

  // ---- helpers ----------------------------------------------------------------------

  /** Sends a client who (re)joins mid-round what the others already saw. */
  private catchUp(client: Client): void {
    this.studio.resendCandidates(client, this.engine.rounds.length);
    const question = this.engine.questionPayload(this.hostSessions.has(client.sessionId) ? undefined : client.sessionId);
    if (question) this.sendTo(client, 'question', { ...question, remainingMs: this.clock$.remainingMs() });
    const reveal = this.state.phase === 'reveal' ? this.engine.revealPayload() : null;
    if (reveal) this.sendTo(client, 'reveal', reveal);
  }

  private removePlayer(id: string): void {
    this.engine.removePlayer(id);
    this.state.players.delete(id);
    if (this.state.phase === 'question' && !this.busy) {
      this.state.answeredCount = this.engine.current?.answers.size ?? 0;
      if (this.engine.allAnswered()) this.advance();
    }
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

  private nicknames(): string[] {
    return [...this.engine.players.values()].map((p) => p.nickname);
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

function refuse(code: ErrorCode, message: string = ERRORS[code]): ServerError {
  return new ServerError(errorNumber(code), message);
}
