/**
 * (g) The neural D, calibrated. D answers beside the class in Spot the fake and Judge, so its
 * probabilities should mean what they say. Reals of a split and GAN fakes of that split's
 * captions (easy, medium and hard alike) go through the served-image pipeline as in a round;
 * Platt scaling is fitted on the `val` split (models/gan/calibrate-d.ts) and judged here on
 * the `test` split, which neither training nor the fit ever saw.
 */
import { createRng, deriveSeed } from '../../shared/random.ts';
import { DIFFICULTIES, recipeFor } from '../../shared/render/recipes.ts';
import { serveImage } from '../../shared/render/served-image.ts';
import { samplesAt } from '../data/stream.ts';
import type { LatentModels } from '../runtime/latent-models.ts';
import { renderRecipes } from '../runtime/render-recipes.ts';
import { applyPlatt, calibrationFigures } from './calibration.ts';
import type { EvalRow } from './rows.ts';

/** Calibrated D's bars: better than saying ½ to everything, and probabilities within 5 points of the truth on average. */
export const D_CALIBRATION_BARS = { logLoss: Math.log(2), ece: 0.05 };

/** D's logits on n served reals and n served fakes of one split, with their labels (true = real). */
export async function dLogits(gan: LatentModels, split: 'val' | 'test', n: number, seed: number): Promise<{ logits: number[]; labels: boolean[] }> {
  const base = deriveSeed(seed, `d calibration ${split}`);
  const reals = samplesAt(base, split, 0, n);
  const captions = samplesAt(deriveSeed(base, 'fake captions'), split, 0, n).map((s) => s.caption);
  const recipes = captions.map((caption, i) => recipeFor('gan', DIFFICULTIES[i % DIFFICULTIES.length]!, caption, deriveSeed(base, `fake ${i}`)));
  const fakes: Uint8Array[] = [];
  for (let i = 0; i < n; i += 250) fakes.push(...(await renderRecipes({ gan }, recipes.slice(i, i + 250))));
  const serve = createRng(deriveSeed(base, 'serve'));
  const images = [...reals.map((s) => serveImage(s.pixels, serve)), ...fakes.map((px) => serveImage(px, serve))];
  const shown = [...reals.map((s) => s.caption), ...captions];
  const logits: number[] = [];
  for (let i = 0; i < images.length; i += 250) logits.push(...gan.discriminatorLogits(images.slice(i, i + 250), shown.slice(i, i + 250)));
  return { logits, labels: images.map((_, i) => i < n) };
}

export async function evaluateDCalibration(gan: LatentModels, opts: { n: number; seed: number }): Promise<EvalRow[]> {
  const { logits, labels } = await dLogits(gan, 'test', opts.n, opts.seed);
  const raw = calibrationFigures(
    logits.map((l) => applyPlatt(l, { a: 1, b: 0 })),
    labels,
  );
  const rows: EvalRow[] = [];
  const row = (metric: string, value: number, bar: number | null, direction: 'min' | 'max'): EvalRow => ({
    id: 'g',
    metric,
    value,
    bar,
    direction,
    pass: bar === null || (direction === 'max' ? value <= bar : value >= bar),
  });
  const c = gan.dCalibration;
  rows.push(row(`D uncalibrated: accuracy (served reals vs GAN fakes, test split, n = ${2 * opts.n})`, raw.accuracy, null, 'min'));
  rows.push(row('D uncalibrated: log loss (nats)', raw.logLoss, null, 'max'));
  rows.push(row('D uncalibrated: expected calibration error', raw.ece, null, 'max'));
  if (!c) {
    rows.push(row('D calibrated: no calibration shipped (run npm run calibrate:d)', 0, 1, 'min'));
    return rows;
  }
  const cal = calibrationFigures(
    logits.map((l) => applyPlatt(l, c)),
    labels,
  );
  rows.push(row(`D calibrated (Platt a = ${c.a.toFixed(3)}, b = ${c.b.toFixed(3)}, fitted on val): accuracy`, cal.accuracy, null, 'min'));
  rows.push(row('D calibrated: log loss (nats)', cal.logLoss, D_CALIBRATION_BARS.logLoss, 'max'));
  rows.push(row('D calibrated: expected calibration error', cal.ece, D_CALIBRATION_BARS.ece, 'max'));
  return rows;
}
