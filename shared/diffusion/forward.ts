/**
 * The forward (noising) process q. Lecture: q(x_t | x_{t−1}) = N(√(1−β_t) x_{t−1}, β_t I)
 * and, in closed form, q(x_t | x_0) = N(√ᾱ_t x_0, (1−ᾱ_t) I).
 */
import type { Rng } from '../random.ts';
import { pixelsToSigned, signedToPixels } from '../render/pixel-codec.ts';
import { alphaBar, checkStep, type Schedule } from './schedule.ts';

/** x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε, elementwise. t = 0 returns x_0. `out` may alias x0 or eps. */
export function qSample(x0: Float32Array, t: number, eps: Float32Array, schedule: Schedule, out?: Float32Array): Float32Array {
  checkLengths(x0, eps, out);
  const ab = alphaBar(schedule, t);
  const a = Math.sqrt(ab);
  const b = Math.sqrt(1 - ab);
  const y = out ?? new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) y[i] = a * x0[i]! + b * eps[i]!;
  return y;
}

/** q(x_t | x_0) = N(meanCoef · x_0, variance); std = √variance. */
export function qMeanVar(t: number, schedule: Schedule): { meanCoef: number; variance: number; std: number } {
  const ab = alphaBar(schedule, t);
  return { meanCoef: Math.sqrt(ab), variance: 1 - ab, std: Math.sqrt(1 - ab) };
}

/**
 * One Markov step x_t = √(1−β_t) x_{t−1} + √β_t ε (t ≥ 1), for showing the chain step by
 * step; t such steps have the same distribution as one `qSample` to t.
 */
export function qStep(xPrev: Float32Array, t: number, eps: Float32Array, schedule: Schedule, out?: Float32Array): Float32Array {
  checkStep(schedule, t);
  checkLengths(xPrev, eps, out);
  const beta = schedule.betas[t - 1]!;
  const a = Math.sqrt(1 - beta);
  const b = Math.sqrt(beta);
  const y = out ?? new Float32Array(xPrev.length);
  for (let i = 0; i < xPrev.length; i++) y[i] = a * xPrev[i]! + b * eps[i]!;
  return y;
}

/**
 * The image the "guess the timestep" round shows: RGB bytes mapped to [−1, 1], noised to
 * step t with fresh ε ~ N(0, I) from `rng`, clipped and mapped back to bytes.
 */
export function noiseImage(pixels: Uint8Array | Uint8ClampedArray, t: number, schedule: Schedule, rng: Rng): Uint8Array {
  const ab = alphaBar(schedule, t);
  const a = Math.sqrt(ab);
  const b = Math.sqrt(1 - ab);
  const x = pixelsToSigned(pixels);
  for (let i = 0; i < x.length; i++) x[i] = a * x[i]! + b * rng.normal();
  return signedToPixels(x);
}

function checkLengths(x: Float32Array, eps: Float32Array, out: Float32Array | undefined): void {
  if (eps.length !== x.length || (out !== undefined && out.length !== x.length)) {
    throw new Error(`diffusion: array lengths differ (x ${x.length}, eps ${eps.length}${out ? `, out ${out.length}` : ''})`);
  }
}
