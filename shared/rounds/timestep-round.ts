import { z } from 'zod';
import { makeSample } from '../dataset/index.ts';
import { linearSchedule, noiseImage, type Schedule } from '../diffusion/index.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';

/**
 * "Guess the timestep": the DDPM forward process x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε under the
 * lecture's linear schedule (β from 1e-4 to 0.02, T = 1000). Players see only x_t.
 */
export const TIMESTEP_T = 1000;
/** Guesses further than this from the truth score no accuracy points. */
export const TIMESTEP_TOLERANCE = 250;
const ACCURACY_MAX = 1000;
const SPEED_BONUS_MAX = 200;

let schedule: Schedule | null = null;
/** The schedule is the same for every round; build it once. */
export function timestepSchedule(): Schedule {
  schedule ??= linearSchedule(TIMESTEP_T);
  return schedule;
}

interface TimestepSecret {
  t: number;
  imageSeed: number;
  caption: string;
  clean: Uint8Array;
  noisy: Uint8Array;
}
export interface TimestepQuestion {
  kind: 'timestep';
  T: number;
  pixels: Uint8Array;
}
interface TimestepAnswer {
  t: number;
}
export interface TimestepReveal {
  kind: 'timestep';
  t: number;
  T: number;
  alphaBar: number;
  caption: string;
  clean: Uint8Array;
  noisy: Uint8Array;
  guesses: { playerId: string; nickname: string; t: number; points: number }[];
}

export function timestepScore(truth: number, guess: number, speedFraction: number | null): ScoreBreakdown {
  const closeness = Math.max(0, 1 - Math.abs(guess - truth) / TIMESTEP_TOLERANCE);
  const accuracy = Math.round(ACCURACY_MAX * closeness);
  // Speed only rewards answers that are worth something, or random fast clicks would pay.
  const speedBonus = speedFraction === null || accuracy === 0 ? 0 : Math.round(SPEED_BONUS_MAX * clamp01(speedFraction));
  return { points: accuracy + speedBonus, accuracy, speedBonus };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

export const timestepRound = defineRound<TimestepSecret, TimestepQuestion, TimestepAnswer, TimestepReveal>({
  type: 'timestep',
  title: 'Guess the timestep',
  blurb: 'An image went through t steps of the DDPM forward process. How noisy is it? Guess t.',
  optionsSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  defaultOptions: {},
  answerSchema: z.object({ t: z.number().int().min(1).max(TIMESTEP_T) }).strict(),
  formula: `points = round(${ACCURACY_MAX} · max(0, 1 − |t̂ − t| / ${TIMESTEP_TOLERANCE})) + speed bonus (up to ${SPEED_BONUS_MAX} · time left, only when the guess scores)`,

  prepare(draws) {
    const rng = draws.stream('timestep');
    // Uniform t, as in DDPM training: the late steps of the linear schedule are nearly
    // pure noise, which is itself a lesson (and why cosine schedules exist).
    const t = rng.int(1, TIMESTEP_T);
    const imageSeed = rng.int(0, 0x7fffffff);
    const sample = makeSample(imageSeed);
    const noisy = noiseImage(sample.pixels, t, timestepSchedule(), draws.stream('epsilon'));
    return {
      secret: { t, imageSeed, caption: sample.caption, clean: sample.pixels, noisy },
      question: { kind: 'timestep', T: TIMESTEP_T, pixels: noisy },
    };
  },

  score(secret, answer, speedFraction) {
    return timestepScore(secret.t, answer.t, speedFraction);
  },

  reveal(secret, answers) {
    const s = timestepSchedule();
    return {
      kind: 'timestep',
      t: secret.t,
      T: TIMESTEP_T,
      alphaBar: s.alphaBars[secret.t - 1]!,
      caption: secret.caption,
      clean: secret.clean,
      noisy: secret.noisy,
      guesses: answers.map((a) => ({ playerId: a.playerId, nickname: a.nickname, t: a.answer.t, points: a.points })),
    };
  },

  formatAnswer: (answer) => String(answer.t),
  formatTruth: (secret) => String(secret.t),
});
