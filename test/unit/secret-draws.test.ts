import { describe, expect, it } from 'vitest';
import { secretDraws } from '../../server/rooms/secret-draws.ts';

const take = (draws: ReturnType<typeof secretDraws>, label: string, n: number) => {
  const rng = draws.stream(label);
  return Array.from({ length: n }, () => rng.int(0, 0xffff));
};

describe('secret draws (node:crypto keys, AES-CTR streams)', () => {
  it('gives the same sequence for the same label of one round, so render jobs and the question agree', () => {
    const draws = secretDraws();
    expect(take(draws, 'spot-fake', 2000)).toEqual(take(draws, 'spot-fake', 2000));
  });

  it('gives unrelated sequences for other labels and other rounds', () => {
    const a = secretDraws();
    const b = secretDraws();
    const same = (x: number[], y: number[]) => x.filter((v, i) => v === y[i]).length;
    // 1,000 draws of 65,536 values: about 0.015 coincidences are expected by chance.
    expect(same(take(a, 'ids', 1000), take(a, 'spot-fake', 1000))).toBeLessThan(3);
    expect(same(take(a, 'ids', 1000), take(b, 'ids', 1000))).toBeLessThan(3);
  });

  it('is uniform over a small range (chi-square over 10 bins, 20,000 draws)', () => {
    const rng = secretDraws().stream('uniform');
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) bins[rng.int(0, 9)]!++;
    const chi = bins.reduce((s, c) => s + (c - 2000) ** 2 / 2000, 0);
    // 9 degrees of freedom: 27.9 is the 0.1% tail.
    expect(chi).toBeLessThan(27.9);
  });
});
