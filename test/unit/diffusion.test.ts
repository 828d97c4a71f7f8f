import { describe, expect, it } from 'vitest';
import {
  ALPHA_BAR_MIN,
  BETA_MAX,
  BETA_MIN,
  alphaBar,
  assertValidSchedule,
  cosineSchedule,
  customSchedule,
  guideEps,
  linearSchedule,
  logSnr,
  noiseImage,
  posteriorCoefs,
  posteriorMean,
  posteriorMeanFromEps,
  posteriorVariance,
  predictEps,
  predictX0,
  qMeanVar,
  qSample,
  qStep,
  sanitizeBetas,
  scheduleFromBetas,
  snr,
  withBatchedGuidance,
  withGuidance,
  type ControlPoint,
  type EpsModel,
  type Schedule,
} from '../../shared/diffusion/index.ts';
import { createRng, type Rng } from '../../shared/random.ts';

/** Every invariant the module promises, checked independently of assertValidSchedule. */
function expectValid(s: Schedule, T: number): void {
  expect(s.T).toBe(T);
  expect(s.betas.length).toBe(T);
  let prev = 1;
  for (let i = 0; i < T; i++) {
    const b = s.betas[i]!;
    const ab = s.alphaBars[i]!;
    if (!(b >= BETA_MIN && b <= BETA_MAX && b > 0)) throw new Error(`T=${T}: beta_${i + 1} = ${b}`);
    if (!(ab < prev && ab >= ALPHA_BAR_MIN * 0.999)) throw new Error(`T=${T}: alphaBar_${i + 1} = ${ab} after ${prev}`);
    if (s.alphas[i] !== 1 - b) throw new Error(`T=${T}: alpha_${i + 1}`);
    prev = ab;
  }
  assertValidSchedule(s);
}

function normals(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function meanVar(a: ArrayLike<number>): { mean: number; variance: number } {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += a[i]!;
  m /= a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i]! - m) ** 2;
  return { mean: m, variance: v / (a.length - 1) };
}

describe('linear schedule (lecture / Ho et al.)', () => {
  const s = linearSchedule();
  // β_s = 1e-4 + (0.02 − 1e-4)(s − 1)/999, ᾱ_t = ∏_{s≤t} (1 − β_s), in float64 here.
  const closedForm = (t: number): number => {
    let p = 1;
    for (let k = 1; k <= t; k++) p *= 1 - (1e-4 + ((0.02 - 1e-4) * (k - 1)) / 999);
    return p;
  };

  it('has T = 1000 and β from 1e-4 to 0.02', () => {
    expect(s.T).toBe(1000);
    expect(s.betas[0]).toBe(1e-4);
    expect(s.betas[999]).toBe(0.02);
    expect(s.betas[499]).toBeCloseTo(1e-4 + (0.0199 * 499) / 999, 15);
  });

  it('matches ∏(1 − β_s) at t = 100, 250, 500, 750, 1000', () => {
    for (const t of [100, 250, 500, 750, 1000]) {
      expect(Math.abs(alphaBar(s, t) / closedForm(t) - 1)).toBeLessThan(1e-12);
    }
    expect(Math.abs(alphaBar(s, 500) - 0.07859)).toBeLessThan(1e-4);
    expect(alphaBar(s, 1000)).toBeGreaterThan(3e-5);
    expect(alphaBar(s, 1000)).toBeLessThan(5e-5);
  });

  it('has ᾱ_0 = 1 and consistent SNR helpers', () => {
    expect(alphaBar(s, 0)).toBe(1);
    expect(snr(s, 0)).toBe(Infinity);
    expect(logSnr(s, 0)).toBe(Infinity);
    for (const t of [1, 10, 500, 1000]) {
      const ab = alphaBar(s, t);
      expect(snr(s, t)).toBeCloseTo(ab / (1 - ab), 12);
      expect(Math.abs(logSnr(s, t) - Math.log(ab / (1 - ab)))).toBeLessThan(1e-9);
    }
    for (let t = 1; t < 1000; t++) expect(logSnr(s, t + 1)).toBeLessThan(logSnr(s, t));
    for (const bad of [-1, 1001, 2.5, Number.NaN]) expect(() => alphaBar(s, bad)).toThrow(/must be an integer/);
  });

  it('scales β by 1000/T for other T, keeping ᾱ_T small', () => {
    const s100 = linearSchedule(100);
    expect(s100.betas[0]).toBeCloseTo(1e-3, 15);
    expect(s100.betas[99]).toBeCloseTo(0.2, 15);
    for (const T of [50, 100, 250, 500]) {
      const abT = alphaBar(linearSchedule(T), T);
      expect(abT).toBeGreaterThan(1e-6);
      expect(abT).toBeLessThan(1e-3);
    }
    // T ≤ 20: the scaled β_end ≥ 1 is clipped to BETA_MAX.
    expect(Math.max(...linearSchedule(10).betas)).toBeLessThanOrEqual(BETA_MAX);
  });
});

