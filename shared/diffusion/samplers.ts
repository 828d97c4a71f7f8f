/**
 * Reverse-process samplers driven by an ε-predictor: a neural net (batched, maybe async as
 * TF.js is in the browser) or an analytic model in tests.
 *
 * Arithmetic is done per element in float64 and stored in Float32Array; all noise comes
 * from the given seeded `rng`, so a run is reproducible from its seed.
 */
import type { Rng } from '../random.ts';
import { alphaBar, type Schedule } from './schedule.ts';

/**
 * ε_θ(x_t, t, cond). `x` is a flat batch (the sampler never looks at its shape); the
 * result must have the same length. `x` is the sampler's live buffer: read it, do not keep
 * or modify it.
 */
export type EpsModel = (x: Float32Array, t: number, cond?: unknown) => Float32Array | Promise<Float32Array>;

interface StepInfo {
  /** The step the sample is now at (0 after the last step). */
  tNext: number;
  /** 1-based index of this step, and how many steps the run has. */
  index: number;
  count: number;
}

/**
 * Called after every step with t = the step just denoised, x = the new sample x_{tNext}
 * and x0Pred = the x_0 the model predicted from x_t. Both buffers are reused: copy them
 * to keep them. Awaited, so a UI can return a promise to get a frame drawn.
 */
export type StepCallback = (t: number, x: Float32Array, x0Pred: Float32Array, info: StepInfo) => void | Promise<void>;

interface SamplerOptions {
  schedule: Schedule;
  /** Number of values in the flat batch, or a shape whose product is that number. */
  shape: number | readonly number[];
  eps: EpsModel;
  rng: Rng;
  /** Passed unchanged to every `eps` call. */
  cond?: unknown;
  /** Start from this x_T instead of fresh N(0, I) noise (e.g. latent interpolation). Not modified. */
  xT?: Float32Array;
  /**
   * Clip every x_0 prediction to [−1, 1] (the image range), as Ho et al. and Nichol &
   * Dhariwal do when sampling images; ε is then recomputed from the clipped x_0.
   * Off by default: data outside [−1, 1] (and the analytic tests) must not be clipped.
   */
  clipX0?: boolean;
  onStep?: StepCallback;
  /** Stops the run between steps with the signal's reason. */
  signal?: AbortSignal;
}

interface DdpmOptions extends SamplerOptions {
  /**
   * Reverse-step variance σ_t²: 'beta' = β_t (the default), 'posterior' = β̃_t. Ho et al.
   * found both give similar samples; they are the upper and lower bounds of the optimal
   * σ_t² for a data set. (The lecture's "σ_t I" means covariance σ_t² I.)
   */
  variance?: 'beta' | 'posterior';
}

interface DdimOptions extends SamplerOptions {
  /**
   * Either the timesteps to visit (any subset of 1..T; sorted into descending order,
   * duplicates dropped) or how many to take, chosen by `ddimTimesteps`.
   */
  steps: number | readonly number[];
  /** η in [0, 1]: 0 = deterministic DDIM, 1 = DDPM-like (σ² = β̃ between consecutive steps). Default 0. */
  eta?: number;
}

/**
 * DDPM ancestral sampling (Ho et al. Algorithm 2) over all T steps: x_T ~ N(0, I), then
 * x_{t−1} = (1/√α_t)(x_t − β_t/√(1−ᾱ_t) ε_θ(x_t, t)) + σ_t z, with z = 0 at t = 1.
 * Returns x_0.
 */
export async function ddpmSample(opts: DdpmOptions): Promise<Float32Array> {
  const { schedule: s, eps, rng, cond, clipX0 = false, onStep, signal } = opts;
  const variance = opts.variance ?? 'beta';
  if (variance !== 'beta' && variance !== 'posterior') throw new Error(`ddpmSample: unknown variance ${String(variance)}`);
  const x = initialNoise(opts);
  const n = x.length;
  const x0 = new Float32Array(n);
  const T = s.T;
  for (let t = T; t >= 1; t--) {
    signal?.throwIfAborted();
    const e = await callModel(eps, x, t, cond);
    const beta = s.betas[t - 1]!;
    const alpha = s.alphas[t - 1]!;
    const ab = s.alphaBars[t - 1]!;
    const abPrev = alphaBar(s, t - 1);
    const sigma = t === 1 ? 0 : Math.sqrt(variance === 'beta' ? beta : ((1 - abPrev) / (1 - ab)) * beta);
    const sa = Math.sqrt(ab);
    const sb = Math.sqrt(1 - ab);
    if (clipX0) {
      // Posterior-mean (x_0) form with the clipped prediction.
      const cX0 = (Math.sqrt(abPrev) * beta) / (1 - ab);
      const cXt = (Math.sqrt(alpha) * (1 - abPrev)) / (1 - ab);
      for (let i = 0; i < n; i++) {
        const xi = x[i]!;
        const p = clip((xi - sb * e[i]!) / sa);
        x0[i] = p;
        x[i] = cX0 * p + cXt * xi + (sigma > 0 ? sigma * rng.normal() : 0);
      }
    } else {
      const c = 1 / Math.sqrt(alpha);
      const ce = beta / sb;
      const track = onStep !== undefined;
      for (let i = 0; i < n; i++) {
        const xi = x[i]!;
        const ei = e[i]!;
        if (track) x0[i] = (xi - sb * ei) / sa;
        x[i] = c * (xi - ce * ei) + (sigma > 0 ? sigma * rng.normal() : 0);
      }
    }
    if (onStep) await onStep(t, x, x0, { tNext: t - 1, index: T - t + 1, count: T });
  }
  return x;
}

