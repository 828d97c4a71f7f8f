import { describe, expect, it } from 'vitest';
import { applyPlatt, calibrationFigures, fitPlatt } from '../../models/eval/calibration.ts';
import { createRng } from '../../shared/random.ts';

describe('calibration (Platt scaling and its figures)', () => {
  // Labels drawn from p = σ(2ℓ − 1): the model's own σ(ℓ) is overconfident near 0 and biased.
  const rng = createRng(5);
  const logits = Array.from({ length: 20_000 }, () => 4 * rng.next() - 2);
  const labels = logits.map((l) => rng.next() < 1 / (1 + Math.exp(-(2 * l - 1))));

  it('recovers the scaling that generated the labels', () => {
    const p = fitPlatt(logits, labels);
    expect(p.a).toBeCloseTo(2, 1);
    expect(p.b).toBeCloseTo(-1, 1);
  });

  it('cuts the calibration error and the log loss on data it was not fitted on', () => {
    const platt = fitPlatt(logits.slice(0, 10_000), labels.slice(0, 10_000));
    const test = { logits: logits.slice(10_000), labels: labels.slice(10_000) };
    const raw = calibrationFigures(
      test.logits.map((l) => applyPlatt(l, { a: 1, b: 0 })),
      test.labels,
    );
    const cal = calibrationFigures(
      test.logits.map((l) => applyPlatt(l, platt)),
      test.labels,
    );
    expect(raw.ece).toBeGreaterThan(0.08);
    expect(cal.ece).toBeLessThan(0.02);
    expect(cal.logLoss).toBeLessThan(raw.logLoss);
  });

  it('computes accuracy, log loss and ECE by hand on four answers', () => {
    const f = calibrationFigures([0.9, 0.8, 0.3, 0.05], [true, false, false, false]);
    expect(f.accuracy).toBe(0.75);
    expect(f.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.2) + Math.log(0.7) + Math.log(0.95)) / 4, 10);
    // Bins: 0.9 → 1 of 1 real, 0.8 → 0 of 1, 0.3 → 0 of 1, 0.05 → 0 of 1.
    expect(f.ece).toBeCloseTo((0.1 + 0.8 + 0.3 + 0.05) / 4, 10);
  });
});

describe('the shipped neural D, calibrated', () => {
  it('evaluates on the test split with figures the eval table can print', { timeout: 120_000 }, async () => {
    const { loadNodeModels } = await import('../../models/runtime/node.ts');
    const { evaluateDCalibration } = await import('../../models/eval/d-calibration.ts');
    const gan = await loadNodeModels();
    const rows = await evaluateDCalibration(gan, { n: 150, seed: 3 });
    gan.dispose();
    const value = (start: string) => rows.find((r) => r.metric.startsWith(start))!.value;
    expect(rows.some((r) => r.metric.includes('no calibration shipped'))).toBe(false);
    // Calibration may not make D worse than its own sigmoid.
    expect(value('D calibrated: log loss')).toBeLessThan(value('D uncalibrated: log loss'));
    expect(value('D calibrated: log loss')).toBeLessThan(Math.log(2) + 0.05);
  });
});