describe('cosine schedule (Nichol & Dhariwal)', () => {
  const f = (t: number, T: number): number => Math.cos((((t / T + 0.008) / 1.008) * Math.PI) / 2) ** 2;

  it('matches f(t)/f(0) and ᾱ_500 ≈ 0.4938', () => {
    const s = cosineSchedule(1000);
    expect(Math.abs(alphaBar(s, 500) - 0.4938)).toBeLessThan(1e-4);
    for (const t of [1, 100, 250, 500, 750, 990]) {
      expect(Math.abs(alphaBar(s, t) / (f(t, 1000) / f(0, 1000)) - 1)).toBeLessThan(1e-9);
    }
    expect(s.betas[999]).toBe(BETA_MAX);
  });
});

describe('every T from 10 to 1000 gives a valid schedule', () => {
  it('linear and cosine', () => {
    for (let T = 10; T <= 1000; T++) {
      expectValid(linearSchedule(T), T);
      expectValid(cosineSchedule(T), T);
    }
  });

  it('random custom drawings, both modes and interpolations', () => {
    const rng = createRng(42);
    for (let T = 10; T <= 1000; T++) {
      const n = rng.int(3, 6);
      const points: ControlPoint[] = [];
      for (let i = 0; i < n; i++) points.push({ t: rng.next(), value: rng.next() });
      expectValid(customSchedule(T, points, 'alphaBar', T % 2 === 0 ? 'monotoneCubic' : 'linear'), T);
      const betaPoints = points.map((p) => ({ t: p.t, value: 0.05 * p.value }));
      expectValid(customSchedule(T, betaPoints, 'beta', T % 2 === 0 ? 'linear' : 'monotoneCubic'), T);
    }
  });

  it('rejects T outside [10, 1000] and non-integers', () => {
    for (const T of [9, 1001, 0, -5, 10.5, Number.NaN, Infinity]) {
      expect(() => linearSchedule(T)).toThrow(/T = .* must be an integer in \[10, 1000\]/);
      expect(() => cosineSchedule(T)).toThrow(/must be an integer/);
      expect(() => customSchedule(T, [{ t: 1, value: 0 }])).toThrow(/must be an integer/);
    }
    expect(() => scheduleFromBetas(new Float64Array(9).fill(0.1))).toThrow(/T = 9/);
  });
});

