import { alphaBar, type Schedule } from './schedule.ts';
import type { EpsModel } from './samplers.ts';

/**
 * ε_θ with the x̂₀ it implies clipped to ±bound: ε' = (x_t − √ᾱ_t clip(x̂₀))/√(1−ᾱ_t), so
 * DDPM and DDIM (which both go through ε) take the clipped x̂₀. Ho et al.'s sampler clips
 * x̂₀ to the data range likewise. Without it, a schedule whose ᾱ_T is tiny (cosine at
 * T = 1000 ends at ᾱ ≈ 2e-9) divides the model's small ε error by √ᾱ_T ≈ 5e-5 in
 * x̂₀ = (x_t − √(1−ᾱ_t) ε̂)/√ᾱ_t at the first step, and every sample is garbage.
 */
export function withClippedX0(eps: EpsModel, schedule: Schedule, bound: number): EpsModel {
  return async (x, t, cond) => {
    const e = await eps(x, t, cond);
    const ab = alphaBar(schedule, t);
    const sa = Math.sqrt(ab);
    const sb = Math.sqrt(1 - ab);
    const out = new Float32Array(e.length);
    for (let i = 0; i < e.length; i++) {
      const x0 = Math.max(-bound, Math.min(bound, (x[i]! - sb * e[i]!) / sa));
      out[i] = (x[i]! - sa * x0) / sb;
    }
    return out;
  };
}
