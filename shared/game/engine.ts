import { GameError } from '../protocol/errors.ts';
import type { NeuralOpponents, RenderRecipe } from '../render/recipes.ts';
import type { DrawSource, RoundDraws } from '../random.ts';
import { CUT_WEIGHT, fairRatings, meanStars } from './fair-ratings.ts';
import type { GeneratorCredit, PlayerAnswer, RatingHooks } from '../rounds/round-rules.ts';
import { roundRules, type QuestionOf, type RevealOf, type RoundType } from '../rounds/registry.ts';
import { planRounds, type GameSettings, type PlannedRound } from './settings.ts';

/** 'preparing': the next round's fakes are being made (the match machine's phase; the engine goes lobby/leaderboard → question). */
export type Phase = 'lobby' | 'preparing' | 'question' | 'reveal' | 'leaderboard' | 'podium';

/** How long the automatic phases last; the host can skip or pause them. */
export const REVEAL_MS = 15_000;
/** The reveal of a rated round (the Noise lab's 'sample') lasts longer: the class rates the samples in it. */
export const RATING_MS = 45_000;
export const MIN_STARS = 1;
export const MAX_STARS = 5;
/** The rater id of the neural judge (solo mode rates samples with it). */
const NEURAL_JUDGE_ID = 'neural-judge';

/** Where one answer stands in the ratings. `points` are final once the ratings are closed, a projection before. */
export interface RatingTally {
  playerId: string;
  count: number;
  /** The plain mean of the stars given. */
  mean: number | null;
  /** The fair mean (`fair-ratings.ts`: each rater's stars centred on their own mean, weighed by agreement with the class): what the points come from. */
  fairMean: number | null;
  /** How many of its ratings counted less than half (far from the rest of the class's view of it). */
  cut: number;
  points: number;
  /** The neural judge's probability, when it rated. */
  judge: number | null;
}

export interface RatingsPayload {
  round: number;
  open: boolean;
  tallies: RatingTally[];
}

interface PlayerRecord {
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
  /** Rated rounds: points from the ratings, added when they close. */
  ratingPoints?: number;
}

interface RoundRecord {
  index: number;
  type: RoundType;
  durationMs: number;
  speedBonus: boolean;
  secret: unknown;
  question: unknown;
  /** The student whose device rendered this round's images (it saw the recipes): they sit the round out. */
  renderedBy: string | null;
  credits: GeneratorCredit[];
  /** Generator players and the render jobs whose fakes they picked; they do not answer. */
  generators: Map<string, number[]>;
  answers: Map<string, RecordedAnswer>;
  revealed: boolean;
  /** Rated rounds: stars by rated player, then by rater (NEURAL_JUDGE_ID for the judge). */
  ratings: Map<string, Map<string, number>>;
  /** The neural judge's probability per rated player. */
  judged: Map<string, number>;
  ratingsClosed: boolean;
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

/** A round's question as a player receives it; `type` says which rule book's question it holds. */
export type QuestionPayload<T extends RoundType = RoundType> = T extends RoundType
  ? {
      round: number;
      totalRounds: number;
      type: T;
      title: string;
      formula: string;
      durationMs: number;
      question: QuestionOf<T>;
      /** Only in the copy sent to the student whose device rendered the round: they do not answer it. */
      sittingOut?: 'rendered';
    }
  : never;

export type RevealPayload<T extends RoundType = RoundType> = T extends RoundType ? RevealFields & { type: T; reveal: RevealOf<T> } : never;

interface RevealFields {
  round: number;
  totalRounds: number;
  title: string;
  formula: string;
  /** Each player's points this round by player id (answer and generator work; ratings once closed). */
  points: Record<string, number>;
  /** Rated rounds only: the ratings so far. */
  ratings?: RatingsPayload;
  /** The student whose device rendered the round: they sat it out and got `points[id]`, the class average. */
  renderedBy?: { playerId: string; nickname: string };
}

export interface Standing {
  id: string;
  nickname: string;
  score: number;
  lastPoints: number;
  rank: number;
}

/**
 * What a class must keep to survive a restart, besides each answer and rating (kept as
 * they arrive, `StoredAnswer`/`StoredRating`): the roster and scores, how far the playlist
 * has got, and the open round in full (its secret and question, so a re-asked question is
 * the same question). Earlier rounds are in the results store already.
 */
export interface EngineSnapshot {
  settings: GameSettings;
  phase: Phase;
  players: { id: string; nickname: string; score: number; lastPoints: number }[];
  roundsOpened: number;
  /** Each series' memory (SeriesHooks), by round type; absent in snapshots from before series. */
  series?: [string, unknown][];
  current: {
    index: number;
    type: RoundType;
    durationMs: number;
    speedBonus: boolean;
    secret: unknown;
    question: unknown;
    renderedBy: string | null;
    credits: GeneratorCredit[];
    generators: [string, number[]][];
    revealed: boolean;
    judged: [string, number][];
    ratingsClosed: boolean;
  } | null;
}

export interface StoredAnswer extends RecordedAnswer {
  round: number;
  playerId: string;
}

export interface StoredRating {
  round: number;
  target: string;
  rater: string;
  stars: number;
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
  private readonly source: DrawSource;
  /** The next round's draws, kept from its render jobs until it starts (both must agree). */
  private pending: { index: number; draws: RoundDraws } | null = null;
  /** What each round type's series has learnt so far in this game (SeriesHooks). */
  private readonly series = new Map<string, unknown>();

