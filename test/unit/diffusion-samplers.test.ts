/**
 * Samplers against an analytic case. For data x_0 ~ N(μ, s²) (independent dims) the
 * optimal noise predictor is ε*(x_t, t) = √(1−ᾱ_t)(x_t − √ᾱ_t μ)/(ᾱ_t s² + 1 − ᾱ_t), and
 * every sampler step is then affine in x_t plus Gaussian noise. So the exact distribution
 * of a sampler's output is Gaussian with moments computable by a float64 recursion
 * (`exactMoments`, written from the papers independently of the sampler code). Two kinds of
 * check follow:
 *  - the sampler's empirical moments equal the recursion's (tight, sampling error only):
 *    the code does what the formulas say, for any T, schedule and step subset;
 *  - the recursion's moments are close to the data's: the formulas are the right ones.
 *    DDPM with all T = 1000 steps is within ~2%. DDIM with few steps is not exact even
 *    with the optimal ε: each jump shrinks the variance (by cos² of the jump's angle in
 *    the (√ᾱ s, √(1−ᾱ)) plane for η = 0), so its bounds below are looser and shrink with
 *    the number of steps.
 */
import { describe, expect, it } from 'vitest';
import { alphaBar, cosineSchedule, customSchedule, ddimSample, ddimTimesteps, ddpmSample, linearSchedule, type EpsModel, type Schedule } from '../../shared/diffusion/index.ts';
import { createRng } from '../../shared/random.ts';

const MU = [0.5, -1];
const SD = [0.5, 1.2];
const D = MU.length;
const N = 4000; // samples per dimension
const SIZE = N * D;

function analyticEps(s: Schedule): EpsModel {
  return (x, t) => {
    const ab = alphaBar(s, t);
    const a = Math.sqrt(ab);
    const b = Math.sqrt(1 - ab);
    const e = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const d = i % D;
      e[i] = (b * (x[i]! - a * MU[d]!)) / (ab * SD[d]! ** 2 + 1 - ab);
    }
    return e;
  };
}

function empirical(x: Float32Array): { mean: number; variance: number }[] {
  const out = [];
  for (let d = 0; d < D; d++) {
    let m = 0;
    for (let i = d; i < x.length; i += D) m += x[i]!;
    m /= N;
    let v = 0;
    for (let i = d; i < x.length; i += D) v += (x[i]! - m) ** 2;
    out.push({ mean: m, variance: v / (N - 1) });
  }
  return out;
}

type Run = { kind: 'ddpm'; variance: 'beta' | 'posterior' } | { kind: 'ddim'; steps: number[]; eta: number };

/** Exact output moments of a run from x_T ~ N(0, 1) with ε*, dimension d. */
function exactMoments(s: Schedule, run: Run, d: number): { mean: number; variance: number } {
  const mu = MU[d]!;
  const s2 = SD[d]! ** 2;
  const steps = run.kind === 'ddpm' ? Array.from({ length: s.T }, (_, i) => s.T - i) : run.steps;
  let m = 0;
  let v = 1;
  for (let k = 0; k < steps.length; k++) {
    const t = steps[k]!;
    const tNext = k + 1 < steps.length ? steps[k + 1]! : 0;
    const ab = alphaBar(s, t);
    const abN = alphaBar(s, tNext);
    const a = Math.sqrt(ab);
    const b = Math.sqrt(1 - ab);
    // ε* = g (x − a μ)
    const g = b / (ab * s2 + 1 - ab);
    let A: number;
    let c: number;
    let noise: number;
    if (run.kind === 'ddpm') {
      // x' = (x − β/b ε*)/√α + σ z
      const beta = 1 - ab / abN;
      A = (1 - (beta / b) * g) / Math.sqrt(1 - beta);
      c = ((beta / b) * g * a * mu) / Math.sqrt(1 - beta);
      noise = t === 1 ? 0 : run.variance === 'beta' ? beta : ((1 - abN) / (1 - ab)) * beta;
    } else {
      // x̂_0 = (x − b ε*)/a;  x' = √ᾱ' x̂_0 + √(1 − ᾱ' − σ²) ε* + σ z
      const sigma2 = run.eta ** 2 * ((1 - abN) / (1 - ab)) * (1 - ab / abN);
      const ce = Math.sqrt(1 - abN - sigma2);
      A = (Math.sqrt(abN) * (1 - b * g)) / a + ce * g;
      c = Math.sqrt(abN) * ((b * g * a * mu) / a) - ce * g * a * mu;
      noise = sigma2;
    }
    m = A * m + c;
    v = A * A * v + noise;
  }
  return { mean: m, variance: v };
}

