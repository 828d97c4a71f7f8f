import { z } from 'zod';
import { makeSample } from '../dataset/index.ts';
import { linearSchedule, noiseImage, type Schedule } from '../diffusion/index.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';

/**
 * "Guess the timestep": the DDPM forward process x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε under the
 * lecture's linear schedule (β from 1e-4 to 0.02, T = 1000). Players see only x_t.
 */
export const TIMESTEP_T = 1000;
/**
 * The rounds' noise levels, as log-SNR λ = ln(ᾱ_t / (1 − ᾱ_t)), drawn uniformly between
 * these: from an image barely touched (λ = 5, t ≈ 30) to one with a fifth of its signal left
 * (λ = −3, √ᾱ ≈ 0.22, t ≈ 560). Uniform t spent 44% of rounds beyond that, where every
 * image is noise and a guess is a guess. Uniform λ is also how an image's noise level looks:
 * each step of λ changes the picture about as much.
 */
export const TIMESTEP_LOGSNR_RANGE = [-3, 5] as const;
/** Guesses whose λ is further than this (in nats) from the truth's score no accuracy points. */
export const TIMESTEP_LOGSNR_TOLERANCE = 2;
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
  /** λ = ln(ᾱ_t / (1 − ᾱ_t)): what closeness is measured in. */
  logSnr: number;
  caption: string;
  clean: Uint8Array;
  noisy: Uint8Array;
  guesses: { playerId: string; nickname: string; t: number; points: number }[];
}

let logSnrs: Float64Array | null = null;
/** λ(t) = ln(ᾱ_t / (1 − ᾱ_t)) under the round's schedule (a table built once, like the schedule). */
export function timestepLogSnr(t: number): number {
  logSnrs ??= Float64Array.from(timestepSchedule().alphaBars, (ab) => Math.log(ab / (1 - ab)));
  return logSnrs[t - 1]!;
}

/** The step whose λ is nearest (λ falls with t). */
export function timestepAtLogSnr(lambda: number): number {
  let best = 1;
  for (let t = 2; t <= TIMESTEP_T; t++) if (Math.abs(timestepLogSnr(t) - lambda) < Math.abs(timestepLogSnr(best) - lambda)) best = t;
  return best;
}

/** Closeness is measured in λ, the noise level the eye reads, not in steps. */
export function timestepScore(truth: number, guess: number, speedFraction: number | null): ScoreBreakdown {
  const closeness = Math.max(0, 1 - Math.abs(timestepLogSnr(guess) - timestepLogSnr(truth)) / TIMESTEP_LOGSNR_TOLERANCE);
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
  formula: `points = round(${ACCURACY_MAX} · max(0, 1 − |λ(t̂) − λ(t)| / ${TIMESTEP_LOGSNR_TOLERANCE})) + speed bonus (up to ${SPEED_BONUS_MAX} · time left, only when the guess scores), where λ(t) = ln(ᾱ_t / (1 − ᾱ_t)) is the log signal-to-noise ratio`,

  prepare(draws) {
    const rng = draws.stream('timestep');
    // Uniform in λ over the readable range (DDPM trains on uniform t; a player reading an image needs a readable one).
    const [lo, hi] = TIMESTEP_LOGSNR_RANGE;
    const t = timestepAtLogSnr(lo + (hi - lo) * rng.next());
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
      logSnr: timestepLogSnr(secret.t),
      caption: secret.caption,
      clean: secret.clean,
      noisy: secret.noisy,
      guesses: answers.map((a) => ({ playerId: a.playerId, nickname: a.nickname, t: a.answer.t, points: a.points })),
    };
  },

  formatAnswer: (answer) => String(answer.t),
  formatTruth: (secret) => String(secret.t),
});
