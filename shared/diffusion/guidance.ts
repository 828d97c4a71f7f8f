/**
 * Classifier-free guidance (Ho & Salimans 2021): one network trained with the caption
 * sometimes dropped predicts both ε(x_t, c) and ε(x_t, ∅); sampling extrapolates from the
 * unconditional towards (and past) the conditional prediction:
 *   ε̂ = ε_uncond + w (ε_cond − ε_uncond).
 * Convention (GLIDE, Imagen, diffusers): w = 0 is the unconditional model, w = 1 the plain
 * conditional one, w > 1 follows the caption harder at the cost of diversity. Ho &
 * Salimans write ε̂ = (1 + w') ε_cond − w' ε_uncond, i.e. w = 1 + w'.
 */
import type { EpsModel } from './samplers.ts';

/**
 * ε̂ = (1 − w) ε_uncond + w ε_cond, the same line written so that w = 0 gives ε_uncond and
 * w = 1 gives ε_cond bit for bit. `out` may alias either input.
 */
export function guideEps(epsUncond: Float32Array, epsCond: Float32Array, scale: number, out?: Float32Array): Float32Array {
  checkScale(scale);
  if (epsCond.length !== epsUncond.length || (out !== undefined && out.length !== epsUncond.length)) {
    throw new Error('guideEps: the two predictions (and out) must have the same length');
  }
  const y = out ?? new Float32Array(epsUncond.length);
  const a = 1 - scale;
  for (let i = 0; i < y.length; i++) y[i] = a * epsUncond[i]! + scale * epsCond[i]!;
  return y;
}

interface GuidanceOptions {
  /** w, see above. */
  scale: number;
  /** The condition that means "no caption" (what the caption was replaced by in training). */
  nullCond: unknown;
}

/**
 * A guided EpsModel from two calls of `model`: with the sampler's condition and with
 * `nullCond`. At w = 0 or w = 1 only the one call that matters is made.
 */
export function withGuidance(model: EpsModel, { scale, nullCond }: GuidanceOptions): EpsModel {
  checkScale(scale);
  if (scale === 0) return (x, t) => model(x, t, nullCond);
  if (scale === 1) return model;
  return (x, t, cond) => {
    const c = model(x, t, cond);
    const u = model(x, t, nullCond);
    if (c instanceof Promise || u instanceof Promise) {
      return Promise.all([c, u]).then(([ec, eu]) => guideEps(eu, ec, scale));
    }
    return guideEps(u, c, scale);
  };
}

interface BatchedGuidanceOptions extends GuidanceOptions {
  /**
   * The condition for the doubled batch [x; x]: the sampler's condition for the first
   * half, `nullCond` for the second (its layout is the model's business, e.g. two stacked
   * embedding batches).
   */
  pairConds: (cond: unknown, nullCond: unknown) => unknown;
}

/**
 * A guided EpsModel from ONE call of `model` on the doubled batch [x; x] (one forward pass
 * of twice the batch is usually cheaper than two passes on a GPU or WASM backend). The
 * model's output halves are read as [ε_cond; ε_uncond].
 */
export function withBatchedGuidance(model: EpsModel, { scale, nullCond, pairConds }: BatchedGuidanceOptions): EpsModel {
  checkScale(scale);
  if (scale === 0) return (x, t) => model(x, t, nullCond);
  if (scale === 1) return model;
  return (x, t, cond) => {
    const n = x.length;
    const doubled = new Float32Array(2 * n);
    doubled.set(x);
    doubled.set(x, n);
    const split = (e: Float32Array): Float32Array => {
      if (!(e instanceof Float32Array) || e.length !== 2 * n) {
        throw new Error(`withBatchedGuidance: the model must return ${2 * n} values for the doubled batch`);
      }
      return guideEps(e.subarray(n), e.subarray(0, n), scale);
    };
    const e = model(doubled, t, pairConds(cond, nullCond));
    return e instanceof Promise ? e.then(split) : split(e);
  };
}

function checkScale(scale: number): void {
  if (!Number.isFinite(scale)) throw new Error(`guidance scale ${String(scale)} must be a finite number`);
}
