import { GameError } from '../protocol/errors.ts';
import type { NeuralOpponents, RenderRecipe } from '../render/recipes.ts';
import { deriveSeed } from '../random.ts';
import type { GeneratorCredit, PlayerAnswer } from '../rounds/round-rules.ts';
import { roundRules, type RoundType } from '../rounds/registry.ts';
import { planRounds, type GameSettings, type PlannedRound } from './settings.ts';

export type Phase = 'lobby' | 'question' | 'reveal' | 'leaderboard' | 'podium';

/** How long the automatic phases last; the host can skip or pause them. */
export const REVEAL_MS = 15_000;
export const LEADERBOARD_MS = 8_000;

export interface PlayerRecord {
  id: string;
  nickname: string;
  score: number;
  lastPoints: number;
}

export interface RecordedAnswer {
  answer: unknown;
  elapsedMs: number;
  points: number;
  accuracy: number;
  speedBonus: number;
}

export interface RoundRecord {
  index: number;
  type: RoundType;
  seed: number;
  durationMs: number;
  speedBonus: boolean;
  secret: unknown;
  question: unknown;
  /** Render jobs each player's device did for this round: they sit those images out. */
  hiddenJobs: Map<string, Set<number>>;
  credits: GeneratorCredit[];
  /** Generator players and the render jobs whose fakes they picked; they do not answer. */
  generators: Map<string, number[]>;
  answers: Map<string, RecordedAnswer>;
  revealed: boolean;
}

/** One row of the results: what the CSV report and the database hold. */
export interface ResultRow {
  roundIndex: number;
  roundType: RoundType;
  playerId: string;
  nickname: string;
  answer: string;
  truth: string;
  points: number;
  elapsedMs: number | null;
}

export interface QuestionPayload {
  round: number;
  totalRounds: number;
  type: RoundType;
  title: string;
  formula: string;
  durationMs: number;
  question: unknown;
}

export interface RevealPayload {
  round: number;
  totalRounds: number;
  type: RoundType;
  title: string;
  formula: string;
  reveal: unknown;
}

export interface Standing {
  id: string;
  nickname: string;
  score: number;
  lastPoints: number;
  rank: number;
}

/**
 * The game's rule book over plain data: players, rounds, answers and scores. The server
 * room wraps it with the network, timers and storage; solo mode wraps it with local timers.
 * It never reads a clock: callers pass the elapsed time of an answer.
 */
export class GameEngine {
  phase: Phase = 'lobby';
  settings: GameSettings;
  readonly players = new Map<string, PlayerRecord>();
  readonly rounds: RoundRecord[] = [];
  private plan: PlannedRound[];
  private readonly seed: number;

  constructor(settings: GameSettings, seed: number) {
    this.settings = settings;
    this.plan = planRounds(settings);
    this.seed = seed >>> 0;
  }

  get totalRounds(): number {
    return this.plan.length;
  }

  get current(): RoundRecord | null {
    return this.rounds.at(-1) ?? null;
  }

  configure(settings: GameSettings): void {
    if (this.phase !== 'lobby') throw new GameError('wrong_phase', 'The playlist can only change before the game starts.');
    this.settings = settings;
    this.plan = planRounds(settings);
  }

  addPlayer(id: string, nickname: string): PlayerRecord {
    const player: PlayerRecord = { id, nickname, score: 0, lastPoints: 0 };
    this.players.set(id, player);
    return player;
  }

  removePlayer(id: string): void {
    this.players.delete(id);
  }

  hasNextRound(): boolean {
    return this.rounds.length < this.plan.length;
  }

  private nextSeed(): number {
    return deriveSeed(this.seed, `round-${this.rounds.length}`);
  }

  /** What a generative model must render before the next round can start (often nothing). */
  nextRenderJobs(): { type: RoundType; jobs: RenderRecipe[]; generators: number; seed: number } {
    if (!this.hasNextRound()) throw new GameError('game_over');
    const planned = this.plan[this.rounds.length]!;
    const rules = roundRules(planned.type);
    const seed = this.nextSeed();
    return {
      type: planned.type,
      jobs: rules.renderJobs?.(seed, planned.options) ?? [],
      generators: rules.generatorCount?.(planned.options) ?? 0,
      seed,
    };
  }

  /**
   * Draws the next round and opens answers. `renders` are the pixels of `nextRenderJobs()`
   * in order; `hiddenJobs` says which player's device rendered which of them.
   */
  startRound(
    renders: readonly Uint8Array[] = [],
    hiddenJobs = new Map<string, Set<number>>(),
    generators = new Map<string, number[]>(),
  ): QuestionPayload {
    if (this.phase === 'question' || this.phase === 'podium') throw new GameError('wrong_phase');
    if (!this.hasNextRound()) throw new GameError('game_over');
    const index = this.rounds.length;
    const planned = this.plan[index]!;
    const seed = this.nextSeed();
    const { secret, question } = roundRules(planned.type).prepare(seed, planned.options, renders);
    this.rounds.push({
      index,
      type: planned.type,
      seed,
      durationMs: planned.durationMs,
      speedBonus: planned.speedBonus,
      secret,
      question,
      hiddenJobs,
      generators,
      credits: [],
      answers: new Map(),
      revealed: false,
    });
    this.phase = 'question';
    return this.questionPayload()!;
  }

  /** The question of the open round as one player (or the host, with no id) may see it. */
  questionPayload(playerId?: string): QuestionPayload | null {
    const round = this.current;
    if (!round || this.phase !== 'question') return null;
    const rules = roundRules(round.type);
    const hidden = playerId === undefined ? undefined : round.hiddenJobs.get(playerId);
    return {
      round: round.index,
      totalRounds: this.totalRounds,
      type: round.type,
      title: rules.title,
      formula: rules.formula,
      durationMs: round.durationMs,
      question: hidden && rules.questionFor ? rules.questionFor(round.question, hidden, round.secret) : round.question,
    };
  }

