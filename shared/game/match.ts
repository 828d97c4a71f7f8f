import type { DrawSource, RoundDraws } from '../random.ts';
import { GameError } from '../protocol/errors.ts';
import type { NeuralOpponents, RenderRecipe } from '../render/recipes.ts';
import type { RoundType } from '../rounds/registry.ts';
import {
  type EngineSnapshot,
  GameEngine,
  type Phase,
  type QuestionPayload,
  type RatingsPayload,
  type ResultRow,
  type RevealPayload,
  type Standing,
  type StoredAnswer,
  type StoredRating,
} from './engine.ts';
import { validateNickname } from './nickname.ts';
import { PhaseClock } from './phase-clock.ts';
import type { GameSettings } from './settings.ts';

/** How often the match looks at its clock (phase ends, whole seconds for the screens). */
const TICK_MS = 200;
/** The leaderboard between rounds. */
export const LEADERBOARD_MS = 8_000;
/** The reveal waits at most this long for the neural opponents' answers. */
export const NEURAL_WAIT_MS = 4_000;
/** With no class to rate (solo), the neural judge rates samples; the reveal waits at most this long for it. */
export const JUDGE_WAIT_MS = 12_000;
/** Once everyone has rated every sample, the reveal ends after at most this long. */
export const RATED_GRACE_MS = 5_000;
/** Rating tallies go out at most this often while a class rates (one event for a burst of stars). */
export const RATINGS_EVENT_MS = 250;

/** What a round's fakes came out as, from whoever made them. */
export interface MadeFakes {
  renders: Uint8Array[];
  /** The student whose device rendered the fakes (it saw their recipes): they sit the round out. Null for the host screen or the server. */
  renderedBy: string | null;
  /** Generator players and the render jobs whose fakes they picked. */
  generators: Map<string, number[]>;
}

/** What must be made before the next round can open. */
export interface FakeOrder {
  round: number;
  type: RoundType;
  jobs: RenderRecipe[];
  /** How many players act as the generator G. */
  generators: number;
  /** The round's draws: a generator player's candidate z come from a stream of their own. */
  draws: RoundDraws;
}

export interface MatchClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `callback` after `ms`; the returned function cancels it. */
  after(ms: number, callback: () => void): () => void;
  /** Calls `callback` every `ms`; the returned function stops it. */
  every(ms: number, callback: () => void): () => void;
}

/** Where results go (the server's database; nowhere in solo). */
interface MatchStore {
  recordResults(rows: ResultRow[]): void;
  updateResults(rows: ResultRow[]): void;
  updateSettings(settings: GameSettings): void;
  endGame(): void;
  /** What a restart needs (optional: solo keeps nothing): the match as it stands, and each answer and rating on receipt. */
  saveSnapshot?(snapshot: MatchSnapshot): void;
  saveAnswer?(answer: StoredAnswer): void;
  saveRating?(rating: StoredRating): void;
}

/** The match as a restart finds it: the engine's snapshot and where the clock stood. */
export interface MatchSnapshot {
  engine: EngineSnapshot;
  phase: Phase;
  paused: boolean;
}

/** What the match is given: it never touches a network, a screen or a timer of its own. */
export interface MatchPorts {
  clock: MatchClock;
  /** Makes a round's fakes (devices, the server's models); may reject. */
  makeFakes(order: FakeOrder): Promise<MadeFakes>;
  /** Stop waiting on devices for the fakes being made: render what is missing now. */
  hurryFakes(): void;
  /** The trained models that answer as opponents (and judge, in solo). */
  opponents(): NeuralOpponents;
  store: MatchStore;
  emit<K extends keyof MatchEvents>(type: K, payload: MatchEvents[K]): void;
  /** Where the match reports a failure that is not a player's fault. */
  warn(message: string, error: unknown): void;
}

export interface MatchOptions {
  /** Solo: the neural judge rates samples, as there is no class to rate them. */
  neuralJudge?: boolean;
  /** Preparing gives up (and ends the game) if the fakes are not made by then. */
  prepareLimitMs?: number;
}