/**
 * DDIM (Song et al. 2021, eq. 12) from t to the next lower visited step t' (0 at the end):
 *   x̂_0 = (x_t − √(1−ᾱ_t) ε)/√ᾱ_t,
 *   σ = η √((1−ᾱ_{t'})/(1−ᾱ_t)) √(1 − ᾱ_t/ᾱ_{t'}),
 *   x_{t'} = √ᾱ_{t'} x̂_0 + √(1−ᾱ_{t'}−σ²) ε + σ z.
 * With every step and η = 1, σ² = β̃_t: DDPM with the posterior variance. The last step
 * goes to t' = 0 where ᾱ_0 = 1, so it returns x̂_0 itself.
 */
export async function ddimSample(opts: DdimOptions): Promise<Float32Array> {
  const { schedule: s, eps, rng, cond, clipX0 = false, onStep, signal } = opts;
  const eta = opts.eta ?? 0;
  // Above 1, σ² would exceed 1 − ᾱ_{t'} and the ε direction would have to be dropped.
  if (!(eta >= 0 && eta <= 1)) throw new Error(`ddimSample: eta = ${String(eta)} must be in [0, 1]`);
  const steps = typeof opts.steps === 'number' ? ddimTimesteps(s.T, opts.steps) : normaliseSteps(s.T, opts.steps);
  const x = initialNoise(opts);
  const n = x.length;
  const x0 = new Float32Array(n);
  for (let k = 0; k < steps.length; k++) {
    signal?.throwIfAborted();
    const t = steps[k]!;
    const tNext = k + 1 < steps.length ? steps[k + 1]! : 0;
    const e = await callModel(eps, x, t, cond);
    const ab = s.alphaBars[t - 1]!;
    const abNext = alphaBar(s, tNext);
    const sa = Math.sqrt(ab);
    const sb = Math.sqrt(1 - ab);
    const sigma = eta * Math.sqrt((1 - abNext) / (1 - ab)) * Math.sqrt(Math.max(0, 1 - ab / abNext));
    const cX0 = Math.sqrt(abNext);
    const cEps = Math.sqrt(Math.max(0, 1 - abNext - sigma * sigma));
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      let ei = e[i]!;
      let p = (xi - sb * ei) / sa;
      if (clipX0) {
        p = clip(p);
        ei = (xi - sa * p) / sb;
      }
      x0[i] = p;
      x[i] = cX0 * p + cEps * ei + (sigma > 0 ? sigma * rng.normal() : 0);
    }
    if (onStep) await onStep(t, x, x0, { tNext, index: k + 1, count: steps.length });
  }
  return x;
}

/**
 * `count` timesteps for DDIM, descending, in equal strides of T/count from T down to 0:
 * t_i = round(i·T/count) for i = count … 1 (the "trailing" spacing of Lin et al. 2024).
 * It starts at t = T, the only step where x ~ N(0, I) is (almost) what the model saw in
 * training, unlike Song et al.'s 1, 1 + T/count, … which never visits T; and every jump,
 * including the last one to t = 0, is the same size. count is clamped to [1, T]; for
 * count = T this is every step. Spacings of at least 1 make rounding keep them distinct.
 */
export function ddimTimesteps(T: number, count: number): number[] {
  if (!Number.isInteger(T) || T < 1) throw new Error(`ddimTimesteps: T = ${String(T)} must be a positive integer`);
  if (!Number.isFinite(count)) throw new Error(`ddimTimesteps: count = ${String(count)} must be a finite number`);
  const c = Math.min(T, Math.max(1, Math.round(count)));
  const steps: number[] = [];
  for (let i = c; i >= 1; i--) steps.push(Math.round((i * T) / c));
  return steps;
}

function normaliseSteps(T: number, steps: readonly number[]): number[] {
  if (!Array.isArray(steps) || steps.length === 0) throw new Error('ddimSample: steps must be a count or a non-empty list of timesteps');
  for (const t of steps) {
    if (!Number.isInteger(t) || t < 1 || t > T) throw new Error(`ddimSample: timestep ${String(t)} must be an integer in [1, ${T}]`);
  }
  return [...new Set(steps)].sort((a, b) => b - a);
}

function initialNoise(opts: SamplerOptions): Float32Array {
  const n = flatSize(opts.shape);
  if (opts.xT !== undefined) {
    if (opts.xT.length !== n) throw new Error(`sampler: xT has ${opts.xT.length} values, shape needs ${n}`);
    return Float32Array.from(opts.xT);
  }
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = opts.rng.normal();
  return x;
}

function flatSize(shape: number | readonly number[]): number {
  const dims = typeof shape === 'number' ? [shape] : shape;
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1) throw new Error(`sampler: shape ${JSON.stringify(shape)} must be positive integers`);
    n *= d;
  }
  return n;
}

async function callModel(eps: EpsModel, x: Float32Array, t: number, cond: unknown): Promise<Float32Array> {
  const e = await eps(x, t, cond);
  if (!(e instanceof Float32Array) || e.length !== x.length) {
    throw new Error(`sampler: the eps model must return a Float32Array of ${x.length} values (got ${describe(e)} at t = ${t})`);
  }
  return e;
}

function describe(v: unknown): string {
  if (v instanceof Float32Array) return `${v.length} values`;
  return v === null ? 'null' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

function clip(v: number): number {
  return v < -1 ? -1 : Math.min(v, 1);
}
