import type { z } from 'zod';
import type { RoundDraws } from '../random.ts';
import type { NeuralOpponents, RenderRecipe } from '../render/recipes.ts';

/** What every round type provides: one rule book used by the server room and solo mode. */
interface RoundRules<Secret, Question, Answer, Reveal, Options = Record<string, never>, Memory = null> {
  readonly type: string;
  /** Shown in the host's playlist and on screen. */
  readonly title: string;
  /** One line for the host's playlist: what students do. */
  readonly blurb: string;
  /** The host's per-round settings for this type (images per round, fake source…). */
  readonly optionsSchema: z.ZodType<Options>;
  readonly defaultOptions: Options;
  /** Validates a player's answer payload (never trust the client). */
  readonly answerSchema: z.ZodType<Answer>;
  /** The scoring rule as players read it on screen. */
  readonly formula: string;
  /**
   * Fakes the round needs from a generative model before it can start, in the order
   * `prepare` will receive their pixels. Rounds without fakes leave this out.
   */
  renderJobs?(draws: RoundDraws, options: Options, memory?: Memory | null): RenderRecipe[];
  /**
   * Draws a round (and takes its rendered fakes). The secret stays on the server until the
   * reveal; the question is all a player's device ever receives before it. Values a client
   * sees (image ids, seeds it renders with) come from streams of their own, never from the
   * stream the answer is drawn from.
   */
  prepare(draws: RoundDraws, options: Options, renders: readonly Uint8Array[], memory?: Memory | null): { secret: Secret; question: Question };
  /** Checks an answer against the round (for example, image ids exist); a message when it does not fit. */
  validateAnswer?(secret: Secret, answer: Answer): string | null;
  /** Points for one answer. `speedFraction` is the share of time left (0..1), or null when speed does not count. */
  score(secret: Secret, answer: Answer, speedFraction: number | null): ScoreBreakdown;
  /** How many players act as the generator G this round (they pick fakes instead of answering). */
  generatorCount?(options: Options): number;
  /** Zero-sum points of the generator player who picked the fake of render job `job`. */
  generatorPoints?(secret: Secret, job: number, answers: readonly PlayerAnswer<Answer>[]): number;
  /** Lets the trained models answer too (filled into the secret before the reveal). */
  neural?(secret: Secret, opponents: NeuralOpponents): Promise<void>;
  /** Everything the reveal screen shows, including every player's answer. */
  reveal(secret: Secret, answers: readonly PlayerAnswer<Answer>[], generators: readonly GeneratorCredit[]): Reveal;
  /** Plain-text forms for the CSV report. */
  formatAnswer(answer: Answer): string;
  formatTruth(secret: Secret): string;
  /** Rounds whose answers the class rates during the reveal (the Noise lab's 'sample'). */
  readonly ratings?: RatingHooks<Secret, Answer>;
  /** Rounds that carry what they learnt to the next round of their type (adversarial Spot the fake). */
  readonly series?: SeriesHooks<Secret, Answer, Options, Memory>;
}

/**
 * A series: rounds of one type that carry memory from one to the next within a game (in
 * adversarial Spot the fake, G's search and the curve of V(D,G) so far). The engine keeps
 * the memory (in its snapshot too, so a series survives a restart) and hands it to
 * renderJobs and prepare of the type's next active round; null before the first.
 */
export interface SeriesHooks<Secret, Answer, Options, Memory> {
  /** Whether a round with these options is part of the series. */
  active(options: Options): boolean;
  /** The memory after a revealed round of the series (its secret holds the neural D's answers, if any). */
  after(memory: Memory | null, secret: Secret, answers: readonly PlayerAnswer<Answer>[]): Memory;
  /**
   * What of the memory the class has already seen in the series' reveals, sent again to a
   * device that (re)joins so its final screen still plots the series. Never the search's
   * own state: that would tell the next round's fakes.
   */
  shown(memory: Memory): unknown;
}

/**
 * The hooks of a rule book whose answers are rated after the reveal opens (the Noise
 * lab's 'sample' challenge). Each player rates every other player's answer once, 1..5
 * stars, during the reveal; in solo mode the neural judge rates instead. Points from the
 * ratings are added when the ratings close (the leaderboard, or the end of the game).
 */
export interface RatingHooks<Secret, Answer> {
  /** Whether this round's answers get rated. */
  rated(secret: Secret): boolean;
  /**
   * Points an answer earns from its ratings, given their *fair* mean (`shared/game/fair-ratings.ts`:
   * each rater's stars centred on that rater's own mean and weighed by agreement with the
   * rest of the class; about 1..5, null when unrated), so neither a harsh rater nor a
   * second seat can reorder the answers.
   */
  ratingPoints(secret: Secret, fairMean: number | null): number;
  /** The neural judge's probability (0..1) that each answer fits, by player id (solo mode). */
  judge?(secret: Secret, answers: readonly { playerId: string; answer: Answer }[], opponents: NeuralOpponents): Promise<Map<string, number>>;
}

export interface ScoreBreakdown {
  points: number;
  accuracy: number;
  speedBonus: number;
}

/** A generator player's fake and what it earned. */
export interface GeneratorCredit {
  job: number;
  playerId: string;
  nickname: string;
  points: number;
}

export interface PlayerAnswer<Answer> {
  playerId: string;
  nickname: string;
  answer: Answer;
  points: number;
  elapsedMs: number;
}

/**
 * A rule book with its payload types erased, for code that routes by round type (the
 * engine). Every hook is a method, so a concrete rule book is assignable to it; the
 * typed side is `RoundType`'s own rule book (registry.ts: QuestionOf, RevealOf, AnswerOf).
 */
export type AnyRoundRules = RoundRules<unknown, unknown, unknown, unknown, unknown, unknown>;

/** Declares a rule book; its payload types are inferred from it (and read back by registry.ts). */
export function defineRound<Secret, Question, Answer, Reveal, Options = Record<string, never>, Memory = null>(
  rules: RoundRules<Secret, Question, Answer, Reveal, Options, Memory>,
): RoundRules<Secret, Question, Answer, Reveal, Options, Memory> {
  return rules;
}