/** What every screen shows about the match; it goes out whole whenever a field changes. */
export interface MatchStatus {
  phase: Phase;
  paused: boolean;
  /** 0-based; -1 before the first round. */
  round: number;
  totalRounds: number;
  roundType: RoundType | '';
  /** How long the current phase lasts in all (0 when it has no clock: lobby, preparing, podium). */
  phaseMs: number;
  secondsLeft: number;
  answeredCount: number;
  /** Players who answer this round: generator players pick fakes instead. */
  answering: number;
  settings: GameSettings;
}

export interface MatchEvents {
  status: MatchStatus;
  /** A round opened; adapters give each player `questionFor(id)`. */
  question: QuestionPayload;
  answered: { playerId: string; round: number };
  reveal: RevealPayload;
  ratings: RatingsPayload;
  /** Scores changed (after a reveal, when ratings close). */
  scores: Standing[];
  /** The fakes could not be made; the game ended. */
  failed: { reason: string };
}

const DEFAULT_PREPARE_LIMIT_MS = 180_000;

/**
 * One game, phase by phase: lobby → (preparing →) question → reveal → leaderboard → … →
 * podium, with the clock, pause, skip and end, the neural opponents' wait and the rating
 * window. The class room and solo practice are adapters around it: they turn messages or
 * clicks into these calls and the events into messages or screens. The rules of a round
 * live in the GameEngine and the rule books; this class only decides when things happen.
 */
export class Match {
  readonly engine: GameEngine;
  private readonly ports: MatchPorts;
  private readonly options: Required<MatchOptions>;
  private readonly phaseClock: PhaseClock;
  private current: MatchStatus;
  /** Bumped on every phase change: a late async step of an earlier phase sees it and stops. */
  private epoch = 0;
  /** True while the reveal waits on the opponents: the phase is closing. */
  private closing = false;
  private neural: Promise<void> | null = null;
  private stopTicking: (() => void) | null = null;
  private cancelPrepareLimit: (() => void) | null = null;
  private ratingsPending = false;

  constructor(settings: GameSettings, draws: DrawSource, ports: MatchPorts, options: MatchOptions = {}, restored?: GameEngine) {
    this.engine = restored ?? new GameEngine(settings, draws);
    this.ports = ports;
    this.options = { neuralJudge: options.neuralJudge ?? false, prepareLimitMs: options.prepareLimitMs ?? DEFAULT_PREPARE_LIMIT_MS };
    this.phaseClock = new PhaseClock(() => ports.clock.now());
    this.current = {
      phase: 'lobby',
      paused: false,
      round: -1,
      totalRounds: this.engine.totalRounds,
      roundType: '',
      phaseMs: 0,
      secondsLeft: 0,
      answeredCount: 0,
      answering: 0,
      settings,
    };
  }

  /**
   * A match as it was before a restart, with the answers and ratings received since its
   * last snapshot. Call `resume()` once the adapter is ready for its events.
   */
  static restore(snap: MatchSnapshot, draws: DrawSource, ports: MatchPorts, options: MatchOptions, answers: readonly StoredAnswer[], ratings: readonly StoredRating[]): Match {
    const engine = GameEngine.restore(snap.engine, draws, answers, ratings);
    const match = new Match(snap.engine.settings, draws, ports, options, engine);
    match.current = { ...match.current, phase: snap.phase, paused: snap.paused, round: engine.rounds.length - 1, roundType: engine.current?.type ?? '' };
    return match;
  }

  /**
   * Picks the restored match up where it stood: an open question is asked again in full
   * (answers already received kept), a reveal and its ratings reopen, a round being
   * prepared is prepared again, the leaderboard shows; the lobby and the podium just stay.
   */
  resume(): void {
    const phase = this.phase;
    this.ports.emit('scores', this.engine.standings());
    if (phase === 'lobby' || phase === 'podium') return this.update({});
    this.stopTicking = this.ports.clock.every(TICK_MS, () => this.tick());
    switch (phase) {
      case 'preparing':
        return this.nextRound();
      case 'question': {
        const question = this.engine.questionPayload()!;
        this.enterPhase('question', question.durationMs, { answeredCount: this.answeredCount() });
        this.ports.emit('question', question);
        this.neural = this.engine.askNeuralOpponents(this.ports.opponents()).catch((error: unknown) => this.ports.warn('the neural opponents could not answer', error));
        return;
      }
      case 'reveal': {
        this.enterPhase('reveal', this.engine.revealMs());
        const payload = this.engine.revealPayload();
        if (payload) this.ports.emit('reveal', payload);
        return;
      }
      case 'leaderboard':
        return this.enterPhase('leaderboard', LEADERBOARD_MS);
    }
  }

