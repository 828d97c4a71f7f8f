/**
 * (f) Can the bytes tell a served real from a served fake? For the GAN and for diffusion,
 * reals from the `test` split and fakes of other captions go through the served-image
 * pipeline (shared/render/served-image.ts) as in a round; each simple pixel statistic of
 * models/eval/pixel-stats.ts, and a logistic regression over all of them fitted on half
 * and scored on the other half, separates them with the ROC AUC printed (0.5: not at all).
 * The same figures before the pipeline show what it removes.
 * Difficulty: per source, the neural D's ROC AUC (reals scored above fakes) and the
 * logistic regression's, on served images, must fall from easy to medium to hard: difficulty
 * picks fakes by realness (shared/render/recipes.ts DIFFICULTY_PICK, shared/render/realness.ts:
 * D's logit with the raw image's palette distance), and the regression, fitted afresh on the
 * served images over all three statistics, shows whether that is more than D's own taste.
 * GAN fakes are cheap, so they are measured on more images (`ganN`): the regression's AUC
 * moves by about ±0.03 between sets of 400.
 */
import { createRng, deriveSeed } from '../../shared/random.ts';
import { recipeFor, type Difficulty, type FakeSource } from '../../shared/render/recipes.ts';
import { serveImage } from '../../shared/render/served-image.ts';
import { loadDiffusionModel } from '../diffusion/runtime.ts';
import { samplesAt } from '../data/stream.ts';
import { diffusionRenderer, renderRecipes } from '../runtime/render-recipes.ts';
import { fileLoader, loadNodeModels } from '../runtime/node.ts';
import type { EvalRow } from './rows.ts';
import { combinedAuc, PIXEL_STATISTICS, rocAuc, separation } from './pixel-stats.ts';
import { DIFFICULTIES } from '../../shared/render/recipes.ts';

/** GAN fakes measured per level at least (see the module comment). */
export const GAN_SERVED_N = 1000;

/** Targets of the fair-play issue: no single statistic, and no simple combination, gives a cheater much. */
export const SERVED_BARS = { single: 0.75, combined: 0.85 };

export const SERVED_SOURCES: readonly { source: FakeSource; difficulty: Difficulty }[] = [
  { source: 'gan', difficulty: 'easy' },
  { source: 'gan', difficulty: 'medium' },
  { source: 'gan', difficulty: 'hard' },
  { source: 'diffusion', difficulty: 'easy' },
  { source: 'diffusion', difficulty: 'medium' },
  { source: 'diffusion', difficulty: 'hard' },
];

/**
 * The difficulty table: each detector's AUC per level, and a row per source and detector
 * that holds when it falls from easy to medium to hard (a source measured at fewer than
 * all three levels has no such row).
 */
function difficultyRows(detection: ReadonlyMap<FakeSource, ReadonlyMap<Difficulty, [number, number]>>): EvalRow[] {
  const rows: EvalRow[] = [];
  for (const [source, levels] of detection) {
    ['neural D', 'pixel statistics (logistic regression)'].forEach((detector, j) => {
      const aucs = DIFFICULTIES.map((d) => levels.get(d)?.[j]);
      const text = DIFFICULTIES.map((d, i) => `${d} ${aucs[i] === undefined ? '–' : aucs[i]!.toFixed(3)}`).join(', ');
      if (aucs.some((a) => a === undefined)) return;
      const [easy, medium, hard] = aucs as [number, number, number];
      // The figure is the smaller of the two steps down: > 0 when the AUC falls at each step.
      const fall = Math.min(easy - medium, medium - hard);
      rows.push({
        id: 'f',
        metric: `difficulty, ${source} fakes: ${detector} detection AUC falls easy → hard (${text})`,
        value: fall,
        bar: 0,
        direction: 'min',
        format: 'number',
        pass: fall > 0,
      });
    });
  }
  return rows;
}

