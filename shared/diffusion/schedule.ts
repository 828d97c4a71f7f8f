/**
 * DDPM noise schedules (Ho et al. 2020; lecture "DDPM: Denoising Diffusion Probabilistic
 * Models"): β_t for t = 1..T, α_t = 1 − β_t, ᾱ_t = ∏_{s≤t} α_s.
 *
 * Arrays are 0-based while the maths is 1-based: index t − 1 holds step t. ᾱ_0 = 1 is
 * not stored; use `alphaBar(s, t)`, which accepts t = 0.
 *
 * Every schedule, including one a player draws, goes through `sanitizeBetas`, so the rest
 * of the code can rely on: T an integer in [MIN_T, MAX_T], β_t ∈ [BETA_MIN, BETA_MAX],
 * ᾱ strictly decreasing and never below ALPHA_BAR_MIN (no division by √ᾱ ≈ 0).
 */

export interface Schedule {
  readonly T: number;
  readonly betas: Float64Array;
  readonly alphas: Float64Array;
  readonly alphaBars: Float64Array;
}

export const MIN_T = 10;
export const MAX_T = 1000;
/** β must stay positive or ᾱ stops decreasing (a step that adds no noise is not a step). */
export const BETA_MIN = 1e-5;
/** Nichol & Dhariwal's clip: β = 1 would erase x_{t−1} completely and 1/√α_t blows up. */
export const BETA_MAX = 0.999;
/**
 * Lowest ᾱ kept. Samplers divide by √ᾱ_t to predict x_0; below ~1e-10 float32 noise in ε
 * would be amplified by more than 1e5. The standard schedules stay well above it (linear
 * T = 1000: ᾱ_T ≈ 4e-5; cosine T = 1000 with its 0.999 clip: ≈ 2e-9).
 */
export const ALPHA_BAR_MIN = 1e-10;
/** The T the lecture's (Ho et al.'s) β values refer to. */
const REFERENCE_T = 1000;

/**
 * Checks T and every β (throws on NaN, ±Infinity or a T outside [MIN_T, MAX_T]) and
 * clamps β into [BETA_MIN, BETA_MAX]. It then lowers any β that would push ᾱ under the
 * floor, keeping BETA_MIN of room for every later step (floor_t = ALPHA_BAR_MIN /
 * (1 − BETA_MIN)^{T−t}), so ᾱ stays strictly decreasing to the end. The standard
 * schedules are never changed by this; only hand-drawn ones that destroy the signal
 * early (e.g. β = 0.999 everywhere) are.
 */
export function sanitizeBetas(raw: ArrayLike<number>): Float64Array {
  const T = raw.length;
  checkT(T);
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const b = raw[i]!;
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw new Error(`noise schedule: beta_${i + 1} is ${String(b)}; every beta must be a finite number`);
    }
    betas[i] = Math.min(BETA_MAX, Math.max(BETA_MIN, b));
  }
  let ab = 1;
  for (let i = 0; i < T; i++) {
    const floor = ALPHA_BAR_MIN / (1 - BETA_MIN) ** (T - 1 - i);
    let b = betas[i]!;
    if (ab * (1 - b) < floor) b = Math.max(BETA_MIN, 1 - floor / ab);
    betas[i] = b;
    ab *= 1 - b;
  }
  return betas;
}

/** A schedule from any β sequence (length = T); see `sanitizeBetas` for what is clamped. */
export function scheduleFromBetas(raw: ArrayLike<number>): Schedule {
  const betas = sanitizeBetas(raw);
  const T = betas.length;
  const alphas = new Float64Array(T);
  const alphaBars = new Float64Array(T);
  let ab = 1;
  for (let i = 0; i < T; i++) {
    alphas[i] = 1 - betas[i]!;
    ab *= alphas[i]!;
    alphaBars[i] = ab;
  }
  return { T, betas, alphas, alphaBars };
}

/**
 * Throws unless `s` satisfies every invariant above (for a schedule that arrives from
 * outside, e.g. over the network or from a saved file, rather than from the builders).
 */
export function assertValidSchedule(s: Schedule): void {
  checkT(s.T);
  const { T, betas, alphas, alphaBars } = s;
  if (betas.length !== T || alphas.length !== T || alphaBars.length !== T) {
    throw new Error(`noise schedule: arrays must all have length T = ${T}`);
  }
  let prev = 1;
  for (let i = 0; i < T; i++) {
    const b = betas[i]!;
    const ab = alphaBars[i]!;
    if (!(b >= BETA_MIN && b <= BETA_MAX)) throw new Error(`noise schedule: beta_${i + 1} = ${b} is outside [${BETA_MIN}, ${BETA_MAX}]`);
    if (Math.abs(alphas[i]! - (1 - b)) > 1e-12) throw new Error(`noise schedule: alpha_${i + 1} != 1 - beta_${i + 1}`);
    if (!(ab < prev) || !(ab > 0)) throw new Error(`noise schedule: alphaBar must decrease strictly and stay positive (step ${i + 1})`);
    if (Math.abs(ab - prev * alphas[i]!) > 1e-12 * prev) throw new Error(`noise schedule: alphaBar_${i + 1} is not the product of the alphas`);
    prev = ab;
  }
}

