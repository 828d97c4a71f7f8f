/**
 * The diffusion model's bars for the shipped weights, on a reduced but meaningful sample:
 * DDIM 50 steps with the default guidance, 256 images (every caption twice), read by both
 * rulers. `npm run eval:diffusion` prints the full table.
 *
 * Figures that do not yet meet their bar (KNOWN_GAPS, see models/README.md) are held to a
 * regression limit about three binomial standard deviations from their measured value, and
 * must still miss their bar: the day one meets it, this test turns red so that its entry is
 * removed and the bar asserted.
 */
import { describe, expect, it } from 'vitest';
import { evaluateDiffusion, formatDiffusionTable } from '../../models/eval/diffusion-evaluate.ts';

/**
 * metric text (start) → the limit it must not fall below ('min') or stray further from the
 * bar than ('within'). The shipped ε-network and its 8×8×4 autoencoder draw hardly any
 * background pattern (82% plain, no stripes or dots: the faint 7-level marks do not survive
 * the latent), and under the second ruler a cross is often a star.
 */
const KNOWN_GAPS: Record<string, number> = {
  'caption faithfulness of ddim50': 0.83, // 87.9% (A: 92.6%)
  '  ddim50 faithfulness, captions with a cross': 0.25, // 50.0% (n = 32)
  '  ddim50 faithfulness, captions with a star': 0.55, // 78.1% (n = 32)
  '  ddim50 draws pattern plain': 0.65, // 82.0%: 57 points from 25%
  '  ddim50 draws pattern stripes': 0.25, // 0.0%
  '  ddim50 draws pattern dots': 0.25, // 0.0%
  '  ddim50 draws pattern checker': 0.16, // 16.8%: 8 points from 25%
};

describe('evaluation of the shipped diffusion model', () => {
  it('at DDIM 50 with guidance, every bar holds under both rulers, or is a known gap that holds its level', async () => {
    const rows = await evaluateDiffusion({ n: 256, only: ['ddim50'] });
    expect(rows).toHaveLength(1);
    const table = formatDiffusionTable(rows);
    // The first ruler alone still reads the bar (≥ 90%).
    expect(rows[0]!.readings[0], table).toBeGreaterThanOrEqual(0.9);
    const barred = rows[0]!.details.filter((r) => r.bar !== null);
    const gapOf = (metric: string) => Object.keys(KNOWN_GAPS).find((k) => metric.startsWith(k));
    expect(
      barred
        .map((r) => gapOf(r.metric))
        .filter(Boolean)
        .sort(),
      table,
    ).toEqual(Object.keys(KNOWN_GAPS).sort());
    for (const r of barred) {
      const gap = gapOf(r.metric);
      if (!gap) {
        expect(r.pass, `${r.metric}: ${r.value}\n${table}`).toBe(true);
        continue;
      }
      expect(r.pass, `${r.metric} now meets its bar: remove it from KNOWN_GAPS`).toBe(false);
      const limit = KNOWN_GAPS[gap]!;
      if (r.direction === 'within') expect(Math.abs(r.value - r.bar!), `${r.metric} regressed`).toBeLessThanOrEqual(limit);
      else expect(r.value, `${r.metric} regressed`).toBeGreaterThanOrEqual(limit);
    }
  }, 300_000);
});
