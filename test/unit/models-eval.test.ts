/**
 * The evaluation's bars for the shipped weights (a reduced but meaningful sample: 400
 * held-out images per figure). `npm run eval:models` prints the full table (1000 images).
 *
 * (a) and (c) must meet their bars. Figures that do not yet (KNOWN_GAPS, see
 * models/README.md) are held to a regression limit a few binomial standard deviations from
 * their measured value, and must still miss their bar: the day one meets it, this test
 * turns red so that its entry is removed and the bar asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateModels, formatTable, type EvalRow } from '../../models/eval/evaluate.ts';

/**
 * metric text (start) → the limit it must not fall below ('min' bars), rise above ('max'
 * bars) or stray further from the bar than ('within' bars). Measured at n = 400 on the
 * shipped G v8; the limits sit about three binomial standard deviations below. All are the
 * second ruler's (hand-made features) readings: G v8 draws bell-shaped triangles, blobby
 * stars and barely turns its objects, which the CNN classifier it was selected against
 * does not see (models/README.md, models/HISTORY.md).
 */
const KNOWN_GAPS: Record<string, number> = {
  'caption faithfulness of G': 0.61, // 68.0%
  '  G faithfulness, captions with a circle': 0.41, // 61.1% (n = 54)
  '  G faithfulness, captions with a square': 0.51, // 69.6% (n = 56)
  '  G faithfulness, captions with a triangle': 0.12, // 30.8% (n = 52)
  '  G faithfulness, captions with a star': 0.02, // 11.9% (n = 42)
  '  G faithfulness, captions with a cross': 0.46, // 66.7% (n = 45)
  "  G's rotation spread": 0.8, // 0.317 of the data's: 0.683 from the bar of 1
  'style transfer: caption attributes follow t_new': 0.68, // 74.5%
};
/**
 * The KID ratio is too noisy at n = 400 to call the bar either way (G v4: 0.88 at n = 400,
 * 1.64 at n = 1000; G v5: −0.23 and 0.47, where eval:models reports it and it passes): only
 * a regression ceiling here.
 */
const NOISY_CEILINGS: Record<string, number> = {
  'KID(real, generated) / KID(real, blurred real)': 1.5,
};

let rows: EvalRow[] = [];

beforeAll(async () => {
  rows = await evaluateModels({ n: 400 });
  console.log(formatTable(rows));
}, 240_000);

const gapOf = (r: EvalRow) => Object.keys(KNOWN_GAPS).find((k) => r.metric.startsWith(k));
const noisyOf = (r: EvalRow) => Object.keys(NOISY_CEILINGS).find((k) => r.metric.startsWith(k));

describe('evaluation of the shipped models', () => {
  it('(a) the attribute classifier and (c) CLIP retrieval meet their bars', () => {
    expect(rows.filter((r) => r.id === 'a' || r.id === 'c').length).toBeGreaterThan(0);
    expect(
      rows.filter((r) => (r.id === 'a' || r.id === 'c') && !r.pass),
      formatTable(rows),
    ).toEqual([]);
  });

  it('(b), (d), (e) meet their bars, or are known gaps that hold their measured level', () => {
    const barred = rows.filter((r) => ['b', 'd', 'e'].includes(r.id) && r.bar !== null);
    expect(barred.map(gapOf).filter(Boolean).sort()).toEqual(Object.keys(KNOWN_GAPS).sort());
    expect(barred.map(noisyOf).filter(Boolean).sort()).toEqual(Object.keys(NOISY_CEILINGS).sort());
    for (const r of barred) {
      const noisy = noisyOf(r);
      if (noisy) {
        expect(r.value, `${r.metric} regressed`).toBeLessThanOrEqual(NOISY_CEILINGS[noisy]!);
        continue;
      }
      const gap = gapOf(r);
      if (!gap) {
        expect(r.pass, `${r.metric}: ${r.value}`).toBe(true);
        continue;
      }
      expect(r.pass, `${r.metric} now meets its bar: remove it from KNOWN_GAPS`).toBe(false);
      const limit = KNOWN_GAPS[gap]!;
      if (r.direction === 'min') expect(r.value, `${r.metric} regressed`).toBeGreaterThanOrEqual(limit);
      else if (r.direction === 'max') expect(r.value, `${r.metric} regressed`).toBeLessThanOrEqual(limit);
      else expect(Math.abs(r.value - r.bar!), `${r.metric} regressed`).toBeLessThanOrEqual(limit);
    }
  });
});
