import type { Rng } from '../random.ts';

/** Opaque ids for the images of a round: random, so their order or value says nothing. */
export function imageIds(rng: Rng, n: number): string[] {
  const ids = new Set<string>();
  while (ids.size < n)
    ids.add(
      Math.floor(rng.next() * 2 ** 32)
        .toString(36)
        .padStart(7, '0'),
    );
  return [...ids];
}
