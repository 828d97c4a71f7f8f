/**
 * The evaluation of the shipped models (npm run eval:models, and the Vitest bars):
 * (a) attribute classifier, trained on real data only: held-out accuracy per attribute;
 * (b) caption faithfulness of G: share of G(z, φ(t)) whose classified size, colour and shape
 *     all equal the caption's;
 * (c) CLIP retrieval on held-out real pairs: image→caption top-1 over the 128 captions, and
 *     caption→image top-1 over a pool of held-out images (one per caption);
 * (d) KID between real and generated images in the image encoder's embedding space, beside
 *     KID(real, blurred real) and KID(real, other real);
 * (e) style transfer x̂ = G(S(x), φ(t_new)): share whose style attributes (background,
 *     pattern, posX, posY) equal the reference x's, and whose caption attributes equal t_new.
 * All data come from the `test` split (never seen in training) under a fixed seed.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '../../shared/random.ts';
import {
  CAPTION_ATTRIBUTES,
  CAPTION_COUNT,
  STYLE_ATTRIBUTES,
  STYLE_VALUES,
  allCaptions,
  captionFromIndex,
  captionIndex,
  captionOf,
  renderImage,
  sampleStyle,
} from '../../shared/dataset/index.ts';
import { loadModel } from '../tf/fs.ts';
import { initNodeWasm } from '../tf/node-wasm.ts';
import { ATTRIBUTES } from '../classifier/network.ts';
import { classify } from '../classifier/trainer.ts';
import { labelsOf, pixelsToTensor, samplesAt, DEFAULT_SEED } from '../data/stream.ts';
import { loadNodeModels, WEIGHTS_DIR } from '../runtime/node.ts';
import { boxBlur, kid, share } from './metrics.ts';

export interface EvalRow {
  id: string;
  metric: string;
  value: number;
  /** pass when value ≥ bar ('min') or value ≤ bar ('max'); null = reported only */
  bar: number | null;
  direction: 'min' | 'max';
  pass: boolean;
}

interface EvalOptions {
  /** images per figure (classifier accuracy, faithfulness, retrieval, KID, style transfer) */
  n: number;
  seed: number;
  weightsDir: string;
}

export const EVAL_DEFAULTS: EvalOptions = { n: 1000, seed: DEFAULT_SEED, weightsDir: WEIGHTS_DIR };

/** The bars. */
const BARS = {
  classifierAccuracy: 0.97,
  faithfulness: 0.9,
  retrievalImageToText: 0.95,
  retrievalTextToImage: 0.9,
  styleCaption: 0.9,
  styleMatch: 0.8,
  kidRatio: 1,
};

function row(id: string, metric: string, value: number, bar: number | null, direction: 'min' | 'max' = 'min'): EvalRow {
  const pass = bar === null ? true : direction === 'min' ? value >= bar : value <= bar;
  return { id, metric, value, bar, direction, pass };
}