describe('custom schedules', () => {
  it('pass through the drawn ᾱ points', () => {
    const points = [
      { t: 0.5, value: 0.4 },
      { t: 0.25, value: 0.8 },
      { t: 1, value: 0.01 },
    ];
    for (const interp of ['linear', 'monotoneCubic'] as const) {
      const s = customSchedule(100, points, 'alphaBar', interp);
      expect(alphaBar(s, 25)).toBeCloseTo(0.8, 12);
      expect(alphaBar(s, 50)).toBeCloseTo(0.4, 12);
      expect(alphaBar(s, 100)).toBeCloseTo(0.01, 12);
      // No overshoot: between two points ᾱ stays between their values.
      for (let t = 26; t < 50; t++) {
        expect(alphaBar(s, t)).toBeLessThan(0.8);
        expect(alphaBar(s, t)).toBeGreaterThan(0.4);
      }
    }
  });

  it('smooths with monotone cubic but not with linear interpolation', () => {
    const points = [
      { t: 0.3, value: 0.9 },
      { t: 0.6, value: 0.3 },
      { t: 1, value: 0.001 },
    ];
    const lin = customSchedule(1000, points, 'alphaBar', 'linear');
    const cub = customSchedule(1000, points, 'alphaBar', 'monotoneCubic');
    // Linear: β jumps at the knot t = 300; cubic: continuous slope, so β changes little.
    const jump = (s: Schedule): number => Math.abs(s.betas[300]! - s.betas[299]!);
    expect(jump(lin)).toBeGreaterThan(10 * jump(cub));
  });

  it('reads a β drawing at the T = 1000 scale', () => {
    const flat = [
      { t: 0, value: 0.02 },
      { t: 1, value: 0.02 },
    ];
    const s1000 = customSchedule(1000, flat, 'beta');
    const s100 = customSchedule(100, flat, 'beta');
    expect(s1000.betas.every((b) => Math.abs(b - 0.02) < 1e-15)).toBe(true);
    expect(s100.betas.every((b) => Math.abs(b - 0.2) < 1e-15)).toBe(true);
    // A linear β drawing is the linear schedule.
    const ramp = customSchedule(
      1000,
      [
        { t: 0.001, value: 1e-4 },
        { t: 1, value: 0.02 },
      ],
      'beta',
      'linear',
    );
    expect(Math.abs(alphaBar(ramp, 500) / alphaBar(linearSchedule(), 500) - 1)).toBeLessThan(1e-9);
  });

  it('clamps adversarial drawings into valid schedules', () => {
    // All zeros: ᾱ mode means "no signal left" from the first point on (the t = 0 point
    // gives way to ᾱ_0 = 1; at t = 0.5 β hits BETA_MAX, then ᾱ rests on its floor);
    // β mode means "add (almost) no noise" (β = BETA_MIN everywhere).
    const zeros = [0, 0.5, 1].map((t) => ({ t, value: 0 }));
    const za = customSchedule(100, zeros, 'alphaBar');
    expectValid(za, 100);
    expect(za.betas[49]).toBe(BETA_MAX);
    expect(alphaBar(za, 100)).toBeLessThan(1.01 * ALPHA_BAR_MIN);
    const zb = customSchedule(100, zeros, 'beta');
    expectValid(zb, 100);
    expect(zb.betas.every((b) => b === BETA_MIN)).toBe(true);

    const huge = [0, 0.5, 1].map((t) => ({ t, value: 1e300 }));
    expectValid(customSchedule(50, huge, 'beta'), 50);
    expect(customSchedule(50, huge, 'beta').betas[0]).toBe(BETA_MAX);
    // ᾱ above 1 is clamped to 1: no noise until the drawing comes down.
    expectValid(customSchedule(50, huge, 'alphaBar'), 50);

    // Increasing ᾱ drawings are made non-increasing; t outside [0, 1] is clamped; equal t merged.
    const wild = customSchedule(
      200,
      [
        { t: -3, value: 0.2 },
        { t: 0.5, value: 0.9 },
        { t: 0.5, value: 0.5 },
        { t: 7, value: 0.95 },
      ],
      'alphaBar',
    );
    expectValid(wild, 200);
  });

  it('rejects drawings that are not numbers', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      expect(() => customSchedule(100, [{ t: 0.5, value: bad }])).toThrow(/finite/);
      expect(() => customSchedule(100, [{ t: bad, value: 0.5 }])).toThrow(/finite/);
    }
    expect(() => customSchedule(100, [])).toThrow(/control points/);
    expect(() => customSchedule(100, null as unknown as ControlPoint[])).toThrow(/control points/);
    expect(() => customSchedule(100, [{ t: 0.5 } as ControlPoint])).toThrow(/finite/);
    expect(() => customSchedule(100, [{ t: 0.5, value: 0.5 }], 'sigma' as 'beta')).toThrow(/unknown mode/);
  });
});

describe('sanitizing and validating β sequences', () => {
  it('clamps β and keeps ᾱ above its floor, strictly decreasing', () => {
    const b = sanitizeBetas([-1, 0, 2, ...new Array(97).fill(0.999)]);
    expect(b[0]).toBe(BETA_MIN);
    expect(b[1]).toBe(BETA_MIN);
    expect(b[2]).toBe(BETA_MAX);
    expectValid(scheduleFromBetas(b), 100);
    expectValid(scheduleFromBetas(new Array(1000).fill(0.999)), 1000);
  });

  it('rejects non-finite β and tampered schedules', () => {
    expect(() => sanitizeBetas([...new Array(20).fill(0.01), Number.NaN])).toThrow(/beta_21 is NaN/);
    expect(() => sanitizeBetas(new Array(20).fill(Infinity))).toThrow(/finite/);
    const s = linearSchedule(20);
    const tampered = { ...s, betas: Float64Array.from(s.betas), alphaBars: Float64Array.from(s.alphaBars) };
    tampered.alphaBars[5] = tampered.alphaBars[4]!;
    expect(() => assertValidSchedule(tampered)).toThrow(/alphaBar/);
    tampered.betas[3] = 1;
    expect(() => assertValidSchedule(tampered)).toThrow(/beta_4/);
  });
});