/**
 * The lecture's linear schedule: β linearly from 1e-4 to 0.02 over T = 1000 steps (Ho et
 * al.). For another T both ends are multiplied by 1000 / T (Nichol & Dhariwal's
 * improved-diffusion, and common practice), so Σβ and hence ᾱ_T ≈ e^{−Σβ} stay about the
 * same and x_T is still close to pure noise. For T ≤ 20 the last β exceed BETA_MAX and are
 * clipped (sanitizeBetas), so very short linear schedules destroy the signal a bit earlier.
 */
export function linearSchedule(T = REFERENCE_T, betaStart = 1e-4, betaEnd = 0.02): Schedule {
  checkT(T);
  if (!Number.isFinite(betaStart) || !Number.isFinite(betaEnd)) throw new Error('linearSchedule: betaStart and betaEnd must be finite');
  const scale = REFERENCE_T / T;
  const b0 = betaStart * scale;
  const b1 = betaEnd * scale;
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) betas[i] = b0 + ((b1 - b0) * i) / (T - 1);
  betas[T - 1] = b1;
  return scheduleFromBetas(betas);
}

/**
 * Nichol & Dhariwal's cosine schedule: f(t) = cos²(((t/T + s)/(1 + s))·π/2),
 * ᾱ_t = f(t)/f(0), β_t = 1 − ᾱ_t/ᾱ_{t−1} clipped at BETA_MAX (ᾱ is then recomputed from
 * the clipped β, as in their code, which only changes the last step or two).
 * It is defined on t/T, so it needs no rescaling for other T.
 */
export function cosineSchedule(T = REFERENCE_T, s = 0.008): Schedule {
  checkT(T);
  if (!Number.isFinite(s) || s <= 0) throw new Error('cosineSchedule: s must be a positive finite number');
  const f = (t: number): number => Math.cos((((t / T + s) / (1 + s)) * Math.PI) / 2) ** 2;
  const f0 = f(0);
  const betas = new Float64Array(T);
  let prev = 1;
  for (let t = 1; t <= T; t++) {
    const ab = f(t) / f0;
    betas[t - 1] = Math.min(BETA_MAX, 1 - ab / prev);
    prev = ab;
  }
  return scheduleFromBetas(betas);
}

export interface ControlPoint {
  /** Normalised time in [0, 1]: 0 is the clean image, 1 is step T. */
  t: number;
  value: number;
}

/**
 * What a player's curve means.
 * - 'alphaBar' (the default): the curve is ᾱ over normalised time: "how much of the image
 *   is left". It reads directly as a picture of the forward process, is independent of T,
 *   and any drawing becomes a valid schedule. ᾱ(0) = 1 by definition, so that end is
 *   pinned and a point at t = 0 is ignored; values are clamped to [0, 1] and made
 *   non-increasing (a point dragged above an earlier one is lowered to it); after the last
 *   point the curve stays flat (no more noise is added: x_T then is not pure noise,
 *   which the SNR plot shows). β_t = 1 − ᾱ_t/ᾱ_{t−1}.
 * - 'beta': the curve is β itself, at the scale of the reference T = 1000 (the lecture's
 *   1e-4 … 0.02), multiplied by 1000 / T like `linearSchedule`, so one drawing means the
 *   same total noise at any T. Values are clamped to [0, BETA_MAX]; flat before the first
 *   and after the last point.
 */
type CustomScheduleMode = 'alphaBar' | 'beta';
/**
 * 'monotoneCubic' is Fritsch–Carlson/PCHIP: smooth, never overshoots between points, so a
 * decreasing ᾱ drawing stays decreasing and a β drawing never goes negative.
 */
type Interpolation = 'monotoneCubic' | 'linear';

const MAX_CONTROL_POINTS = 32;

/** A schedule from a few draggable control points (the noise schedule lab). */
export function customSchedule(T: number, controlPoints: readonly ControlPoint[], mode: CustomScheduleMode = 'alphaBar', interpolation: Interpolation = 'monotoneCubic'): Schedule {
  checkT(T);
  if (mode !== 'alphaBar' && mode !== 'beta') throw new Error(`customSchedule: unknown mode ${String(mode)}`);
  if (interpolation !== 'monotoneCubic' && interpolation !== 'linear') {
    throw new Error(`customSchedule: unknown interpolation ${String(interpolation)}`);
  }
  if (!Array.isArray(controlPoints) || controlPoints.length === 0 || controlPoints.length > MAX_CONTROL_POINTS) {
    throw new Error(`customSchedule: give between 1 and ${MAX_CONTROL_POINTS} control points`);
  }
  const hi = mode === 'alphaBar' ? 1 : BETA_MAX;
  const raw = controlPoints.map((p, i) => {
    if (typeof p !== 'object' || p === null || !Number.isFinite(p.t) || !Number.isFinite(p.value)) {
      throw new Error(`customSchedule: control point ${i} must have finite t and value`);
    }
    return { t: clamp(p.t, 0, 1), value: clamp(p.value, 0, hi) };
  });
  raw.sort((a, b) => a.t - b.t);
  // Points on the same t are merged into their mean.
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < raw.length; ) {
    let j = i;
    let sum = 0;
    while (j < raw.length && raw[j]!.t === raw[i]!.t) sum += raw[j++]!.value;
    xs.push(raw[i]!.t);
    ys.push(sum / (j - i));
    i = j;
  }

  const betas = new Float64Array(T);
  if (mode === 'alphaBar') {
    if (xs[0] === 0) {
      xs.shift();
      ys.shift();
    }
    xs.unshift(0);
    ys.unshift(1);
    for (let i = 1; i < ys.length; i++) ys[i] = Math.min(ys[i]!, ys[i - 1]!);
    const curve = interpolator(xs, ys, interpolation);
    let prev = 1;
    for (let t = 1; t <= T; t++) {
      const ab = clamp(curve(t / T), 0, prev);
      betas[t - 1] = prev > 0 ? 1 - ab / prev : BETA_MAX;
      prev = ab;
    }
  } else {
    const curve = interpolator(xs, ys, interpolation);
    const scale = REFERENCE_T / T;
    for (let t = 1; t <= T; t++) betas[t - 1] = curve(t / T) * scale;
  }
  return scheduleFromBetas(betas);
}