async function sample(s: Schedule, run: Run, seed: number): Promise<Float32Array> {
  const common = { schedule: s, shape: [N, D], eps: analyticEps(s), rng: createRng(seed) };
  return run.kind === 'ddpm' ? ddpmSample({ ...common, variance: run.variance }) : ddimSample({ ...common, steps: run.steps, eta: run.eta });
}

/** Empirical moments within ~4.5 standard errors of the exact ones. */
function expectMatchesExact(s: Schedule, run: Run, x: Float32Array): void {
  const emp = empirical(x);
  for (let d = 0; d < D; d++) {
    const ex = exactMoments(s, run, d);
    expect(Math.abs(emp[d]!.mean - ex.mean)).toBeLessThan(4.5 * Math.sqrt(ex.variance / N));
    expect(Math.abs(emp[d]!.variance / ex.variance - 1)).toBeLessThan(4.5 * Math.sqrt(2 / N));
  }
}

/** Exact output moments within `relVar` of the data's (mean within 1% of s). */
function expectNearData(s: Schedule, run: Run, relVar: number): void {
  for (let d = 0; d < D; d++) {
    const ex = exactMoments(s, run, d);
    expect(Math.abs(ex.mean - MU[d]!)).toBeLessThan(0.01 * SD[d]!);
    expect(Math.abs(ex.variance / SD[d]! ** 2 - 1)).toBeLessThan(relVar);
  }
}

/** And the sample itself: mean within sampling error, variance within relVar + sampling error. */
function expectSampleNearData(x: Float32Array, relVar: number): void {
  const emp = empirical(x);
  for (let d = 0; d < D; d++) {
    expect(Math.abs(emp[d]!.mean - MU[d]!)).toBeLessThan((4.5 * SD[d]!) / Math.sqrt(N));
    expect(Math.abs(emp[d]!.variance / SD[d]! ** 2 - 1)).toBeLessThan(relVar + 4.5 * Math.sqrt(2 / N));
  }
}

