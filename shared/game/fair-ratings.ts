/**
 * Fair class ratings (rated rounds: the Noise lab's "sample" challenge), in two steps.
 *
 * 1. **Each rater read against their own habit.** A rater's stars are centred on that
 *    rater's own mean: `c = stars − (the rater's mean)`. "A 4 from someone who gives
 *    everyone 4 counts as average; a 4 from someone who usually gives 2 counts as well
 *    above average." A rater who gives every sample the same stars moves no sample ahead
 *    of another; harsh and generous raters count alike.
 *
 * 2. **Each rating weighed by how well it agrees with the rest of the class.** For every
 *    sample, a rating's distance from the other raters' view of it (the median of their
 *    centred stars) is `e`; the class's typical distance is τ (the median |e| over all
 *    ratings, at least half a star, as stars are whole numbers). A rating counts with the
 *    Cauchy weight `w = 1 / (1 + (e / (K·τ))²)`: a typical disagreement keeps most of its
 *    weight, a rating far from everyone else's view of the same sample keeps little. A
 *    sample's fair mean is `class mean + Σ w·c / Σ w`, which still reads as stars (1..5).
 *
 * Why step 2: with step 1 alone, a second seat that gives its twin 5★ and everyone else
 * 1★ has a low mean, so its 5★ becomes a huge centred rating, and in a class of five it
 * lifts the twin by about half the scale. Weighed against the class it loses almost all
 * of its weight (`test/unit/fair-ratings.test.ts` measures the twin's gain over an equal
 * honest sample across class sizes). It is a one-step M-estimate of each sample's
 * location with Cauchy weights, the textbook robust mean.
 *
 * What follows from it: a rater's ratings only say something once they have rated two or
 * more samples (a single rating equals that rater's own mean); a sample rated by fewer
 * than three raters has no "rest of the class" to agree with, so its ratings keep full
 * weight; when one rater rates everything (the neural judge in solo mode), the fair stars
 * are the stars themselves.
 */

/** Stars by rated player, then by rater (as the engine records them). */
export type StarTable = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** How far from the class (in typical distances τ) a rating may be and still keep half its weight; tuned in fair-ratings.test.ts's simulation. */
export const AGREEMENT_K = 1.5;
/** The same for a rater's typical distance over all their ratings: stricter, as it averages over several samples. */
export const RATER_K = 1;
/** τ never falls below half a star: stars are whole numbers, so honest raters differ by that much at least. */
const TAU_FLOOR = 0.5;
/** A rating whose weight falls below this (a quarter of a typical rating's) is shown as cut on the host's reveal. */
export const CUT_WEIGHT = 0.25;

export interface FairRating {
  rater: string;
  stars: number;
  /** The rating after step 1, centred on the rater's mean, plus the class mean (about 1..5). */
  fair: number;
  /** Step 2's weight relative to a typical rating of this round (1): a rating far from the class's view weighs much less. */
  weight: number;
}

export interface FairSample {
  ratings: FairRating[];
  /** The weighted mean of the fair stars: what the points come from (null when unrated). */
  fairMean: number | null;
}

/** Passes of reweighing (iteratively reweighted, as M-estimates are computed): the first against medians, then against the weighted view. */
const PASSES = 4;

interface Rated {
  target: string;
  rater: string;
  stars: number;
  /** Centred on the rater's own mean (step 1). */
  c: number;
  weight: number;
}

const cauchy = (e: number, scale: number, k = AGREEMENT_K) => 1 / (1 + (e / (k * scale)) ** 2);

/**
 * One pass of step 2: each rating's distance from the other raters' view of its sample
 * (their median on the first pass, their weighted mean after), and new weights from it.
 */
function reweigh(byTarget: ReadonlyMap<string, Rated[]>, first: boolean): void {
  const distance = new Map<Rated, number>();
  for (const list of byTarget.values()) {
    if (list.length < 3) continue;
    list.forEach((x, i) => {
      const others = list.filter((_, j) => j !== i);
      const w = others.reduce((sum, y) => sum + y.weight, 0);
      const view = first || w <= 0 ? median(others.map((y) => y.c)) : others.reduce((sum, y) => sum + y.weight * y.c, 0) / w;
      distance.set(x, x.c - view);
    });
  }
  if (distance.size === 0) return;
  const tau = Math.max(TAU_FLOOR, median([...distance.values()].map(Math.abs)));
  // A rater's typical distance over all their ratings (root mean square): a rater who agrees with no one loses weight everywhere.
  const spread = new Map<string, { sq: number; n: number }>();
  for (const [x, e] of distance) {
    const r = spread.get(x.rater) ?? { sq: 0, n: 0 };
    r.sq += e * e;
    r.n += 1;
    spread.set(x.rater, r);
  }
  const raterDistance = new Map([...spread].map(([rater, r]) => [rater, Math.sqrt(r.sq / r.n)]));
  const tauR = Math.max(TAU_FLOOR, median([...raterDistance.values()]));
  for (const [x, e] of distance) x.weight = cauchy(e, tau) * cauchy(raterDistance.get(x.rater)!, tauR, RATER_K);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Every rated sample's ratings with their fair stars and weights, and its fair mean. */
export function fairRatings(ratings: StarTable): Map<string, FairSample> {
  const byRater = new Map<string, { sum: number; count: number }>();
  for (const given of ratings.values()) {
    for (const [rater, stars] of given) {
      const r = byRater.get(rater) ?? { sum: 0, count: 0 };
      r.sum += stars;
      r.count += 1;
      byRater.set(rater, r);
    }
  }
  const flat: Rated[] = [];
  for (const [target, given] of ratings) {
    for (const [rater, stars] of given) {
      const r = byRater.get(rater)!;
      flat.push({ target, rater, stars, c: stars - r.sum / r.count, weight: 1 });
    }
  }
  const byTarget = new Map<string, Rated[]>();
  for (const x of flat) byTarget.set(x.target, [...(byTarget.get(x.target) ?? []), x]);
  for (let pass = 0; pass < PASSES; pass++) reweigh(byTarget, pass === 0);
  // Weights read relative to a typical rating (1); only their ratios enter the means.
  const typical = median(flat.map((x) => x.weight));
  if (typical > 0) for (const x of flat) x.weight /= typical;
  let weightedStars = 0;
  let totalWeight = 0;
  for (const x of flat) {
    weightedStars += x.weight * x.stars;
    totalWeight += x.weight;
  }
  // The class mean that brings centred stars back to the star scale, weighed too: a rigging seat's 1★ for everyone does not drag it down.
  const classMean = totalWeight ? weightedStars / totalWeight : 0;
  const out = new Map<string, FairSample>();
  for (const [target, list] of byTarget) {
    const ratings = list.map(({ rater, stars, c, weight }): FairRating => ({ rater, stars, fair: c + classMean, weight }));
    const w = ratings.reduce((sum, r) => sum + r.weight, 0);
    const fairMean = ratings.length ? ratings.reduce((sum, r) => sum + r.weight * r.fair, 0) / w : null;
    out.set(target, { ratings, fairMean });
  }
  return out;
}

/** The plain mean of some stars (null for none). */
export function meanStars(stars: Iterable<number>): number | null {
  let s = 0;
  let n = 0;
  for (const x of stars) {
    s += x;
    n += 1;
  }
  return n ? s / n : null;
}
