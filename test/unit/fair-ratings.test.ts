import { describe, expect, it } from 'vitest';
import { CUT_WEIGHT, fairRatings, meanStars, type StarTable } from '../../shared/game/fair-ratings.ts';
import { sampleRatingPoints } from '../../shared/rounds/noise-lab-round.ts';
import { type Rng, seededDraws } from '../../shared/random.ts';

/**
 * A class rates each other's samples, simulated: sample t has a quality q_t (uniform in
 * 1.5..4.5 stars), rater r a habit b_r (harsh or generous, σ = 0.5 stars), and each
 * rating is round(q_t + b_r + noise (σ = 0.7)), clamped to 1..5. P (player 0) and Q
 * (player 1) made samples of equal quality; the twin seat (player 2) gives P 5★ and
 * everyone else 1★.
 */
interface Trial {
  honest: StarTable;
  rigged: StarTable;
  quality: number[];
}

function gauss(rng: Rng): number {
  let u = 0;
  for (let i = 0; i < 12; i++) u += rng.next();
  return u - 6;
}

function trial(rng: Rng, n: number): Trial {
  const quality = Array.from({ length: n }, () => 1.5 + 3 * rng.next());
  quality[1] = quality[0]!;
  const habit = Array.from({ length: n }, () => 0.5 * gauss(rng));
  const honest = new Map<string, Map<string, number>>();
  const rigged = new Map<string, Map<string, number>>();
  for (let t = 0; t < n; t++) {
    honest.set(`p${t}`, new Map());
    rigged.set(`p${t}`, new Map());
  }
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < n; t++) {
      if (r === t) continue;
      const stars = Math.min(5, Math.max(1, Math.round(quality[t]! + habit[r]! + 0.7 * gauss(rng))));
      honest.get(`p${t}`)!.set(`p${r}`, stars);
      rigged.get(`p${t}`)!.set(`p${r}`, r === 2 ? (t === 0 ? 5 : 1) : stars);
    }
  }
  return { honest, rigged, quality };
}

/** Step 1 alone (each rater centred on their own mean, plus the class mean): what the game did before. */
function centredOnly(table: StarTable): Map<string, number> {
  const byRater = new Map<string, number[]>();
  for (const given of table.values()) for (const [rater, s] of given) byRater.set(rater, [...(byRater.get(rater) ?? []), s]);
  const classMean = meanStars([...byRater.values()].flat())!;
  return new Map([...table].map(([target, given]) => [target, meanStars([...given].map(([rater, s]) => s - meanStars(byRater.get(rater)!)! + classMean))!]));
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = meanStars(a)!;
  const mb = meanStars(b)!;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i]! - mb);
    aa += (x - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

interface Figures {
  /** The twin's mean points over an equal honest sample's, rigged, with fair ratings. */
  gain: number;
  /** The same with step 1 alone. */
  gainBefore: number;
  /** Mean correlation of honest fair means with the true quality; and with step 1 alone. */
  accuracy: number;
  accuracyBefore: number;
  /** Share of the twin's 5★ for P shown as cut, and of honest ratings shown as cut. */
  twinCut: number;
  honestCut: number;
}

function simulate(n: number, trials: number, seed: number): Figures {
  const rng = seededDraws(seed).stream('class');
  let p = 0;
  let q = 0;
  let pBefore = 0;
  let qBefore = 0;
  let accuracy = 0;
  let accuracyBefore = 0;
  let twinCut = 0;
  let honestCut = 0;
  let honestCount = 0;
  const ids = Array.from({ length: n }, (_, i) => `p${i}`);
  for (let k = 0; k < trials; k++) {
    const { honest, rigged, quality } = trial(rng, n);
    const fair = fairRatings(rigged);
    p += sampleRatingPoints(fair.get('p0')!.fairMean);
    q += sampleRatingPoints(fair.get('p1')!.fairMean);
    const before = centredOnly(rigged);
    pBefore += sampleRatingPoints(before.get('p0')!);
    qBefore += sampleRatingPoints(before.get('p1')!);
    if (fair.get('p0')!.ratings.find((r) => r.rater === 'p2')!.weight < CUT_WEIGHT) twinCut += 1;
    const fairHonest = fairRatings(honest);
    accuracy += correlation(
      quality,
      ids.map((id) => fairHonest.get(id)!.fairMean!),
    );
    const honestBefore = centredOnly(honest);
    accuracyBefore += correlation(
      quality,
      ids.map((id) => honestBefore.get(id)!),
    );
    for (const sample of fairHonest.values()) {
      honestCount += sample.ratings.length;
      honestCut += sample.ratings.filter((r) => r.weight < CUT_WEIGHT).length;
    }
  }
  return {
    gain: p / q,
    gainBefore: pBefore / qBefore,
    accuracy: accuracy / trials,
    accuracyBefore: accuracyBefore / trials,
    twinCut: twinCut / trials,
    honestCut: honestCut / honestCount,
  };
}

describe('fair ratings against a second seat', () => {
  it('a twin seat lifts its twin at most 10% over an equal honest sample, in classes of 5 to 30', () => {
    for (const n of [5, 6, 8, 12, 20, 30]) {
      const f = simulate(n, 300, 100 + n);
      const line = `n=${n}: gain ${f.gain.toFixed(3)} (step 1 alone ${f.gainBefore.toFixed(3)}), honest accuracy ${f.accuracy.toFixed(3)} (${f.accuracyBefore.toFixed(3)}), twin's 5★ cut ${(100 * f.twinCut).toFixed(0)}%, honest cut ${(100 * f.honestCut).toFixed(1)}%`;
      expect(f.gain, line).toBeLessThanOrEqual(1.1);
      // The attack is real: centring alone lets it through.
      if (n <= 12) expect(f.gainBefore, line).toBeGreaterThan(1.15);
      // Honest classes lose little: the fair means still follow the samples' quality.
      expect(f.accuracy, line).toBeGreaterThan(f.accuracyBefore - 0.04);
      expect(f.twinCut, line).toBeGreaterThan(0.9);
      expect(f.honestCut, line).toBeLessThan(0.1);
    }
  });

  it('in a class of four (three raters per sample) it cuts the gain without removing it', () => {
    const f = simulate(4, 300, 104);
    expect(f.gain).toBeLessThan(1.35);
    expect(f.gainBefore).toBeGreaterThan(1.7);
  });

  it('keeps full weight where no rest of the class exists (two raters, or one rater for everything)', () => {
    const table = new Map([
      [
        'a',
        new Map([
          ['b', 5],
          ['c', 2],
        ]),
      ],
      [
        'b',
        new Map([
          ['a', 3],
          ['c', 4],
        ]),
      ],
    ]);
    for (const sample of fairRatings(table).values()) for (const r of sample.ratings) expect(r.weight).toBe(1);
  });
});
