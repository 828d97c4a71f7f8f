import { describe, expect, it } from 'vitest';
import { EVAL_DEFAULTS } from '../../models/eval/evaluate.ts';
import { exactPaletteFraction, rocAuc } from '../../models/eval/pixel-stats.ts';
import { evaluateServedImages, SERVED_BARS } from '../../models/eval/served-images.ts';
import { makeSample } from '../../shared/dataset/index.ts';
import { createRng } from '../../shared/random.ts';
import { serveImage } from '../../shared/render/served-image.ts';

describe('served images (one pipeline for reals and fakes)', () => {
  it('leaves no exact palette pixels in a real, and never returns the same bytes twice', () => {
    const real = makeSample(5).pixels;
    expect(exactPaletteFraction(real)).toBeGreaterThan(0.3);
    const rng = createRng(1);
    const a = serveImage(real, rng);
    const b = serveImage(real, rng);
    expect(exactPaletteFraction(a)).toBeLessThan(0.05);
    expect(a).not.toEqual(b);
    // Light: the image stays itself (mean absolute change of a few grey levels).
    const change = a.reduce((s, v, i) => s + Math.abs(v - real[i]!), 0) / a.length;
    expect(change).toBeGreaterThan(1);
    expect(change).toBeLessThan(12);
  });

  it('computes the ROC AUC as Mann–Whitney, ties counted half', () => {
    expect(rocAuc([3, 4], [1, 2])).toBe(1);
    expect(rocAuc([1, 2], [3, 4])).toBe(0);
    expect(rocAuc([1, 1], [1, 1])).toBe(0.5);
    expect(rocAuc([2, 4], [1, 3])).toBe(0.75);
  });

  it('keeps the shipped GAN fakes and served reals apart from no simple byte statistic', { timeout: 120_000 }, async () => {
    const rows = await evaluateServedImages({ n: 200, ganN: 200, seed: 3, weightsDir: EVAL_DEFAULTS.weightsDir, sources: [{ source: 'gan', difficulty: 'medium' }] });
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r.value, r.metric).toBeLessThanOrEqual(r.metric.includes('logistic') ? SERVED_BARS.combined : SERVED_BARS.single);
    // Before serving, the same statistics separate them perfectly: the test would notice the pipeline going missing.
    expect(rows.every((r) => Number(/before serving ([\d.]+)/.exec(r.metric)![1]) > 0.95)).toBe(true);
  });
});