  constructor(settings: GameSettings, source: DrawSource) {
    this.settings = settings;
    this.plan = planRounds(settings);
    this.source = source;
  }

  get totalRounds(): number {
    return this.plan.length;
  }

  snapshot(): EngineSnapshot {
    const r = this.current;
    return {
      settings: this.settings,
      phase: this.phase,
      players: [...this.players.values()].map(({ id, nickname, score, lastPoints }) => ({ id, nickname, score, lastPoints })),
      roundsOpened: this.rounds.length,
      series: [...this.series],
      current: r && {
        index: r.index,
        type: r.type,
        durationMs: r.durationMs,
        speedBonus: r.speedBonus,
        secret: r.secret,
        question: r.question,
        renderedBy: r.renderedBy,
        credits: r.credits,
        generators: [...r.generators],
        revealed: r.revealed,
        judged: [...r.judged],
        ratingsClosed: r.ratingsClosed,
      },
    };
  }

  /** An engine as it was at `snapshot`, with the answers and ratings received since put back. */
  static restore(snap: EngineSnapshot, source: DrawSource, answers: readonly StoredAnswer[], ratings: readonly StoredRating[]): GameEngine {
    const engine = new GameEngine(snap.settings, source);
    engine.phase = snap.phase;
    for (const [type, memory] of snap.series ?? []) engine.series.set(type, memory);
    for (const p of snap.players) engine.players.set(p.id, { ...p });
    for (let index = 0; index < snap.roundsOpened; index++) {
      const c = snap.current?.index === index ? snap.current : null;
      const planned = engine.plan[index]!;
      engine.rounds.push({
        index,
        type: c?.type ?? planned.type,
        durationMs: c?.durationMs ?? planned.durationMs,
        speedBonus: c?.speedBonus ?? planned.speedBonus,
        secret: c?.secret ?? null,
        question: c?.question ?? null,
        renderedBy: c?.renderedBy ?? null,
        credits: c?.credits ?? [],
        generators: new Map(c?.generators ?? []),
        answers: new Map(),
        revealed: c?.revealed ?? true,
        ratings: new Map(),
        judged: new Map(c?.judged ?? []),
        ratingsClosed: c?.ratingsClosed ?? true,
      });
    }
    const current = engine.current;
    if (current && snap.current) {
      for (const { round, playerId, ...answer } of answers) if (round === current.index) current.answers.set(playerId, answer);
      for (const { round, target, rater, stars } of ratings) {
        if (round !== current.index) continue;
        const given = current.ratings.get(target) ?? new Map<string, number>();
        given.set(rater, stars);
        current.ratings.set(target, given);
      }
    }
    return engine;
  }