  /** Whether a player's question differs from the common one (their device rendered part of it). */
  hasOwnQuestion(playerId: string): boolean {
    return (this.current?.hiddenJobs.get(playerId)?.size ?? 0) > 0;
  }

  /** Lets the trained models answer the open round; their answers appear at the reveal. */
  async askNeuralOpponents(opponents: NeuralOpponents): Promise<void> {
    const round = this.current;
    if (!round) return;
    await roundRules(round.type).neural?.(round.secret, opponents);
  }

  /** Validates and scores one answer; throws GameError and changes nothing when refused. */
  submitAnswer(playerId: string, roundIndex: number, payload: unknown, elapsedMs: number): RecordedAnswer {
    const player = this.players.get(playerId);
    if (!player) throw new GameError('no_player');
    const round = this.current;
    if (this.phase !== 'question' || !round) throw new GameError('not_answering');
    if (roundIndex !== round.index) throw new GameError('wrong_round');
    if (round.generators.has(playerId)) throw new GameError('generator_turn');
    if (round.answers.has(playerId)) throw new GameError('already_answered');
    const rules = roundRules(round.type);
    const parsed = rules.answerSchema.safeParse(payload);
    if (!parsed.success) throw new GameError('bad_message', 'That answer is not valid for this round.');
    const problem = rules.validateAnswer?.(round.secret, parsed.data, round.hiddenJobs.get(playerId) ?? new Set());
    if (problem) throw new GameError('bad_message', problem);
    const speedFraction = round.speedBonus ? Math.max(0, 1 - elapsedMs / round.durationMs) : null;
    const score = rules.score(round.secret, parsed.data, speedFraction);
    const recorded: RecordedAnswer = { answer: parsed.data, elapsedMs, ...score };
    round.answers.set(playerId, recorded);
    return recorded;
  }

  allAnswered(): boolean {
    const round = this.current;
    if (!round || this.phase !== 'question' || this.players.size === 0) return false;
    for (const id of this.players.keys()) if (!round.answers.has(id) && !round.generators.has(id)) return false;
    return true;
  }

  /** Closes answers, adds points to scores, and returns the reveal and the result rows. */
  reveal(): { payload: RevealPayload; rows: ResultRow[] } {
    const round = this.current;
    if (this.phase !== 'question' || !round) throw new GameError('wrong_phase');
    const rules = roundRules(round.type);
    const answers: PlayerAnswer<unknown>[] = [];
    const rows: ResultRow[] = [];
    for (const player of this.players.values()) {
      const a = round.answers.get(player.id);
      if (a) answers.push({ playerId: player.id, nickname: player.nickname, answer: a.answer, points: a.points, elapsedMs: a.elapsedMs });
    }
    round.credits = this.generatorCredits(round, answers);
    for (const player of this.players.values()) {
      const a = round.answers.get(player.id);
      const credits = round.credits.filter((c) => c.playerId === player.id);
      const generatorPoints = credits.reduce((sum, c) => sum + c.points, 0);
      player.lastPoints = (a?.points ?? 0) + generatorPoints;
      player.score += player.lastPoints;
      rows.push({
        roundIndex: round.index,
        roundType: round.type,
        playerId: player.id,
        nickname: player.nickname,
        answer: a ? rules.formatAnswer(a.answer) : credits.length ? `generator: ${credits.map((c) => `job ${c.job}`).join(' ')}` : '',
        truth: rules.formatTruth(round.secret),
        points: player.lastPoints,
        elapsedMs: a ? Math.round(a.elapsedMs) : null,
      });
    }
    round.revealed = true;
    this.phase = 'reveal';
    return { payload: this.revealPayload()!, rows };
  }

  revealPayload(): RevealPayload | null {
    const round = this.current;
    if (!round?.revealed) return null;
    const rules = roundRules(round.type);
    const answers: PlayerAnswer<unknown>[] = [];
    for (const [playerId, a] of round.answers) {
      const nickname = this.players.get(playerId)?.nickname;
      if (nickname !== undefined) answers.push({ playerId, nickname, answer: a.answer, points: a.points, elapsedMs: a.elapsedMs });
    }
    return {
      round: round.index,
      totalRounds: this.totalRounds,
      type: round.type,
      title: rules.title,
      formula: rules.formula,
      reveal: rules.reveal(round.secret, answers, round.credits),
    };
  }

  private generatorCredits(round: RoundRecord, answers: readonly PlayerAnswer<unknown>[]): GeneratorCredit[] {
    const rules = roundRules(round.type);
    if (!rules.generatorPoints) return [];
    return [...round.generators].flatMap(([playerId, jobs]) =>
      jobs.map((job) => ({
        job,
        playerId,
        nickname: this.players.get(playerId)?.nickname ?? '',
        points: rules.generatorPoints!(round.secret, job, answers),
      })),
    );
  }

  showLeaderboard(): void {
    if (this.phase !== 'reveal') throw new GameError('wrong_phase');
    this.phase = 'leaderboard';
  }

  /** Ends the game early or after the last round. */
  finish(): void {
    this.phase = 'podium';
  }

  /** Ranked standings; equal scores share a rank. */
  standings(): Standing[] {
    const sorted = [...this.players.values()].sort((a, b) => b.score - a.score || a.nickname.localeCompare(b.nickname));
    let rank = 0;
    let previous = Number.NaN;
    return sorted.map((p, i) => {
      if (p.score !== previous) rank = i + 1;
      previous = p.score;
      return { id: p.id, nickname: p.nickname, score: p.score, lastPoints: p.lastPoints, rank };
    });
  }
}
