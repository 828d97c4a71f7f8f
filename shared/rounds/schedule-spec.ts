import { z } from 'zod';
import { cosineSchedule, customSchedule, linearSchedule, MAX_T, MIN_T, type Schedule } from '../diffusion/index.ts';

/**
 * A β schedule as a player builds it in the lab: linear, cosine, or ᾱ drawn through a few
 * draggable control points. Any such spec yields a valid schedule (shared/diffusion
 * sanitises: β in (0, 0.999], ᾱ strictly decreasing) for every T from 10 to 1000.
 */
export const MAX_LAB_POINTS = 6;

export const scheduleSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linear'), T: z.number().int().min(MIN_T).max(MAX_T) }).strict(),
  z.object({ kind: z.literal('cosine'), T: z.number().int().min(MIN_T).max(MAX_T) }).strict(),
  z
    .object({
      kind: z.literal('custom'),
      T: z.number().int().min(MIN_T).max(MAX_T),
      /** ᾱ at normalised time t ∈ [0, 1]: "how much of the image is left". */
      points: z.array(z.object({ t: z.number().min(0).max(1), value: z.number().min(0).max(1) }).strict()).min(1).max(MAX_LAB_POINTS),
    })
    .strict(),
]);
export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>;

export function buildSchedule(spec: ScheduleSpec): Schedule {
  switch (spec.kind) {
    case 'linear':
      return linearSchedule(spec.T);
    case 'cosine':
      return cosineSchedule(spec.T);
    case 'custom':
      return customSchedule(spec.T, spec.points, 'alphaBar', 'monotoneCubic');
  }
}

/** ᾱ at normalised time u ∈ [0, 1] (linear interpolation between steps), so schedules with different T compare. */
export function alphaBarAt(schedule: Schedule, u: number): number {
  const x = Math.min(1, Math.max(0, u)) * schedule.T;
  const lo = Math.floor(x);
  const value = (t: number) => (t <= 0 ? 1 : schedule.alphaBars[Math.min(schedule.T, t) - 1]!);
  return value(lo) + (value(lo + 1) - value(lo)) * (x - lo);
}

/** Root-mean-square gap between two ᾱ curves over normalised time. */
export function curveDistance(a: Schedule, b: Schedule, samples = 100): number {
  let sum = 0;
  for (let i = 0; i <= samples; i++) {
    const u = i / samples;
    sum += (alphaBarAt(a, u) - alphaBarAt(b, u)) ** 2;
  }
  return Math.sqrt(sum / (samples + 1));
}

/** "Destroyed" once √ᾱ_t, the share of the signal left, falls below 10 %. */
export const DESTROYED_ALPHA_BAR = 0.01;

/** First normalised time at which the image counts as destroyed (1 if it never is). */
export function destroyedAt(schedule: Schedule): number {
  for (let t = 1; t <= schedule.T; t++) if (schedule.alphaBars[t - 1]! < DESTROYED_ALPHA_BAR) return t / schedule.T;
  return 1;
}

/**
 * What a teacher would say about a schedule and a step count: the failure modes the
 * lab is there to show (too fast, too slow, too few steps).
 */
export function diagnoseSchedule(schedule: Schedule, samplingSteps?: number): string[] {
  const notes: string[] = [];
  const gone = destroyedAt(schedule);
  const half = alphaBarAt(schedule, 0.5);
  const end = schedule.alphaBars[schedule.T - 1]!;
  if (gone < 0.3) {
    notes.push(
      `Too fast: the image is destroyed ${Math.round(gone * 100)} % of the way in. Most steps then see pure noise, so the network learns little from them and sampling wastes them.`,
    );
  }
  if (end > 0.02) {
    notes.push(
      `Too slow: at t = T there is still √ᾱ = ${Math.sqrt(end).toFixed(2)} of the image left, so x_T is not N(0, I) and sampling from pure noise starts from the wrong distribution.`,
    );
  }
  if (gone >= 0.3 && end <= 0.02 && half < 0.05) {
    notes.push('The second half of the schedule is almost pure noise (as in the linear schedule): cosine spreads the destruction more evenly.');
  }
  if (samplingSteps !== undefined && samplingSteps < 10) {
    notes.push(`Only ${samplingSteps} sampling steps: each DDIM jump covers ${Math.round(schedule.T / samplingSteps)} timesteps, so the estimate of x₀ is coarse and details blur.`);
  }
  if (notes.length === 0) notes.push('A healthy schedule: the signal fades steadily and is gone by the end.');
  return notes;
}
