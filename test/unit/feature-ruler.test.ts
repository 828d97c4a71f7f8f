/**
 * The second ruler (models/eval/ruler/): fitted on real training images only, it reads
 * held-out real images right at least 99% of the time on every attribute, reads their
 * rotation two ways to within a few degrees, refuses malformed input, and no training code
 * can reach it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, labelsOf, samplesAt } from '../../models/data/stream.ts';
import { FeatureRuler, RULER_ATTRIBUTES } from '../../models/eval/ruler/feature-ruler.ts';
import { Knn } from '../../models/eval/ruler/knn.ts';
import { renderBackground, sampleStyle } from '../../shared/dataset/index.ts';
import { createRng } from '../../shared/random.ts';

let ruler: FeatureRuler;
beforeAll(() => {
  ruler = FeatureRuler.fit(samplesAt(DEFAULT_SEED, 'train', 0, 2500));
}, 120_000);

describe('the feature ruler', () => {
  it('reads every attribute of held-out real images right ≥ 99% of the time', () => {
    const test = samplesAt(DEFAULT_SEED, 'test', 0, 600);
    const reads = test.map((s) => ruler.read(s.pixels));
    for (const a of RULER_ATTRIBUTES) {
      const ok = test.filter((s, i) => labelsOf(s.attributes, s.style)[a] === reads[i]!.labels[a]).length / test.length;
      expect(ok, a).toBeGreaterThanOrEqual(0.99);
    }
  });

  it('reads the rotation of real shapes two independent ways, within a few degrees', () => {
    const test = samplesAt(DEFAULT_SEED, 'test', 600, 400);
    for (const pick of ['rotation', 'rotationTemplate'] as const) {
      const errs = test.flatMap((s) => {
        const r = ruler.read(s.pixels)[pick];
        return r === null ? [] : [Math.abs(r - s.style.rotation)];
      });
      errs.sort((a, b) => a - b);
      // circles and rings have no orientation: 6 of the 8 shapes do
      expect(errs.length, pick).toBeGreaterThan(test.length * 0.6);
      expect(errs[Math.floor(errs.length / 2)]!, `${pick} median error`).toBeLessThan(1);
      expect(errs[Math.floor(errs.length * 0.9)]!, `${pick} 90th percentile error`).toBeLessThan(3);
    }
    const circle = test.find((s) => s.attributes.shape === 'circle')!;
    expect(ruler.read(circle.pixels).rotation).toBeNull();
  });

  it('finds no object, and no rotation, in an empty background', () => {
    const bg = renderBackground(sampleStyle(createRng(5)));
    const r = ruler.read(bg);
    expect(r.rotation).toBeNull();
    expect(r.rotationTemplate).toBeNull();
  });

  it('refuses an image of the wrong size', () => {
    expect(() => ruler.read(new Uint8Array(100))).toThrow(/3072 bytes/);
  });
});

describe('Knn', () => {
  it('votes among the k nearest in a standardised space', () => {
    // The second dimension's scale is 1000× the first's: standardising keeps it from swamping the first.
    const knn = Knn.fit(
      [
        [0, 0],
        [0.1, 1000],
        [1, 0],
        [1.1, 1000],
      ],
      [0, 0, 1, 1],
      1,
    );
    expect(knn.predict([0.05, 900])).toBe(0);
    expect(knn.predict([1.05, 100])).toBe(1);
    expect(() => Knn.fit([], [], 3)).toThrow();
  });
});

describe('the rulers are for evaluation only', () => {
  it('no file under models/ outside models/eval/ imports them', () => {
    const root = join(import.meta.dirname, '../../models');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? (f === 'weights' || f === 'checkpoints' || f === 'logs' ? [] : files(p)) : p.endsWith('.ts') ? [p] : [];
      });
    const offenders = files(root)
      .filter((p) => !relative(root, p).startsWith('eval/'))
      .filter((p) => /from '[^']*(ruler\/|two-rulers)/.test(readFileSync(p, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