const features = (images: readonly Uint8Array[]) => images.map((im) => Object.values(PIXEL_STATISTICS).map((f) => f(im)));

export async function evaluateServedImages(
  opts: { n: number; ganN?: number; seed: number; weightsDir: string; sources?: typeof SERVED_SOURCES },
  log: (s: string) => void = () => {},
): Promise<EvalRow[]> {
  const gan = await loadNodeModels({ dir: opts.weightsDir });
  const needsDiffusion = (opts.sources ?? SERVED_SOURCES).some((s) => s.source === 'diffusion');
  const diffusionModel = needsDiffusion ? await loadDiffusionModel(fileLoader(opts.weightsDir)) : null;
  const diffusion = diffusionModel && diffusionRenderer(diffusionModel);
  const seed = deriveSeed(opts.seed, 'served images');
  const nOf = (source: FakeSource) => (source === 'gan' ? (opts.ganN ?? Math.max(opts.n, GAN_SERVED_N)) : opts.n);
  const most = Math.max(...(opts.sources ?? SERVED_SOURCES).map((s) => nOf(s.source)));
  const allReals = samplesAt(seed, 'test', 0, most);
  const allCaptions = samplesAt(deriveSeed(seed, 'fake captions'), 'test', 0, most).map((s) => s.caption);
  const rows: EvalRow[] = [];
  const row = (metric: string, value: number, bar: number | null): EvalRow => ({ id: 'f', metric, value, bar, direction: 'max', pass: bar === null || value <= bar });
  /** per source, per difficulty: [neural D's AUC, the logistic regression's] */
  const detection = new Map<FakeSource, Map<Difficulty, [number, number]>>();
  const dOf = (images: readonly Uint8Array[], caps: readonly string[]) => gan.discriminatorLogits(images, caps);
  for (const { source, difficulty } of opts.sources ?? SERVED_SOURCES) {
    const n = nOf(source);
    const reals = allReals.slice(0, n);
    const captions = allCaptions.slice(0, n);
    const rawR = features(reals.map((s) => s.pixels));
    const fakes: Uint8Array[] = [];
    const chunk = source === 'gan' ? 250 : 25;
    for (let i = 0; i < n; i += chunk) {
      const recipes = captions.slice(i, i + chunk).map((caption, k) => recipeFor(source, difficulty, caption, deriveSeed(seed, `fake ${i + k}`)));
      fakes.push(...(await renderRecipes({ gan, diffusion }, recipes)));
    }
    const serve = createRng(deriveSeed(seed, `serve ${source} ${difficulty}`));
    const servedReals = reals.map((s) => serveImage(s.pixels, serve));
    const servedFakes = fakes.map((px) => serveImage(px, serve));
    const [rawF, srvR, srvF] = [fakes, servedReals, servedFakes].map(features) as [number[][], number[][], number[][]];
    const label = `${source} ${difficulty} (n = ${n})`;
    Object.keys(PIXEL_STATISTICS).forEach((name, j) => {
      const col = (xs: number[][]) => xs.map((x) => x[j]!);
      const before = separation(col(rawF), col(rawR));
      rows.push(row(`${label}: ${name} (before serving ${before.toFixed(3)})`, separation(col(srvF), col(srvR)), SERVED_BARS.single));
    });
    const combined = combinedAuc(srvF, srvR);
    rows.push(row(`${label}: logistic regression over all (before serving ${combinedAuc(rawF, rawR).toFixed(3)})`, combined, SERVED_BARS.combined));
    const neural = rocAuc(
      dOf(
        servedReals,
        reals.map((s) => s.caption),
      ),
      dOf(servedFakes, captions),
    );
    if (!detection.has(source)) detection.set(source, new Map());
    detection.get(source)!.set(difficulty, [neural, combined]);
    log(`(f) served images: ${label} done`);
  }
  rows.push(...difficultyRows(detection));
  gan.dispose();
  diffusionModel?.dispose();
  return rows;
}