export function alphaBar(s: Schedule, t: number): number {
  checkStep(s, t, 0);
  return t === 0 ? 1 : s.alphaBars[t - 1]!;
}

/** Signal-to-noise ratio of x_t: ᾱ_t / (1 − ᾱ_t); Infinity at t = 0. */
export function snr(s: Schedule, t: number): number {
  const ab = alphaBar(s, t);
  return ab / (1 - ab);
}

/** ln SNR, computed without cancellation near ᾱ = 1; Infinity at t = 0. */
export function logSnr(s: Schedule, t: number): number {
  const ab = alphaBar(s, t);
  return Math.log(ab) - Math.log1p(-ab);
}

/** Throws unless t is an integer step in [min, T] (min = 0 where ᾱ_0 = 1 makes sense). */
export function checkStep(s: Schedule, t: number, min: 0 | 1 = 1): void {
  if (!Number.isInteger(t) || t < min || t > s.T) {
    throw new Error(`diffusion step t = ${String(t)} must be an integer in [${min}, ${s.T}]`);
  }
}

function checkT(T: number): void {
  if (!Number.isInteger(T) || T < MIN_T || T > MAX_T) {
    throw new Error(`noise schedule: T = ${String(T)} must be an integer in [${MIN_T}, ${MAX_T}]`);
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Piecewise interpolation through (xs, ys), xs strictly increasing; flat outside. */
function interpolator(xs: readonly number[], ys: readonly number[], kind: Interpolation): (x: number) => number {
  const n = xs.length;
  if (n === 1) return () => ys[0]!;
  const h: number[] = [];
  const delta: number[] = [];
  for (let k = 0; k < n - 1; k++) {
    h.push(xs[k + 1]! - xs[k]!);
    delta.push((ys[k + 1]! - ys[k]!) / h[k]!);
  }
  const d = kind === 'monotoneCubic' ? pchipSlopes(h, delta) : null;
  return (x) => {
    if (x <= xs[0]!) return ys[0]!;
    if (x >= xs[n - 1]!) return ys[n - 1]!;
    let k = 0;
    while (x > xs[k + 1]!) k++;
    const u = (x - xs[k]!) / h[k]!;
    if (d === null) return ys[k]! + u * (ys[k + 1]! - ys[k]!);
    const u2 = u * u;
    const u3 = u2 * u;
    return (2 * u3 - 3 * u2 + 1) * ys[k]! + (u3 - 2 * u2 + u) * h[k]! * d[k]! + (-2 * u3 + 3 * u2) * ys[k + 1]! + (u3 - u2) * h[k]! * d[k + 1]!;
  };
}

/** Fritsch–Carlson slopes as in SciPy's PchipInterpolator (harmonic means, shape-preserving ends). */
function pchipSlopes(h: readonly number[], delta: readonly number[]): number[] {
  const m = delta.length;
  if (m === 1) return [delta[0]!, delta[0]!];
  const d = new Array<number>(m + 1).fill(0);
  for (let k = 1; k < m; k++) {
    const a = delta[k - 1]!;
    const b = delta[k]!;
    if (a * b <= 0) continue;
    const w1 = 2 * h[k]! + h[k - 1]!;
    const w2 = h[k]! + 2 * h[k - 1]!;
    d[k] = (w1 + w2) / (w1 / a + w2 / b);
  }
  const end = (h0: number, h1: number, m0: number, m1: number): number => {
    let e = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if (Math.sign(e) !== Math.sign(m0)) e = 0;
    else if (Math.sign(m0) !== Math.sign(m1) && Math.abs(e) > 3 * Math.abs(m0)) e = 3 * m0;
    return e;
  };
  d[0] = end(h[0]!, h[1]!, delta[0]!, delta[1]!);
  d[m] = end(h[m - 1]!, h[m - 2]!, delta[m - 1]!, delta[m - 2]!);
  return d;
}