describe('ddimTimesteps', () => {
  it('takes equal strides from T, descending', () => {
    const s50 = ddimTimesteps(1000, 50);
    expect(s50.length).toBe(50);
    expect(s50[0]).toBe(1000);
    expect(s50[1]).toBe(980);
    expect(s50[49]).toBe(20);
    expect(ddimTimesteps(10, 3)).toEqual([10, 7, 3]);
    expect(ddimTimesteps(10, 10)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(ddimTimesteps(10, 99)).toEqual(ddimTimesteps(10, 10));
    expect(ddimTimesteps(10, 0)).toEqual([10]);
    for (let T = 10; T <= 1000; T += 7) {
      for (const c of [1, 2, 3, 7, 25, 50, 100, T]) {
        const st = ddimTimesteps(T, c);
        const ok = st[0] === T && st.length === Math.min(c, T) && st.every((t, i) => t >= 1 && (i === 0 || t < st[i - 1]!));
        if (!ok) throw new Error(`ddimTimesteps(${T}, ${c}) = ${st.join(',')}`);
      }
    }
  });
});

describe('DDPM, T = 1000, with the optimal ε of Gaussian data', () => {
  const s = linearSchedule();
  for (const variance of ['beta', 'posterior'] as const) {
    it(`reproduces the data's mean and variance (σ² = ${variance})`, async () => {
      const run: Run = { kind: 'ddpm', variance };
      const x = await sample(s, run, variance === 'beta' ? 1 : 2);
      expectMatchesExact(s, run, x);
      expectNearData(s, run, 0.02);
      expectSampleNearData(x, 0.02);
    });
  }
});

describe('DDIM with the optimal ε of Gaussian data', () => {
  const s = linearSchedule();
  // Discretisation bounds on |var/s² − 1| (see the header); the exact values for this data
  // are 0.11, 0.21, 0.057 and 0.12: they halve as the steps double.
  const bound: Record<string, number> = { '50,0': 0.15, '50,1': 0.25, '100,0': 0.08, '100,1': 0.15 };
  for (const count of [50, 100]) {
    for (const eta of [0, 1]) {
      it(`${count} steps, η = ${eta}`, async () => {
        const run: Run = { kind: 'ddim', steps: ddimTimesteps(1000, count), eta };
        const x = await sample(s, run, 10 * count + eta);
        expectMatchesExact(s, run, x);
        expectNearData(s, run, bound[`${count},${eta}`]!);
        expectSampleNearData(x, bound[`${count},${eta}`]!);
      });
    }
  }

  it('converges to the data as steps increase (all 1000 steps: within 2%)', async () => {
    const err = (count: number, eta: number): number => {
      const ex = exactMoments(s, { kind: 'ddim', steps: ddimTimesteps(1000, count), eta }, 0);
      return Math.abs(ex.variance / SD[0]! ** 2 - 1);
    };
    for (const eta of [0, 0.5, 1]) {
      expect(err(100, eta)).toBeLessThan(err(50, eta));
      expect(err(1000, eta)).toBeLessThan(err(100, eta));
      expect(err(1000, eta)).toBeLessThan(0.02);
    }
    const run: Run = { kind: 'ddim', steps: ddimTimesteps(1000, 1000), eta: 0 };
    const x = await sample(s, run, 5);
    expectMatchesExact(s, run, x);
    expectSampleNearData(x, 0.02);
  });

  it('η = 0 is deterministic given x_T; η = 1 over every step is DDPM with σ² = β̃', async () => {
    const xT = new Float32Array(SIZE);
    const rng = createRng(77);
    for (let i = 0; i < SIZE; i++) xT[i] = rng.normal();
    const run = (seed: number): Promise<Float32Array> => ddimSample({ schedule: s, shape: SIZE, eps: analyticEps(s), rng: createRng(seed), steps: 20, eta: 0, xT });
    expect(await run(1)).toEqual(await run(2));
    expect(xT[0]).toBe(Math.fround(createRng(77).normal())); // xT untouched

    const ddim = exactMoments(s, { kind: 'ddim', steps: ddimTimesteps(1000, 1000), eta: 1 }, 1);
    const ddpm = exactMoments(s, { kind: 'ddpm', variance: 'posterior' }, 1);
    expect(ddim.mean).toBeCloseTo(ddpm.mean, 10);
    expect(ddim.variance).toBeCloseTo(ddpm.variance, 10);
  });
});

describe('samplers over the whole T range', () => {
  const schedules: [string, Schedule][] = [
    ['linear', linearSchedule(10)],
    ['cosine', cosineSchedule(10)],
    ['linear', linearSchedule(50)],
    ['cosine', cosineSchedule(200)],
    [
      'custom',
      customSchedule(37, [
        { t: 0.3, value: 0.7 },
        { t: 0.8, value: 0.05 },
        { t: 1, value: 0.001 },
      ]),
    ],
  ];
  for (const [name, s] of schedules) {
    it(`${name}, T = ${s.T}: DDPM and DDIM match the exact output distribution`, async () => {
      const runs: Run[] = [
        { kind: 'ddpm', variance: 'beta' },
        { kind: 'ddpm', variance: 'posterior' },
        { kind: 'ddim', steps: ddimTimesteps(s.T, 5), eta: 0 },
        { kind: 'ddim', steps: [s.T, Math.ceil(s.T / 2), 3, 1], eta: 0.7 },
      ];
      for (const [i, run] of runs.entries()) expectMatchesExact(s, run, await sample(s, run, 100 + i));
    });
  }
  it('with few steps the cosine schedule gets closer to the data than the linear one', () => {
    for (const T of [20, 50]) {
      for (const variance of ['beta', 'posterior'] as const) {
        for (let d = 0; d < D; d++) {
          const err = (s: Schedule): number => Math.abs(exactMoments(s, { kind: 'ddpm', variance }, d).variance / SD[d]! ** 2 - 1);
          expect(err(cosineSchedule(T))).toBeLessThan(err(linearSchedule(T)));
        }
      }
    }
    expectNearData(cosineSchedule(50), { kind: 'ddpm', variance: 'beta' }, 0.05);
  });
});

describe('sampler plumbing', () => {
  const s = linearSchedule(20);

  it('reports each step to onStep and accepts an async model', async () => {
    const seen: { t: number; tNext: number; index: number; count: number }[] = [];
    let last: Float32Array | null = null;
    const asyncEps: EpsModel = async (x, t) => analyticEps(s)(x, t);
    const out = await ddimSample({
      schedule: s,
      shape: 8,
      eps: asyncEps,
      rng: createRng(1),
      steps: [20, 5, 12, 5],
      onStep: async (t, x, x0, info) => {
        seen.push({ t, ...info });
        last = Float32Array.from(x);
        expect(x0.length).toBe(8);
      },
    });
    expect(seen).toEqual([
      { t: 20, tNext: 12, index: 1, count: 3 },
      { t: 12, tNext: 5, index: 2, count: 3 },
      { t: 5, tNext: 0, index: 3, count: 3 },
    ]);
    expect(last).toEqual(out);

    const ts: number[] = [];
    await ddpmSample({ schedule: s, shape: 4, eps: analyticEps(s), rng: createRng(1), onStep: (t) => void ts.push(t) });
    expect(ts).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
  });

  it('passes cond through and clips x_0 predictions when asked', async () => {
    const conds: unknown[] = [];
    // A "model" whose x_0 prediction is far outside [−1, 1].
    const wild: EpsModel = (x, t, cond) => {
      conds.push(cond);
      const ab = alphaBar(s, t);
      return x.map((v) => (v - Math.sqrt(ab) * 5) / Math.sqrt(1 - ab));
    };
    for (const out of [
      await ddpmSample({ schedule: s, shape: 100, eps: wild, rng: createRng(2), clipX0: true, cond: 'cat' }),
      await ddimSample({ schedule: s, shape: 100, eps: wild, rng: createRng(2), clipX0: true, steps: 4, eta: 1, cond: 'cat' }),
    ]) {
      for (const v of out) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
    expect(conds.length).toBe(24);
    expect(conds.every((c) => c === 'cat')).toBe(true);
    const free = await ddimSample({ schedule: s, shape: 100, eps: wild, rng: createRng(2), steps: 4 });
    expect(Math.abs(free[0]! - 5)).toBeLessThan(1e-3);
  });

  it('rejects bad models, shapes, steps and aborted runs with clear errors', async () => {
    const base = { schedule: s, rng: createRng(3), eps: analyticEps(s) };
    await expect(ddpmSample({ ...base, shape: 4, eps: () => new Float32Array(3) })).rejects.toThrow(/4 values/);
    await expect(ddpmSample({ ...base, shape: 4, eps: () => [0, 0, 0, 0] as unknown as Float32Array })).rejects.toThrow(/Float32Array/);
    await expect(ddpmSample({ ...base, shape: [2, 0] })).rejects.toThrow(/shape/);
    await expect(ddpmSample({ ...base, shape: 4, xT: new Float32Array(5) })).rejects.toThrow(/xT/);
    await expect(ddimSample({ ...base, shape: 4, steps: [21] })).rejects.toThrow(/\[1, 20\]/);
    await expect(ddimSample({ ...base, shape: 4, steps: [] })).rejects.toThrow(/non-empty/);
    await expect(ddimSample({ ...base, shape: 4, steps: 5, eta: -1 })).rejects.toThrow(/eta/);
    await expect(ddimSample({ ...base, shape: 4, steps: 5, eta: 1.5 })).rejects.toThrow(/eta = 1.5 must be in \[0, 1\]/);
    const ac = new AbortController();
    ac.abort(new Error('player left'));
    await expect(ddpmSample({ ...base, shape: 4, signal: ac.signal })).rejects.toThrow(/player left/);
  });
});