export async function evaluateModels(opts: Partial<EvalOptions> = {}, log: (s: string) => void = () => {}): Promise<EvalRow[]> {
  const o = { ...EVAL_DEFAULTS, ...opts };
  await initNodeWasm();
  const rows: EvalRow[] = [];
  const rt = await loadNodeModels({ dir: o.weightsDir });
  const { model: classifier } = await loadModel(join(o.weightsDir, 'classifier'));
  const seed = deriveSeed(o.seed, 'eval');
  const n = o.n;
  const chunk = 250;

  // (a) classifier held-out accuracy on the test split.
  const test = samplesAt(seed, 'test', 0, n);
  const testLabels = test.map((s) => labelsOf(s.attributes, s.style));
  const realT = pixelsToTensor(test.map((s) => s.pixels));
  const predReal = classify(classifier, realT);
  for (const a of ATTRIBUTES) {
    rows.push(row('a', `classifier held-out accuracy: ${a}`, share(testLabels.map((l, i) => l[a] === predReal[a][i])), BARS.classifierAccuracy));
  }
  log('(a) classifier done');

  // (b) caption faithfulness of G.
  const rng = createRng(deriveSeed(seed, 'faithfulness'));
  const capAttrs = Array.from({ length: n }, () => captionFromIndex(rng.int(0, CAPTION_COUNT - 1)));
  const capLabels = capAttrs.map((a) => labelsOf(a, test[0]!.style));
  const zs = rt.randomZ(n, deriveSeed(seed, 'faithfulness z'));
  const gen: Uint8Array[] = [];
  for (let i = 0; i < n; i += chunk) gen.push(...rt.generate(capAttrs.slice(i, i + chunk).map(captionOf), zs.slice(i, i + chunk)));
  const genT = pixelsToTensor(gen);
  const predGen = classify(classifier, genT);
  rows.push(
    row(
      'b',
      'caption faithfulness of G (size, colour, shape all right)',
      share(capLabels.map((l, i) => CAPTION_ATTRIBUTES.every((a) => l[a] === predGen[a][i]))),
      BARS.faithfulness,
    ),
  );
  for (const a of CAPTION_ATTRIBUTES) rows.push(row('b', `  faithfulness: ${a}`, share(capLabels.map((l, i) => l[a] === predGen[a][i])), null));
  // Which backgrounds G draws (each is a quarter of the real data): one it never draws can
  // never be kept by a style transfer in (e).
  STYLE_VALUES.background.forEach((name, k) => rows.push(row('b', `  G's backgrounds: ${name} (real: 25%)`, share(Array.from(predGen.background, (v) => v === k)), null)));
  STYLE_VALUES.pattern.forEach((name, k) => rows.push(row('b', `  G's patterns: ${name} (real: 25%)`, share(Array.from(predGen.pattern, (v) => v === k)), null)));
  log('(b) faithfulness done');

  // (c) retrieval with the CLIP pair on held-out real pairs.
  const judged = rt.judgeMany(
    test.map((s) => s.pixels),
    test.map((s) => s.caption),
  );
  rows.push(row('c', `CLIP retrieval image→caption top-1 (${n} test images, 128 captions)`, share(judged.map((j) => j.rank === 1)), BARS.retrievalImageToText));
  {
    const prng = createRng(deriveSeed(seed, 'retrieval pool'));
    const all = allCaptions();
    const pool = all.map((a) => renderImage(a, sampleStyle(prng)));
    const best = tf.tidy(() => {
      const text = rt.embedText(all.map(captionOf));
      const imgs = rt.embedImageTensor(pixelsToTensor(pool));
      return tf.argMax(tf.matMul(text, imgs, false, true), 1).dataSync() as Int32Array;
    });
    rows.push(
      row(
        'c',
        'CLIP retrieval caption→image top-1 (128 captions, pool of 128 test images)',
        share(all.map((a, i) => captionIndex(all[best[i]!]!) === captionIndex(a))),
        BARS.retrievalTextToImage,
      ),
    );
  }
  log('(c) retrieval done');

  // (d) KID in the image encoder's embedding space.
  const other = samplesAt(seed, 'test', n, n);
  const otherT = pixelsToTensor(other.map((s) => s.pixels));
  const blurT = boxBlur(otherT);
  const [eReal, eGen, eBlur, eOther] = [realT, genT, blurT, otherT].map((t) => rt.embedImageTensor(t)) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const kidGen = kid(eReal, eGen);
  const kidBlur = kid(eReal, eBlur);
  rows.push(row('d', 'KID(real, generated) ×1000, image-encoder space', kidGen * 1000, null, 'max'));
  rows.push(row('d', 'KID(real, blurred real 3×3) ×1000 (baseline)', kidBlur * 1000, null, 'max'));
  rows.push(row('d', 'KID(real, other real) ×1000 (floor)', kid(eReal, eOther) * 1000, null, 'max'));
  rows.push(row('d', 'KID(real, generated) / KID(real, blurred real)', kidGen / Math.max(kidBlur, 1e-12), BARS.kidRatio, 'max'));
  tf.dispose([eReal, eGen, eBlur, eOther, otherT, blurT]);
  log('(d) KID done');

  // (e) style transfer.
  const srng = createRng(deriveSeed(seed, 'style transfer'));
  const newCaps = test.map((s) => {
    const c = captionIndex(s.attributes);
    const w = srng.int(0, CAPTION_COUNT - 2);
    return captionFromIndex(w >= c ? w + 1 : w);
  });
  const restyled: Uint8Array[] = [];
  for (let i = 0; i < n; i += chunk) {
    restyled.push(
      ...rt.restyleMany(
        test.slice(i, i + chunk).map((s) => s.pixels),
        newCaps.slice(i, i + chunk).map(captionOf),
      ),
    );
  }
  const rT = pixelsToTensor(restyled);
  const predR = classify(classifier, rT);
  const newLabels = newCaps.map((a, i) => labelsOf(a, test[i]!.style));
  const styleOk = newLabels.map((l, i) => STYLE_ATTRIBUTES.every((a) => l[a] === predR[a][i]));
  const capOk = newLabels.map((l, i) => CAPTION_ATTRIBUTES.every((a) => l[a] === predR[a][i]));
  rows.push(row('e', 'style transfer: caption attributes follow t_new', share(capOk), BARS.styleCaption));
  rows.push(row('e', "style transfer: all 4 style attributes keep the reference's", share(styleOk), BARS.styleMatch));
  for (const a of STYLE_ATTRIBUTES) rows.push(row('e', `  style kept: ${a}`, share(newLabels.map((l, i) => l[a] === predR[a][i])), null));
  rows.push(row('e', 'style transfer: both at once', share(styleOk.map((s, i) => s && capOk[i]!)), null));
  tf.dispose([realT, genT, rT]);
  rt.dispose();
  classifier.dispose();
  log('(e) style transfer done');
  return rows;
}

export function formatTable(rows: readonly EvalRow[]): string {
  const lines = ['| | metric | value | bar | |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    // Shares print as percentages; KIDs, AUCs and losses (in nats) as numbers.
    const pct = r.id !== 'd' && r.id !== 'f' && !/nats|calibration error/.test(r.metric);
    const v = pct ? `${(r.value * 100).toFixed(1)}%` : r.value.toFixed(3);
    const bar = r.bar === null ? '' : `${r.direction === 'min' ? '≥' : '≤'} ${pct ? `${(r.bar * 100).toFixed(0)}%` : Number(r.bar.toFixed(3))}`;
    lines.push(`| ${r.id} | ${r.metric} | ${v} | ${bar} | ${r.bar === null ? '' : r.pass ? 'pass' : 'FAIL'} |`);
  }
  return lines.join('\n');
}
