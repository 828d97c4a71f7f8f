import { z } from 'zod';
import { cosineSchedule, customSchedule, ddimTimesteps, linearSchedule, MAX_T, MIN_T, type Schedule } from '../diffusion/index.ts';

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
      points: z
        .array(z.object({ t: z.number().min(0).max(1), value: z.number().min(0).max(1) }).strict())
        .min(1)
        .max(MAX_LAB_POINTS),
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
const DESTROYED_ALPHA_BAR = 0.01;

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
    notes.push(
      `Only ${samplingSteps} sampling steps: each DDIM jump covers ${Math.round(schedule.T / samplingSteps)} timesteps, so the estimate of x₀ is coarse and details blur.`,
    );
  }
  if (notes.length === 0) notes.push('A healthy schedule: the signal fades steadily and is gone by the end.');
  return notes;
}

/** How a lab player samples: DDIM over a number of steps, or DDPM over every step of a short schedule. */
export const SAMPLERS = ['ddim', 'ddpm'] as const;
export type SamplerKind = (typeof SAMPLERS)[number];
export const MIN_SAMPLE_STEPS = 2;
export const MAX_SAMPLE_STEPS = 100;
/** DDPM visits all T steps of the schedule, so it is only offered for short schedules. */
export const DDPM_MAX_T = 100;

/** The timesteps a sampler visits, from T down (DDIM: `ddimTimesteps`; DDPM: all of them). */
export function samplerTimesteps(schedule: Schedule, sampler: SamplerKind, steps: number): number[] {
  if (sampler === 'ddpm') return Array.from({ length: schedule.T }, (_, i) => schedule.T - i);
  return ddimTimesteps(schedule.T, steps);
}

/**
 * What went wrong (or right) when sampling with this schedule and step count: the
 * schedule's own notes from `diagnoseSchedule` plus what they mean for the sampler's
 * steps. Shown under each sample at the reveal.
 */
export function diagnoseSampling(schedule: Schedule, sampler: SamplerKind, steps: number): string[] {
  const timesteps = samplerTimesteps(schedule, sampler, steps);
  const count = timesteps.length;
  const ab = (t: number) => (t <= 0 ? 1 : schedule.alphaBars[t - 1]!);
  // Steps taken where the image is already gone: the model sees pure noise there.
  const blind = timesteps.filter((t) => ab(t) < DESTROYED_ALPHA_BAR).length;
  const useful = count - blind;
  // The biggest jump in remaining signal √ᾱ between two visited steps (to t = 0 at the end).
  let jump = 0;
  let jumpFrom = 0;
  for (let i = 0; i < count; i++) {
    const from = Math.sqrt(ab(timesteps[i]!));
    const d = Math.sqrt(ab(timesteps[i + 1] ?? 0)) - from;
    if (d > jump) [jump, jumpFrom] = [d, from];
  }
  const notes = diagnoseSchedule(schedule).filter((n) => !n.startsWith('A healthy schedule') && !n.startsWith('Too fast'));
  const gone = destroyedAt(schedule);
  if (gone < 0.3) {
    notes.unshift(
      `Too fast: ᾱ collapses ${Math.round(gone * 100)} % of the way in, so ${blind} of your ${count} steps start from what is pure noise to the model and only ${useful} do the real denoising — each of those few informative steps is a big, coarse jump, so shapes and colours come out wrong.`,
    );
  }
  if (sampler === 'ddim' && count < 10) {
    notes.push(
      `Too few steps: ${count} DDIM steps of about ${Math.round(schedule.T / count)} timesteps each. Every jump trusts one rough estimate of x₀ (an average of the images the noise could hide), so the sample comes out blurry or off-caption.`,
    );
  } else if (sampler === 'ddpm' && schedule.T < 50) {
    notes.push(
      `DDPM over only T = ${schedule.T} steps: each step must remove a lot of noise (β up to ${Math.max(...schedule.betas).toFixed(2)}) and adds fresh noise back, so the result stays grainy; DDPM needs many small steps, DDIM copes better with few.`,
    );
  }
  if (jump > 0.5 && gone >= 0.3 && !(sampler === 'ddim' && count < 10)) {
    notes.push(
      `Your biggest step jumps from √ᾱ = ${jumpFrom.toFixed(2)} to ${(jumpFrom + jump).toFixed(2)} of the image in one go: the model has to guess that much detail at once, so it blurs there.`,
    );
  }
  if (notes.length === 0) notes.push('A good run: the signal returns gradually over enough steps, so each step only refines the image a little.');
  return notes;
}

/** How good a sampling set-up is, from the schedule and steps alone (0..1): not too fast, not too slow, enough steps. */
export function samplerQuality(schedule: Schedule, sampler: SamplerKind, steps: number): number {
  const gone = destroyedAt(schedule);
  const end = schedule.alphaBars[schedule.T - 1]!;
  const fast = Math.min(1, Math.max(0, (gone - 0.1) / 0.2));
  const slow = end <= 0.02 ? 1 : Math.max(0, 1 - (Math.sqrt(end) - Math.sqrt(0.02)) / 0.3);
  const n = samplerTimesteps(schedule, sampler, steps).length;
  const enough = Math.min(1, Math.log(n) / Math.log(20));
  return fast * slow * enough;
}

/**
 * Bound on |x̂₀| when the lab samples (the diffusion model's latents are normalised to unit
 * variance, so real ones stay well inside). Without it, a schedule whose ᾱ_T is tiny (the
 * cosine schedule at T = 1000 ends at ᾱ ≈ 2e-9) divides the model's small ε error by
 * √ᾱ_T ≈ 5e-5 in x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t at the first step, and every sample is
 * garbage; measured with the CLIP judge on 4 captions, cosine goes from 0.00 to 0.76 with
 * the bound while linear stays at ≈ 0.56 (see withClippedX0 in shared/diffusion).
 */
export const LAB_X0_BOUND = 5;
