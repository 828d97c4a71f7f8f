/**
 * The forward-process posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t(x_t, x_0), β̃_t I) (Ho et
 * al. 2020, eqs. 6–7), the target every reverse step imitates, and the conversions
 * between x_0 and ε that follow from x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε.
 *
 * Lecture erratum (slide "DDPM: Simplify everything"): it writes
 *   μ̃ = √ᾱ_{t−1}β_t/(1−ᾱ_t) · x_t + √α_t(1−α_{t−1})/(1−ᾱ_t) · x_0,
 * which swaps x_t and x_0 and drops the bar on α_{t−1}. Ho et al. (eq. 7), implemented here:
 *   μ̃ = √ᾱ_{t−1}β_t/(1−ᾱ_t) · x_0 + √α_t(1−ᾱ_{t−1})/(1−ᾱ_t) · x_t.
 * Only this form turns into the lecture's (correct) ε-form (1/√α_t)(x_t − β_t/√(1−ᾱ_t) ε),
 * and at t = 1 gives μ̃ = x_0 as it must. The slide's μ̃_θ is also just μ̃: no θ in it.
 */
import { alphaBar, checkStep, type Schedule } from './schedule.ts';

/** μ̃_t = coefX0 · x_0 + coefXt · x_t; variance = β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t) · β_t (0 at t = 1). */
export function posteriorCoefs(t: number, s: Schedule): { coefX0: number; coefXt: number; variance: number } {
  checkStep(s, t);
  const beta = s.betas[t - 1]!;
  const ab = s.alphaBars[t - 1]!;
  const abPrev = alphaBar(s, t - 1);
  return {
    coefX0: (Math.sqrt(abPrev) * beta) / (1 - ab),
    coefXt: (Math.sqrt(s.alphas[t - 1]!) * (1 - abPrev)) / (1 - ab),
    variance: ((1 - abPrev) / (1 - ab)) * beta,
  };
}

/** β̃_t, the variance of q(x_{t−1} | x_t, x_0). */
export function posteriorVariance(t: number, s: Schedule): number {
  return posteriorCoefs(t, s).variance;
}

/** μ̃_t(x_t, x_0), the x_0-form. */
export function posteriorMean(xt: Float32Array, x0: Float32Array, t: number, s: Schedule, out?: Float32Array): Float32Array {
  checkLengths(xt, x0, out);
  const { coefX0, coefXt } = posteriorCoefs(t, s);
  const y = out ?? new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) y[i] = coefX0 * x0[i]! + coefXt * xt[i]!;
  return y;
}

/** μ̃_t in ε-form, (1/√α_t)(x_t − β_t/√(1−ᾱ_t) ε): what a DDPM reverse step uses. */
export function posteriorMeanFromEps(xt: Float32Array, eps: Float32Array, t: number, s: Schedule, out?: Float32Array): Float32Array {
  checkStep(s, t);
  checkLengths(xt, eps, out);
  const c = 1 / Math.sqrt(s.alphas[t - 1]!);
  const ce = s.betas[t - 1]! / Math.sqrt(1 - s.alphaBars[t - 1]!);
  const y = out ?? new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) y[i] = c * (xt[i]! - ce * eps[i]!);
  return y;
}

/** x̂_0 = (x_t − √(1−ᾱ_t) ε) / √ᾱ_t (lecture: "reordering the equation"). t ≥ 1. */
export function predictX0(xt: Float32Array, eps: Float32Array, t: number, s: Schedule, out?: Float32Array): Float32Array {
  checkStep(s, t);
  checkLengths(xt, eps, out);
  const ab = s.alphaBars[t - 1]!;
  const inv = 1 / Math.sqrt(ab);
  const ce = Math.sqrt(1 - ab);
  const y = out ?? new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) y[i] = (xt[i]! - ce * eps[i]!) * inv;
  return y;
}

/** ε = (x_t − √ᾱ_t x_0) / √(1−ᾱ_t): the noise that takes x_0 to x_t. t ≥ 1. */
export function predictEps(xt: Float32Array, x0: Float32Array, t: number, s: Schedule, out?: Float32Array): Float32Array {
  checkStep(s, t);
  checkLengths(xt, x0, out);
  const ab = s.alphaBars[t - 1]!;
  const a = Math.sqrt(ab);
  const inv = 1 / Math.sqrt(1 - ab);
  const y = out ?? new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) y[i] = (xt[i]! - a * x0[i]!) * inv;
  return y;
}

function checkLengths(a: Float32Array, b: Float32Array, out: Float32Array | undefined): void {
  if (b.length !== a.length || (out !== undefined && out.length !== a.length)) {
    throw new Error(`diffusion: array lengths differ (${a.length}, ${b.length}${out ? `, out ${out.length}` : ''})`);
  }
}
