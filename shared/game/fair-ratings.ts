/**
 * Fair class ratings (rated rounds: the Noise lab's "sample" challenge).
 *
 * Each rater's stars are read against how that rater rates in general:
 *
 *   fair stars = stars − (that rater's own mean over the samples they rated) + (the class mean of all stars)
 *
 * and an answer's points come from the mean of its fair stars. For a teacher: "a 4 from
 * someone who gives everyone 4 counts as average; a 4 from someone who usually gives 2
 * counts as well above average". A rater who gives every sample 1 star (or every sample 5)
 * has a mean of 1 (or 5), so each of their ratings becomes exactly the class mean — the
 * same for every sample they rated — and cannot move one sample ahead of another. Honest
 * raters who agree on the order keep it; harsh and generous raters count alike. The class
 * mean is added back so the result still reads as stars (1..5); a harsh rater still lowers
 * that mean a little, for everyone equally.
 *
 * What follows from it: a rater's ratings only say something once they have rated two or
 * more samples (a single rating equals that rater's own mean, so it counts as the class
 * mean); with only two players, who can each rate just the other, both samples get the
 * class mean. When one rater rates everything (the neural judge in solo mode), the fair
 * stars are the stars themselves.
 */

/** Stars by rated player, then by rater (as the engine records them). */
export type StarTable = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** The same table with every rater's stars centred on that rater's mean, plus the class mean. */
export function fairStars(ratings: StarTable): Map<string, Map<string, number>> {
  const byRater = new Map<string, { sum: number; count: number }>();
  let sum = 0;
  let count = 0;
  for (const given of ratings.values()) {
    for (const [rater, stars] of given) {
      const r = byRater.get(rater) ?? { sum: 0, count: 0 };
      r.sum += stars;
      r.count += 1;
      byRater.set(rater, r);
      sum += stars;
      count += 1;
    }
  }
  const classMean = count ? sum / count : 0;
  const out = new Map<string, Map<string, number>>();
  for (const [target, given] of ratings) {
    const fair = new Map<string, number>();
    for (const [rater, stars] of given) {
      const r = byRater.get(rater)!;
      fair.set(rater, stars - r.sum / r.count + classMean);
    }
    out.set(target, fair);
  }
  return out;
}

/** The plain mean of some stars (null for none). */
export function meanStars(stars: Iterable<number>): number | null {
  let sum = 0;
  let count = 0;
  for (const s of stars) {
    sum += s;
    count += 1;
  }
  return count ? sum / count : null;
}
