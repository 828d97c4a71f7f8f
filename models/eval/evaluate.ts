/**
 * The evaluation of the shipped models (npm run eval:models, and the Vitest bars):
 * (a) attribute classifier, trained on real data only: held-out accuracy per attribute;
 * (a′) the feature ruler (./ruler/), fitted on real data only: held-out accuracy per attribute;
 * (b) caption faithfulness of G: share of G(z, φ(t)) whose size, colour and shape as read by
 *     both rulers all equal the caption's, per attribute and per shape; how often G draws
 *     each background pattern and colour; G's rotation spread against the data's;
 * (c) CLIP retrieval on held-out real pairs: image→caption top-1 over the 128 captions, and
 *     caption→image top-1 over a pool of held-out images (one per caption);
 * (d) KID between real and generated images in the image encoder's embedding space, beside
 *     KID(real, blurred real) and KID(real, other real);
 * (e) style transfer x̂ = G(S(x), φ(t_new)): share whose style attributes (background,
 *     pattern, posX, posY) equal the reference x's, and whose caption attributes equal t_new,
 *     under both rulers; and how often the reference's rotation is kept.
 * All data come from the `test` split (never seen in training) under a fixed seed.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { CAPTION_COUNT, allCaptions, captionFromIndex, captionIndex, captionOf, renderImage, sampleStyle } from '../../shared/dataset/index.ts';
import { initNodeWasm } from '../tf/node-wasm.ts';
import { ATTRIBUTES } from '../classifier/network.ts';
import { classify } from '../classifier/trainer.ts';
import { labelsOf, pixelsToTensor, samplesAt, DEFAULT_SEED } from '../data/stream.ts';
import { loadNodeModels, WEIGHTS_DIR } from '../runtime/node.ts';
import { boxBlur, kid, share } from './metrics.ts';
import { ORIENTATION_HARMONIC } from './ruler/feature-ruler.ts';
import { faithfulnessRows, heldOutRows, loadRulers, readBoth, readReal, rotationSpreadRow, rotationSpreads, styleDrawnRows, styleTransferRows } from './two-rulers.ts';
import { RESTYLE_KEEPS } from '../../shared/rounds/restyle-round.ts';
import { row, type EvalRow } from './rows.ts';

export { formatTable, type EvalRow } from './rows.ts';

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
  retrievalImageToText: 0.95,
  retrievalTextToImage: 0.9,
  kidRatio: 1,
};

export async function evaluateModels(opts: Partial<EvalOptions> = {}, log: (s: string) => void = () => {}): Promise<EvalRow[]> {
  const o = { ...EVAL_DEFAULTS, ...opts };
  await initNodeWasm();
  const rows: EvalRow[] = [];
  const rt = await loadNodeModels({ dir: o.weightsDir });
  const rulers = await loadRulers(o.weightsDir, o.seed);
  const seed = deriveSeed(o.seed, 'eval');
  const n = o.n;
  const chunk = 250;

  // (a) classifier held-out accuracy on the test split.
  const test = samplesAt(seed, 'test', 0, n);
  const testLabels = test.map((s) => labelsOf(s.attributes, s.style));
  const realT = pixelsToTensor(test.map((s) => s.pixels));
  const predReal = classify(rulers.classifier, realT);
  for (const a of ATTRIBUTES) {
    rows.push(row('a', `classifier held-out accuracy: ${a}`, share(testLabels.map((l, i) => l[a] === predReal[a][i])), BARS.classifierAccuracy));
  }
  log('(a) classifier done');

  // Ruler B reads the held-out reals once: its accuracy here, the data's rotation spread in (b).
  const realReads = readReal(rulers, test);
  rows.push(...heldOutRows('a', test, realReads));
  log('(a) classifier and feature ruler done');

  // (b) caption faithfulness of G, and what G draws that the caption does not say.
  const rng = createRng(deriveSeed(seed, 'faithfulness'));
  const capAttrs = Array.from({ length: n }, () => captionFromIndex(rng.int(0, CAPTION_COUNT - 1)));
  const zs = rt.randomZ(n, deriveSeed(seed, 'faithfulness z'));
  const gen: Uint8Array[] = [];
  for (let i = 0; i < n; i += chunk) gen.push(...rt.generate(capAttrs.slice(i, i + chunk).map(captionOf), zs.slice(i, i + chunk)));
  const genT = pixelsToTensor(gen);
  const genReads = readBoth(rulers, gen);
  rows.push(...faithfulnessRows('b', 'G', genReads, capAttrs));
  // A background G never draws can never be kept by a style transfer in (e).
  rows.push(...styleDrawnRows('b', 'G', genReads));
  rows.push(
    rotationSpreadRow(
      'b',
      'G',
      genReads,
      capAttrs.map((a) => a.shape),
      rotationSpreads(
        realReads,
        test.map((s) => s.attributes.shape),
      ),
    ),
  );
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
  rows.push(
    ...styleTransferRows(
      'e',
      readBoth(rulers, restyled),
      test.map((s) => ({ attributes: s.attributes, style: s.style, rotation: ORIENTATION_HARMONIC[s.attributes.shape] > 0 ? s.style.rotation : null })),
      newCaps,
      (RESTYLE_KEEPS as readonly string[]).includes('rotation'),
    ),
  );
  tf.dispose([realT, genT]);
  rulers.dispose();
  rt.dispose();
  log('(e) style transfer done');
  return rows;
}