  /** A restored player took their seat back on a new connection: everything of theirs moves to the new id. */
  rekeyPlayer(oldId: string, newId: string): void {
    const player = this.players.get(oldId);
    if (!player || oldId === newId) return;
    this.players.delete(oldId);
    player.id = newId;
    this.players.set(newId, player);
    const move = <V>(map: Map<string, V>) => {
      const value = map.get(oldId);
      if (value === undefined) return;
      map.delete(oldId);
      map.set(newId, value);
    };
    for (const round of this.rounds) {
      move(round.answers);
      move(round.generators);
      move(round.judged);
      move(round.ratings);
      for (const given of round.ratings.values()) move(given);
      if (round.renderedBy === oldId) round.renderedBy = newId;
      for (const c of round.credits) if (c.playerId === oldId) c.playerId = newId;
    }
  }

  /** One received answer as it is stored (so a restart keeps it). */
  storedAnswer(playerId: string): StoredAnswer | null {
    const round = this.current;
    const a = round?.answers.get(playerId);
    return round && a ? { round: round.index, playerId, ...a } : null;
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

  private nextDraws(): RoundDraws {
    const index = this.rounds.length;
    if (this.pending?.index !== index) this.pending = { index, draws: this.source(index) };
    return this.pending.draws;
  }

  /**
   * What a generative model must render before the next round can start (often nothing).
   */
  nextRenderJobs(): { type: RoundType; jobs: RenderRecipe[]; generators: number; draws: RoundDraws } {
    if (!this.hasNextRound()) throw new GameError('game_over');
    const planned = this.plan[this.rounds.length]!;
    const rules = roundRules(planned.type);
    const draws = this.nextDraws();
    return {
      type: planned.type,
      jobs: rules.renderJobs?.(draws, planned.options, this.memoryFor(planned)) ?? [],
      generators: rules.generatorCount?.(planned.options) ?? 0,
      draws,
    };
  }

  /** What each series has shown the class so far (SeriesHooks.shown), by round type: for a device that (re)joins. */
  seriesShown(): Partial<Record<RoundType, unknown>> {
    const shown: Partial<Record<RoundType, unknown>> = {};
    for (const [type, memory] of this.series) {
      const hooks = roundRules(type as RoundType).series;
      if (hooks) shown[type as RoundType] = hooks.shown(memory);
    }
    return shown;
  }

  /** The memory of the series a planned round belongs to (null: none yet, or not in a series). */
  private memoryFor(planned: PlannedRound): unknown {
    const series = roundRules(planned.type).series;
    return series?.active(planned.options) ? (this.series.get(planned.type) ?? null) : null;
  }

  /**
   * Draws the next round and opens answers. `renders` are the pixels of `nextRenderJobs()`
   * in order; `renderedBy` is the student whose device rendered them (it sits the round out).
   */
  startRound(renders: readonly Uint8Array[] = [], renderedBy: string | null = null, generators = new Map<string, number[]>()): QuestionPayload {
    if (this.phase === 'question' || this.phase === 'podium') throw new GameError('wrong_phase');
    if (!this.hasNextRound()) throw new GameError('game_over');
    const index = this.rounds.length;
    const planned = this.plan[index]!;
    const { secret, question } = roundRules(planned.type).prepare(this.nextDraws(), planned.options, renders, this.memoryFor(planned));
    this.pending = null;
    this.rounds.push({
      index,
      type: planned.type,
      durationMs: planned.durationMs,
      speedBonus: planned.speedBonus,
      secret,
      question,
      renderedBy,
      generators,
      credits: [],
      answers: new Map(),
      revealed: false,
      ratings: new Map(),
      judged: new Map(),
      ratingsClosed: false,
    });
    this.phase = 'question';
    return this.questionPayload()!;
  }

  /** The question of the open round as one player (or the host, with no id) may see it. */
  questionPayload(playerId?: string): QuestionPayload | null {
    const round = this.current;
    if (!round || this.phase !== 'question') return null;
    return {
      ...this.heading(round),
      durationMs: round.durationMs,
      question: round.question,
      ...(playerId !== undefined && playerId === round.renderedBy ? { sittingOut: 'rendered' } : {}),
      // `round.type`'s rule book made this question: the one place its type is taken on trust.
    } as QuestionPayload;
  }

  /** What a question and its reveal both say about their round. */
  private heading(round: RoundRecord) {
    const rules = roundRules(round.type);
    return { round: round.index, totalRounds: this.totalRounds, type: round.type, title: rules.title, formula: rules.formula };
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
    if (round.renderedBy === playerId) throw new GameError('rendered_round');
    if (round.answers.has(playerId)) throw new GameError('already_answered');
    const rules = roundRules(round.type);
    const parsed = rules.answerSchema.safeParse(payload);
    if (!parsed.success) throw new GameError('bad_message', 'That answer is not valid for this round.');
    const problem = rules.validateAnswer?.(round.secret, parsed.data);
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
    for (const id of this.players.keys()) if (!round.answers.has(id) && this.answers(id)) return false;
    return true;
  }

  /** Whether a player answers the open round (generator players and the round's render worker do not). */
  answers(playerId: string): boolean {
    const round = this.current;
    return !round || (!round.generators.has(playerId) && round.renderedBy !== playerId);
  }

  /**
   * The points of a student who sat a round out because their device rendered it: the
   * mean of the discriminators' points (non-answers count 0), so rendering neither costs
   * nor earns a place on the leaderboard on average.
   */
  private neutralPoints(round: RoundRecord): number {
    const judges = [...this.players.keys()].filter((id) => !round.generators.has(id) && id !== round.renderedBy);
    if (judges.length === 0) return 0;
    return Math.round(judges.reduce((sum, id) => sum + (round.answers.get(id)?.points ?? 0), 0) / judges.length);
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
    const planned = this.plan[round.index]!;
    if (rules.series?.active(planned.options)) this.series.set(round.type, rules.series.after(this.series.get(round.type) ?? null, round.secret, answers));
    const neutral = this.neutralPoints(round);
    for (const player of this.players.values()) {
      const a = round.answers.get(player.id);
      const credits = round.credits.filter((c) => c.playerId === player.id);
      const generatorPoints = credits.reduce((sum, c) => sum + c.points, 0);
      const rendered = player.id === round.renderedBy;
      player.lastPoints = rendered ? neutral : (a?.points ?? 0) + generatorPoints;
      player.score += player.lastPoints;
      rows.push({
        roundIndex: round.index,
        roundType: round.type,
        playerId: player.id,
        nickname: player.nickname,
        answer: rendered
          ? 'sat out: rendered the images (class average)'
          : a
            ? rules.formatAnswer(a.answer)
            : credits.length
              ? `generator: ${credits.map((c) => `job ${c.job}`).join(' ')}`
              : '',
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
    const ratings = this.ratingsPayload();
    const renderer = round.renderedBy === null ? undefined : this.players.get(round.renderedBy);
    return {
      ...this.heading(round),
      reveal: rules.reveal(round.secret, answers, round.credits),
      points: Object.fromEntries([...this.players.values()].map((p) => [p.id, p.lastPoints])),
      ...(ratings ? { ratings } : {}),
      ...(renderer ? { renderedBy: { playerId: renderer.id, nickname: renderer.nickname } } : {}),
    } as RevealPayload;
  }

  // ---- ratings (rounds whose rule book has `ratings` hooks) ---------------------------

  private ratingHooks(round: RoundRecord | null): RatingHooks<unknown, unknown> | null {
    const hooks = round ? roundRules(round.type).ratings : undefined;
    return hooks && round && hooks.rated(round.secret) ? hooks : null;
  }

  /** Whether the current round's answers are rated. */
  isRated(): boolean {
    return this.ratingHooks(this.current) !== null;
  }

  /** How long the reveal of the current round lasts: longer when there are samples to rate. */
  revealMs(): number {
    const round = this.current;
    // Someone must be able to rate someone else's answer.
    return this.isRated() && (round?.answers.size ?? 0) >= 1 && this.players.size >= 2 ? RATING_MS : REVEAL_MS;
  }

  /** Players whose answers can be rated (answered and still in the game). */
  private ratedIds(round: RoundRecord): string[] {
    return [...round.answers.keys()].filter((id) => this.players.has(id));
  }

  /** One player's stars for another player's answer; throws GameError and changes nothing when refused. */
  rate(raterId: string, roundIndex: number, targetId: string, stars: number): RatingsPayload {
    if (!this.players.has(raterId)) throw new GameError('no_player');
    const round = this.current;
    if (!round || this.phase !== 'reveal' || !round.revealed || round.ratingsClosed) throw new GameError('wrong_phase', 'Samples can only be rated while the reveal is open.');
    if (roundIndex !== round.index) throw new GameError('wrong_round', 'That rating is for a different round.');
    const hooks = this.ratingHooks(round);
    if (!hooks) throw new GameError('wrong_phase', 'There is nothing to rate in this round.');
    if (!round.answers.has(targetId) || !this.players.has(targetId)) throw new GameError('no_such_player', 'That player has no sample to rate.');
    if (raterId === targetId) throw new GameError('bad_message', 'You cannot rate your own sample.');
    if (!Number.isInteger(stars) || stars < MIN_STARS || stars > MAX_STARS) throw new GameError('bad_message', `A rating is ${MIN_STARS} to ${MAX_STARS} stars.`);
    const given = round.ratings.get(targetId) ?? new Map<string, number>();
    if (given.has(raterId)) throw new GameError('already_answered', 'You already rated that sample.');
    round.ratings.set(targetId, given);
    given.set(raterId, stars);
    return this.ratingsPayload()!;
  }

  /** True once every player has rated every other player's answer (the reveal can end early). */
  allRated(): boolean {
    const round = this.current;
    if (!round || !this.isRated() || this.phase !== 'reveal' || round.ratingsClosed) return false;
    const targets = this.ratedIds(round);
    let pairs = 0;
    for (const rater of this.players.keys()) {
      for (const target of targets) {
        if (target === rater) continue;
        pairs += 1;
        if (!round.ratings.get(target)?.has(rater)) return false;
      }
    }
    return pairs > 0;
  }

  /**
   * Solo mode: the neural judge rates each answer of the current rated round (1 + 4p
   * stars for its probability p). Call before `reveal()` so the reveal shows its verdict.
   */
  async judgeRatings(opponents: NeuralOpponents): Promise<void> {
    const round = this.current;
    const hooks = this.ratingHooks(round);
    if (!round || !hooks?.judge || round.ratingsClosed) return;
    const answers = [...round.answers].filter(([id]) => !round.judged.has(id)).map(([playerId, a]) => ({ playerId, answer: a.answer }));
    if (answers.length === 0) return;
    const verdicts = await hooks.judge(round.secret, answers, opponents);
    if (round.ratingsClosed) return;
    for (const [playerId, p] of verdicts) {
      if (!Number.isFinite(p)) continue;
      const probability = Math.min(1, Math.max(0, p));
      round.judged.set(playerId, probability);
      const given = round.ratings.get(playerId) ?? new Map<string, number>();
      round.ratings.set(playerId, given);
      given.set(NEURAL_JUDGE_ID, MIN_STARS + (MAX_STARS - MIN_STARS) * probability);
    }
  }

  /** The ratings of the current round as everyone may see them (null for unrated rounds). */
  ratingsPayload(): RatingsPayload | null {
    const round = this.current;
    const hooks = this.ratingHooks(round);
    if (!round || !hooks) return null;
    const fair = fairRatings(round.ratings);
    const tallies = this.ratedIds(round).map((playerId) => {
      const stars = [...(round.ratings.get(playerId)?.values() ?? [])];
      const sample = fair.get(playerId);
      const fairMean = sample?.fairMean ?? null;
      const a = round.answers.get(playerId)!;
      return {
        playerId,
        count: stars.length,
        mean: meanStars(stars),
        fairMean,
        cut: sample?.ratings.filter((r) => r.weight < CUT_WEIGHT).length ?? 0,
        points: round.ratingsClosed ? (a.ratingPoints ?? 0) : hooks.ratingPoints(round.secret, fairMean),
        judge: round.judged.get(playerId) ?? null,
      };
    });
    return { round: round.index, open: round.revealed && !round.ratingsClosed, tallies };
  }

  /**
   * Closes the ratings of the current round (once): adds their points to the scores and
   * returns the updated result rows (answer text with the ratings, new points).
   */
  closeRatings(): ResultRow[] {
    const round = this.current;
    const hooks = this.ratingHooks(round);
    if (!round || !hooks || !round.revealed || round.ratingsClosed) return [];
    round.ratingsClosed = true;
    const rules = roundRules(round.type);
    const fair = fairRatings(round.ratings);
    const rows: ResultRow[] = [];
    for (const playerId of this.ratedIds(round)) {
      const player = this.players.get(playerId)!;
      const a = round.answers.get(playerId)!;
      const sample = fair.get(playerId);
      const fairMean = sample?.fairMean ?? null;
      const points = hooks.ratingPoints(round.secret, fairMean);
      a.ratingPoints = points;
      player.lastPoints += points;
      player.score += points;
      const raters = (sample?.ratings ?? []).map(({ rater, stars, weight }) => {
        const who =
          rater === NEURAL_JUDGE_ID ? `neural judge ${(round.judged.get(playerId) ?? 0).toFixed(2)}→${stars.toFixed(1)}` : `${this.players.get(rater)?.nickname ?? rater} ${stars}`;
        return weight < CUT_WEIGHT ? `${who} (weight ${weight.toFixed(2)})` : who;
      });
      const mean = meanStars((sample?.ratings ?? []).map((r) => r.stars));
      // The fair mean is what paid; shown when it differs.
      const fairText = fairMean !== null && mean !== null && fairMean.toFixed(1) !== mean.toFixed(1) ? ` → fair ${fairMean.toFixed(1)}/5` : '';
      const rating = mean === null ? 'no ratings' : `rated ${mean.toFixed(1)}/5 by ${raters.length}: ${raters.join(', ')}${fairText}`;
      rows.push({
        roundIndex: round.index,
        roundType: round.type,
        playerId,
        nickname: player.nickname,
        answer: `${rules.formatAnswer(a.answer)} | ${rating} (+${points})`,
        truth: rules.formatTruth(round.secret),
        points: player.lastPoints,
        elapsedMs: Math.round(a.elapsedMs),
      });
    }
    return rows;
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

  /** Ends the reveal; returns the result rows that rating points changed (rated rounds). */
  showLeaderboard(): ResultRow[] {
    if (this.phase !== 'reveal') throw new GameError('wrong_phase');
    const rows = this.closeRatings();
    this.phase = 'leaderboard';
    return rows;
  }

  /** Ends the game early or after the last round; returns the rows that closing open ratings changed. */
  finish(): ResultRow[] {
    const rows = this.phase === 'reveal' ? this.closeRatings() : [];
    this.phase = 'podium';
    return rows;
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
