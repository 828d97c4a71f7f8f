/**
 * (f) Can the bytes tell a served real from a served fake? For the GAN and for diffusion,
 * reals from the `test` split and fakes of other captions go through the served-image
 * pipeline (shared/render/served-image.ts) as in a round; each simple pixel statistic of
 * models/eval/pixel-stats.ts, and a logistic regression over all of them fitted on half
 * and scored on the other half, separates them with the ROC AUC printed (0.5: not at all).
 * The same figures before the pipeline show what it removes.
 */
import { createRng, deriveSeed } from '../../shared/random.ts';
import { recipeFor, type Difficulty, type FakeSource } from '../../shared/render/recipes.ts';
import { serveImage } from '../../shared/render/served-image.ts';
import { loadDiffusionModel } from '../diffusion/runtime.ts';
import { samplesAt } from '../data/stream.ts';
import { diffusionRenderer, renderRecipes } from '../runtime/render-recipes.ts';
import { fileLoader, loadNodeModels } from '../runtime/node.ts';
import type { EvalRow } from './rows.ts';
import { combinedAuc, PIXEL_STATISTICS, separation } from './pixel-stats.ts';

/** Targets of the fair-play issue: no single statistic, and no simple combination, gives a cheater much. */
export const SERVED_BARS = { single: 0.75, combined: 0.85 };

export const SERVED_SOURCES: readonly { source: FakeSource; difficulty: Difficulty }[] = [
  { source: 'gan', difficulty: 'easy' },
  { source: 'gan', difficulty: 'medium' },
  { source: 'gan', difficulty: 'hard' },
  { source: 'diffusion', difficulty: 'easy' },
  { source: 'diffusion', difficulty: 'medium' },
];

const features = (images: readonly Uint8Array[]) => images.map((im) => Object.values(PIXEL_STATISTICS).map((f) => f(im)));

export async function evaluateServedImages(
  opts: { n: number; seed: number; weightsDir: string; sources?: typeof SERVED_SOURCES },
  log: (s: string) => void = () => {},
): Promise<EvalRow[]> {
  const gan = await loadNodeModels({ dir: opts.weightsDir });
  const needsDiffusion = (opts.sources ?? SERVED_SOURCES).some((s) => s.source === 'diffusion');
  const diffusionModel = needsDiffusion ? await loadDiffusionModel(fileLoader(opts.weightsDir)) : null;
  const diffusion = diffusionModel && diffusionRenderer(diffusionModel);
  const seed = deriveSeed(opts.seed, 'served images');
  const reals = samplesAt(seed, 'test', 0, opts.n);
  const captions = samplesAt(deriveSeed(seed, 'fake captions'), 'test', 0, opts.n).map((s) => s.caption);
  const rawR = features(reals.map((s) => s.pixels));
  const rows: EvalRow[] = [];
  const row = (metric: string, value: number, bar: number | null): EvalRow => ({ id: 'f', metric, value, bar, direction: 'max', pass: bar === null || value <= bar });
  for (const { source, difficulty } of opts.sources ?? SERVED_SOURCES) {
    const fakes: Uint8Array[] = [];
    const chunk = source === 'gan' ? 250 : 25;
    for (let i = 0; i < opts.n; i += chunk) {
      const recipes = captions.slice(i, i + chunk).map((caption, k) => recipeFor(source, difficulty, caption, deriveSeed(seed, `fake ${i + k}`)));
      fakes.push(...(await renderRecipes({ gan, diffusion }, recipes)));
    }
    const serve = createRng(deriveSeed(seed, `serve ${source} ${difficulty}`));
    const servedReals = reals.map((s) => serveImage(s.pixels, serve));
    const servedFakes = fakes.map((px) => serveImage(px, serve));
    const [rawF, srvR, srvF] = [fakes, servedReals, servedFakes].map(features) as [number[][], number[][], number[][]];
    const label = `${source} ${difficulty}`;
    Object.keys(PIXEL_STATISTICS).forEach((name, j) => {
      const col = (xs: number[][]) => xs.map((x) => x[j]!);
      const before = separation(col(rawF), col(rawR));
      rows.push(row(`${label}: ${name} (before serving ${before.toFixed(3)})`, separation(col(srvF), col(srvR)), SERVED_BARS.single));
    });
    rows.push(row(`${label}: logistic regression over all (before serving ${combinedAuc(rawF, rawR).toFixed(3)})`, combinedAuc(srvF, srvR), SERVED_BARS.combined));
    log(`(f) served images: ${label} done`);
  }
  gan.dispose();
  diffusionModel?.dispose();
  return rows;
}