  snapshot(): MatchSnapshot {
    return { engine: this.engine.snapshot(), phase: this.phase, paused: this.current.paused };
  }

  /** A restored player's seat on a new connection (see GameEngine.rekeyPlayer). */
  rekeyPlayer(oldId: string, newId: string): void {
    this.engine.rekeyPlayer(oldId, newId);
    this.persist();
  }

  get status(): MatchStatus {
    return this.current;
  }

  get phase(): Phase {
    return this.current.phase;
  }

  /** Time left in the current phase, pauses excluded. */
  remainingMs(): number {
    return this.current.phaseMs > 0 ? this.phaseClock.remainingMs() : 0;
  }

  // ---- players ------------------------------------------------------------------------

  /** The nickname a player would get, or a GameError saying why not (the one nickname rule). */
  admissibleName(nickname: string, exceptId?: string): string {
    const others = [...this.engine.players.values()].filter((p) => p.id !== exceptId).map((p) => p.nickname);
    const name = validateNickname(nickname, others);
    if (!name.ok) throw new GameError(name.code, name.message);
    return name.nickname;
  }

  addPlayer(id: string, nickname: string): string {
    if (this.phase === 'podium') throw new GameError('game_over');
    const name = this.admissibleName(nickname);
    this.engine.addPlayer(id, name);
    this.update({});
    this.persist();
    return name;
  }

  rename(id: string, nickname: string): string {
    const player = this.engine.players.get(id);
    if (!player) throw new GameError('no_such_player');
    player.nickname = this.admissibleName(nickname, id);
    this.persist();
    return player.nickname;
  }

  /** A player left or was removed; a question everyone else has answered then closes. */
  removePlayer(id: string): void {
    if (!this.engine.players.has(id)) return;
    this.engine.removePlayer(id);
    this.update({ answeredCount: this.answeredCount() });
    this.persist();
    if (this.phase === 'question' && !this.closing && this.engine.allAnswered()) this.closeQuestion();
  }

  hasPlayer(id: string): boolean {
    return this.engine.players.has(id);
  }

  get playerCount(): number {
    return this.engine.players.size;
  }

  standings(): Standing[] {
    return this.engine.standings();
  }

  // ---- what a screen may see ------------------------------------------------------------

  /** The open question as one player (or, with no id, the host) may see it. */
  questionFor(playerId?: string): (QuestionPayload & { remainingMs: number }) | null {
    const question = this.phase === 'question' ? this.engine.questionPayload(playerId) : null;
    return question ? { ...question, remainingMs: this.remainingMs() } : null;
  }

  revealPayload(): RevealPayload | null {
    return this.phase === 'reveal' ? this.engine.revealPayload() : null;
  }

  hasAnswered(playerId: string): boolean {
    return this.phase === 'question' && (this.engine.current?.answers.has(playerId) ?? false);
  }

  /** Rounds played or being prepared (the index of the next round to open). */
  get roundsOpened(): number {
    return this.engine.rounds.length;
  }

  // ---- the host's controls ------------------------------------------------------------

  configure(settings: GameSettings): void {
    this.engine.configure(settings);
    this.ports.store.updateSettings(settings);
    this.update({ settings, totalRounds: this.engine.totalRounds });
  }

  start(): void {
    if (this.phase !== 'lobby') throw new GameError('wrong_phase');
    if (this.engine.players.size === 0) throw new GameError('no_players');
    this.stopTicking = this.ports.clock.every(TICK_MS, () => this.tick());
    this.nextRound();
  }

  pause(paused: boolean): void {
    if (this.phase === 'lobby' || this.phase === 'podium') throw new GameError('wrong_phase');
    if (paused) this.phaseClock.pause();
    else this.phaseClock.resume();
    this.update({ paused });
  }

  /**
   * Moves on now. Preparing: stop waiting on devices (the missing fakes are rendered
   * here). Question: reveal (the opponents still get their short wait). Reveal:
   * leaderboard. Leaderboard: the next round, or the podium after the last.
   */
  skip(): void {
    if (this.phase === 'lobby' || this.phase === 'podium' || this.closing) throw new GameError('wrong_phase');
    if (this.phase === 'preparing') return this.ports.hurryFakes();
    this.advance();
  }