describe('forward process q(x_t | x_0)', () => {
  const s = linearSchedule();

  it('qSample has mean √ᾱ_t x_0 and variance 1 − ᾱ_t (20k draws)', () => {
    const n = 20_000;
    const x0 = new Float32Array(n).fill(0.8);
    const rng = createRng(7);
    for (const t of [1, 50, 300, 700, 1000]) {
      const xt = qSample(x0, t, normals(rng, n), s);
      const { mean, variance } = meanVar(xt);
      const { meanCoef, variance: v } = qMeanVar(t, s);
      expect(meanCoef).toBeCloseTo(Math.sqrt(alphaBar(s, t)), 15);
      expect(Math.abs(mean - meanCoef * 0.8)).toBeLessThan(4 * Math.sqrt(v / n));
      expect(Math.abs(variance / v - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
    expect(qSample(x0, 0, normals(rng, n), s)).toEqual(x0);
  });

  it('t Markov steps qStep have the same statistics as one qSample', () => {
    const n = 20_000;
    const rng = createRng(8);
    let x: Float32Array = new Float32Array(n).fill(-0.5);
    for (let t = 1; t <= 100; t++) x = qStep(x, t, normals(rng, n), s, x);
    const { mean, variance } = meanVar(x);
    const { meanCoef, variance: v } = qMeanVar(100, s);
    expect(Math.abs(mean - meanCoef * -0.5)).toBeLessThan(4 * Math.sqrt(v / n));
    expect(Math.abs(variance / v - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('noiseImage is seeded, clipped, and noisier for larger t', () => {
    const pixels = new Uint8Array(3 * 32 * 32);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
    const a = noiseImage(pixels, 400, s, createRng(1));
    expect(noiseImage(pixels, 400, s, createRng(1))).toEqual(a);
    expect(noiseImage(pixels, 0, s, createRng(1))).toEqual(pixels);
    const err = (t: number): number => {
      const y = noiseImage(pixels, t, s, createRng(2));
      let e = 0;
      for (let i = 0; i < y.length; i++) e += Math.abs(y[i]! - pixels[i]!);
      return e / y.length;
    };
    expect(err(1)).toBeLessThan(2);
    expect(err(100)).toBeLessThan(err(400));
    expect(err(400)).toBeLessThan(err(1000));
    // At t = T the image is noise: mean near mid-grey.
    const { mean } = meanVar(noiseImage(pixels, 1000, s, createRng(3)));
    expect(Math.abs(mean - 127.5)).toBeLessThan(5);
  });
});

describe('posterior q(x_{t−1} | x_t, x_0)', () => {
  const s = linearSchedule();

  it('has the coefficients Bayes gives (correcting the lecture slide)', () => {
    for (const t of [2, 10, 500, 1000]) {
      // Product of N(x_{t−1}; √ᾱ_{t−1} x_0, 1 − ᾱ_{t−1}) and N(x_t; √α_t x_{t−1}, β_t), in x_{t−1}.
      const abPrev = alphaBar(s, t - 1);
      const alpha = s.alphas[t - 1]!;
      const beta = s.betas[t - 1]!;
      const variance = 1 / (1 / (1 - abPrev) + alpha / beta);
      const { coefX0, coefXt, variance: v } = posteriorCoefs(t, s);
      expect(coefX0 / (variance * (Math.sqrt(abPrev) / (1 - abPrev))) - 1).toBeCloseTo(0, 10);
      expect(coefXt / (variance * (Math.sqrt(alpha) / beta)) - 1).toBeCloseTo(0, 10);
      expect(v / variance - 1).toBeCloseTo(0, 10);
      expect(posteriorVariance(t, s)).toBe(v);
    }
    // t = 1: x_0 is known exactly.
    const first = posteriorCoefs(1, s);
    expect(first.coefX0).toBeCloseTo(1, 12);
    expect(first.coefXt).toBe(0);
    expect(first.variance).toBe(0);
  });

  it('ε-form equals the x_0-form with x_0 reconstructed from (x_t, ε)', () => {
    const rng = createRng(3);
    const n = 1000;
    for (const sched of [s, cosineSchedule(1000), customSchedule(50, [{ t: 0.5, value: 0.3 }])]) {
      for (const t of [1, 2, 7, Math.floor(sched.T / 2), sched.T]) {
        const xt = normals(rng, n);
        const eps = normals(rng, n);
        const x0 = predictX0(xt, eps, t, sched);
        const a = posteriorMean(xt, x0, t, sched);
        const b = posteriorMeanFromEps(xt, eps, t, sched);
        const scale = 1 + Math.max(...Array.from(x0, Math.abs)) * posteriorCoefs(t, sched).coefX0;
        expect(maxAbsDiff(a, b)).toBeLessThan(1e-5 * scale);
        // predictEps inverts predictX0.
        expect(maxAbsDiff(predictEps(xt, x0, t, sched), eps)).toBeLessThan(1e-3);
      }
    }
  });

  it('the slide as written (x_t and x_0 swapped, α_{t−1} unbarred) is not the posterior', () => {
    const t = 500;
    const abPrev = alphaBar(s, t - 1);
    const ab = alphaBar(s, t);
    const asWritten = {
      coefXt: (Math.sqrt(abPrev) * s.betas[t - 1]!) / (1 - ab),
      coefX0: (Math.sqrt(s.alphas[t - 1]!) * (1 - s.alphas[t - 2]!)) / (1 - ab),
    };
    const right = posteriorCoefs(t, s);
    expect(Math.abs(asWritten.coefXt - right.coefXt)).toBeGreaterThan(0.5);
    expect(Math.abs(asWritten.coefX0 - right.coefX0)).toBeGreaterThan(1e-3);
  });

  it('rejects t = 0 and mismatched lengths', () => {
    const x = new Float32Array(4);
    expect(() => predictX0(x, x, 0, s)).toThrow(/integer in \[1, 1000\]/);
    expect(() => posteriorMean(x, new Float32Array(3), 5, s)).toThrow(/lengths differ/);
  });
});

describe('classifier-free guidance', () => {
  const rng = createRng(11);
  const u = normals(rng, 257);
  const c = normals(rng, 257);

  it('scale 0 is the unconditional and scale 1 the conditional prediction, exactly', () => {
    expect(guideEps(u, c, 0)).toEqual(u);
    expect(guideEps(u, c, 1)).toEqual(c);
    const g = guideEps(u, c, 3);
    for (let i = 0; i < u.length; i++) expect(g[i]).toBeCloseTo(u[i]! + 3 * (c[i]! - u[i]!), 5);
    expect(() => guideEps(u, c, Number.NaN)).toThrow(/finite/);
  });

  // A toy model: the condition is a number added to x; "null" is 0.
  const model: EpsModel = (x, _t, cond) => x.map((v) => v * 0.5 + (cond as number));
  const asyncModel: EpsModel = async (x, t, cond) => model(x, t, cond);
  const batched: EpsModel = (x, _t, conds) => {
    const [a, b] = conds as [number, number];
    const h = x.length / 2;
    return x.map((v, i) => v * 0.5 + (i < h ? a : b));
  };

  it('wraps a model into a guided EpsModel (two calls, sync or async, or one batched call)', async () => {
    const x = normals(rng, 64);
    const expected = (w: number): Float32Array => guideEps(model(x, 5, 0) as Float32Array, model(x, 5, 2) as Float32Array, w);
    for (const w of [0, 1, 2.5, -1]) {
      const g1 = withGuidance(model, { scale: w, nullCond: 0 })(x, 5, 2);
      expect(g1).toBeInstanceOf(Float32Array);
      expect(g1).toEqual(expected(w));
      expect(await withGuidance(asyncModel, { scale: w, nullCond: 0 })(x, 5, 2)).toEqual(expected(w));
      const g3 = withBatchedGuidance(batched, { scale: w, nullCond: 0, pairConds: (a, b) => [a, b] });
      // At w = 0 and 1 the batched wrapper makes a plain single call (one condition).
      if (w === 0 || w === 1) continue;
      expect(await g3(x, 5, 2)).toEqual(expected(w));
    }
    expect(withGuidance(model, { scale: 0, nullCond: 0 })(x, 5, 2)).toEqual(model(x, 5, 0));
    expect(withGuidance(model, { scale: 1, nullCond: 0 })(x, 5, 2)).toEqual(model(x, 5, 2));
  });
});
