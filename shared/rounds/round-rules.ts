import type { z } from 'zod';

/** What every round type provides: one rule book used by the server room and solo mode. */
export interface RoundRules<Secret, Question, Answer, Reveal> {
  readonly type: string;
  /** Shown in the host's playlist and on screen. */
  readonly title: string;
  /** One line for the host's playlist: what students do. */
  readonly blurb: string;
  /** Validates a player's answer payload (never trust the client). */
  readonly answerSchema: z.ZodType<Answer>;
  /**
   * Draws a round from a seed. The secret stays on the server until the reveal; the
   * question is all a player's device ever receives before it.
   */
  prepare(seed: number): { secret: Secret; question: Question };
  /** Points for one answer. `speedFraction` is the share of time left (0..1), or null when speed does not count. */
  score(secret: Secret, answer: Answer, speedFraction: number | null): ScoreBreakdown;
  /** Everything the reveal screen shows, including every player's answer. */
  reveal(secret: Secret, answers: readonly PlayerAnswer<Answer>[]): Reveal;
  /** Plain-text forms for the CSV report. */
  formatAnswer(answer: Answer): string;
  formatTruth(secret: Secret): string;
  /** The scoring rule as players read it on screen. */
  readonly formula: string;
}

export interface ScoreBreakdown {
  points: number;
  accuracy: number;
  speedBonus: number;
}

export interface PlayerAnswer<Answer> {
  playerId: string;
  nickname: string;
  answer: Answer;
  points: number;
  elapsedMs: number;
}

// The rule book is generic over its payloads; callers that only route messages use this.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoundRules = RoundRules<any, any, any, any>;