  /** Ends the game now: answers already given count; open ratings close. */
  end(): void {
    if (this.phase === 'podium') throw new GameError('game_over');
    this.epoch += 1;
    this.closing = false;
    this.cancelPrepareLimit?.();
    if (this.phase === 'preparing') this.ports.hurryFakes();
    if (this.engine.phase === 'question') this.recordReveal();
    this.settleRatings(this.engine.finish());
    this.stopTicking?.();
    this.stopTicking = null;
    this.phaseClock.start(0, false);
    this.update({ phase: 'podium', paused: false, phaseMs: 0, secondsLeft: 0 });
    this.ports.store.endGame();
  }

  // ---- players' moves -----------------------------------------------------------------

  answer(playerId: string, round: number, payload: unknown): void {
    if (this.phase === 'question' && this.current.paused) throw new GameError('paused');
    if (this.phase === 'question' && (this.closing || this.phaseClock.expired())) throw new GameError('not_answering', 'Time is up for this round.');
    this.engine.submitAnswer(playerId, round, payload, this.phaseClock.elapsedMs());
    const stored = this.engine.storedAnswer(playerId);
    if (stored) this.ports.store.saveAnswer?.(stored);
    this.update({ answeredCount: this.answeredCount() });
    this.ports.emit('answered', { playerId, round });
    if (this.engine.allAnswered()) this.closeQuestion();
  }

  /** One player's stars for another player's sample (rated rounds, during the reveal). */
  rate(raterId: string, round: number, targetId: string, stars: number): void {
    if (this.phase !== 'reveal') throw new GameError('wrong_phase', 'Samples can only be rated while the reveal is open.');
    this.engine.rate(raterId, round, targetId, stars);
    this.ports.store.saveRating?.({ round, target: targetId, rater: raterId, stars });
    this.scheduleRatingsEvent();
    // Everyone has rated everything: no need to sit out the long rating reveal.
    if (this.engine.allRated() && this.phaseClock.remainingMs() > RATED_GRACE_MS) this.enterPhase('reveal', RATED_GRACE_MS);
  }

  // ---- phases -------------------------------------------------------------------------

  private tick(): void {
    const phase = this.phase;
    if (phase === 'lobby' || phase === 'podium' || phase === 'preparing' || this.current.paused || this.closing) return;
    const secondsLeft = Math.ceil(this.phaseClock.remainingMs() / 1000);
    if (secondsLeft !== this.current.secondsLeft) this.update({ secondsLeft });
    if (this.phaseClock.expired()) this.advance();
  }

  private advance(): void {
    switch (this.phase) {
      case 'question':
        return this.closeQuestion();
      case 'reveal':
        this.settleRatings(this.engine.showLeaderboard());
        return this.enterPhase('leaderboard', LEADERBOARD_MS);
      case 'leaderboard':
        if (this.engine.hasNextRound()) return this.nextRound();
        return this.end();
      default:
        return;
    }
  }

  /** Makes the next round's fakes (phase 'preparing'; often nothing to make), then opens it. */
  private nextRound(): void {
    const next = this.engine.nextRenderJobs();
    if (next.jobs.length === 0) return this.openRound({ renders: [], renderedBy: null, generators: new Map() });
    const epoch = ++this.epoch;
    this.phaseClock.start(0, this.current.paused);
    this.update({ phase: 'preparing', phaseMs: 0, secondsLeft: 0 });
    const order: FakeOrder = { round: this.engine.rounds.length, ...next };
    let settled = false;
    const fail = (error: unknown) => {
      if (settled || epoch !== this.epoch) return;
      settled = true;
      this.cancelPrepareLimit?.();
      this.ports.warn('the fakes could not be made', error);
      this.ports.emit('failed', { reason: error instanceof Error ? error.message : String(error) });
      this.end();
    };
    this.cancelPrepareLimit = this.ports.clock.after(this.options.prepareLimitMs, () => fail(new Error('the models took too long')));
    let making: Promise<MadeFakes>;
    try {
      making = this.ports.makeFakes(order);
    } catch (error) {
      return fail(error);
    }
    making.then((made) => {
      if (settled || epoch !== this.epoch) return;
      settled = true;
      this.cancelPrepareLimit?.();
      this.openRound(made);
    }, fail);
  }

  private openRound(made: MadeFakes): void {
    this.epoch += 1;
    const question = this.engine.startRound(made.renders, made.renderedBy, made.generators);
    this.enterPhase('question', question.durationMs, { round: question.round, roundType: question.type, answeredCount: 0 });
    this.ports.emit('question', question);
    const opponents = this.ports.opponents();
    this.neural = this.engine.askNeuralOpponents(opponents).catch((error: unknown) => this.ports.warn('the neural opponents could not answer', error));
  }

  /** Closes answers: waits (briefly) for the opponents and, in solo, the judge; then reveals. */
  private closeQuestion(): void {
    if (this.closing) return;
    this.closing = true;
    const epoch = this.epoch;
    void this.waitForModels().then(() => {
      if (epoch !== this.epoch) return;
      this.closing = false;
      this.recordReveal();
      this.enterPhase('reveal', this.engine.revealMs());
      const payload = this.engine.revealPayload();
      if (payload) this.ports.emit('reveal', payload);
    });
  }

  private async waitForModels(): Promise<void> {
    if (this.neural) {
      await this.within(this.neural, NEURAL_WAIT_MS);
      this.neural = null;
    }
    if (this.options.neuralJudge && this.engine.isRated()) {
      const judging = this.engine.judgeRatings(this.ports.opponents()).catch((error: unknown) => this.ports.warn('the neural judge could not rate', error));
      await this.within(judging, JUDGE_WAIT_MS);
    }
  }

  /** Resolves when `work` settles or after `ms`, whichever comes first. */
  private within(work: Promise<unknown>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.ports.clock.after(ms, resolve);
      void work.finally(() => {
        cancel();
        resolve();
      });
    });
  }

  /** Closes the open question: scores it, stores its rows, and tells everyone the new scores. */
  private recordReveal(): void {
    const { rows } = this.engine.reveal();
    this.ports.store.recordResults(rows);
    this.ports.emit('scores', this.engine.standings());
  }

  /** Rating points changed these rows: store them, new scores, and the final tallies. */
  private settleRatings(rows: ResultRow[]): void {
    if (rows.length === 0) return;
    this.ports.store.updateResults(rows);
    this.ports.emit('scores', this.engine.standings());
    const ratings = this.engine.ratingsPayload();
    if (ratings) this.ports.emit('ratings', ratings);
  }

  private scheduleRatingsEvent(): void {
    if (this.ratingsPending) return;
    this.ratingsPending = true;
    this.ports.clock.after(RATINGS_EVENT_MS, () => {
      this.ratingsPending = false;
      const ratings = this.engine.ratingsPayload();
      if (ratings && this.phase === 'reveal') this.ports.emit('ratings', ratings);
    });
  }

  private enterPhase(phase: Phase, durationMs: number, extra: Partial<MatchStatus> = {}): void {
    if (phase !== this.phase) this.epoch += 1;
    this.phaseClock.start(durationMs, this.current.paused);
    this.update({ ...extra, phase, phaseMs: durationMs, secondsLeft: Math.ceil(durationMs / 1000) });
  }

  private answeredCount(): number {
    const round = this.engine.current;
    if (!round) return 0;
    return [...round.answers.keys()].filter((id) => this.engine.players.has(id)).length;
  }

  private answeringCount(): number {
    const ids = [...this.engine.players.keys()];
    return this.phase === 'question' ? ids.filter((id) => this.engine.answers(id)).length : ids.length;
  }

  private update(changes: Partial<MatchStatus>): void {
    const before = this.current;
    this.current = { ...this.current, ...changes };
    this.current.answering = this.answeringCount();
    this.ports.emit('status', this.current);
    // What a restart needs changes with the phase, the round, a pause or the playlist (not with the seconds).
    if (before.phase !== this.current.phase || before.round !== this.current.round || before.paused !== this.current.paused || before.settings !== this.current.settings)
      this.persist();
  }

  private persist(): void {
    this.ports.store.saveSnapshot?.(this.snapshot());
  }
}
