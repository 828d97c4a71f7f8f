/**
 * npm run train:style [-- --seed N --fresh --steps N --real-weight W]
 * Style encoder S(x) on the frozen generator (models/weights/generator) and text encoder.
 * Writes models/weights/style-encoder/. Sample grid: real references (column 1), then
 * G(S(x), φ(t_new)) for 7 new captions.
 */
import { join } from 'node:path';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { CAPTION_COUNT } from '../../shared/dataset/index.ts';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { loadModel, saveModel } from '../tf/fs.ts';
import { seededNormal } from '../tf/blocks.ts';
import { StyleTrainer, type RealStyleBatch } from '../style/trainer.ts';
import { styleTargetOf } from '../style/real-targets.ts';
import { allCaptionEmbeddings } from '../clip/similarity.ts';
import { pixelsToTensor, samplesAt, tensorToPixels } from '../data/stream.ts';
import { GRID_CAPTIONS } from './gan.ts';
import {
  clearCheckpoint,
  hasCheckpoint,
  loadCheckpoint,
  parseArgs,
  pruneSamples,
  runLoop,
  samplePath,
  saveCheckpoint,
  writeGrid,
  type TrainArgs,
  setLearningRate,
} from './common.ts';

const STYLE_STEPS = 1500;
const STYLE_BATCH = 64;
/**
 * Weight of S's real-image term (style/real-targets.ts; 0 = the lecture's objective alone).
 * S learns from G's images, and Restyle gives it real ones.
 */
export const STYLE_REAL_WEIGHT = 3;

export async function trainStyle(
  args: TrainArgs,
  opts: { batch?: number; textEncoder?: tf.LayersModel; generator?: tf.LayersModel } = {},
): Promise<{ trainer: StyleTrainer; losses: number[] }> {
  await initNodeWasm();
  const batch = opts.batch ?? STYLE_BATCH;
  const text = opts.textEncoder ?? (await loadModel(join(args.root, 'weights', 'text-encoder'))).model;
  const gLoaded = opts.generator ? null : await loadModel(join(args.root, 'weights', 'generator'));
  const G = opts.generator ?? gLoaded!.model;
  const zDim = G.inputs[0]!.shape[1]!;
  const rotates = G.layers.some((l) => l.getClassName() === 'RotateObject');
  const phiTable = allCaptionEmbeddings(text);
  const tr = new StyleTrainer(G, args.seed, zDim);
  const nets = { style: tr.S };
  const optimizers = { adam: tr.opt };
  const realWeight = Number(args.options['real-weight'] ?? STYLE_REAL_WEIGHT);
  if (!(realWeight >= 0)) throw new Error(`--real-weight must be ≥ 0, not ${args.options['real-weight']}`);
  // The real targets give z[2:10] the meaning of G v7's background codes; G v5 and v6 (no
  // 'background' in their metadata) read those dims as a Gaussian code.
  if (realWeight > 0 && gLoaded && gLoaded.metadata.background !== 'codes') {
    throw new Error('--real-weight needs a generator with background codes (G v7); pass --real-weight 0 for an older one');
  }
  let step = 0;
  let prevElapsed = 0;
  if (args.fresh) clearCheckpoint(args.root, 'style');
  else if (hasCheckpoint(args.root, 'style')) {
    const st = await loadCheckpoint(args.root, 'style', nets, optimizers);
    if (st.seed !== args.seed) throw new Error(`checkpoint was made with --seed ${st.seed}; pass it or use --fresh`);
    // Checkpoints from before the option trained on G's images only.
    const saved = (st.extra.realWeight as number | undefined) ?? 0;
    if (saved !== realWeight) throw new Error(`checkpoint was trained with --real-weight ${saved}; pass it or use --fresh`);
    step = st.step;
    prevElapsed = st.elapsedSeconds;
    if (!args.quiet) console.log(`[style] resumed at step ${step}`);
  }
  const total = args.steps ?? STYLE_STEPS;
  const losses: number[] = [];
  const refs = samplesAt(args.seed, 'val', 0, 8);
  const last = await runLoop('style', step, prevElapsed, args, {
    total,
    logEvery: 50,
    sampleEvery: 500,
    step: (s) => {
      if (s === Math.floor((total * 2) / 3)) setLearningRate(tr.opt, 3e-4);
      const rng = createRng(deriveSeed(args.seed, `style step ${s}`));
      const caps = Array.from({ length: batch }, () => rng.int(0, CAPTION_COUNT - 1));
      const z = seededNormal(rng, batch, zDim);
      const phi = tf.gather(phiTable, tf.tensor1d(caps, 'int32')) as tf.Tensor2D;
      let real: RealStyleBatch | undefined;
      if (realWeight > 0) {
        const samples = samplesAt(args.seed, 'train', s * batch, batch);
        const targets = samples.map((x) => styleTargetOf(x.style, zDim, rotates));
        real = {
          images: pixelsToTensor(samples.map((x) => x.pixels)),
          target: tf.tensor2d(targets.map((t) => t.values)),
          mask: tf.tensor2d(targets.map((t) => t.mask)),
          weight: realWeight,
        };
      }
      const { loss, real: realLoss } = tr.step(z, phi, real);
      tf.dispose([z, phi, ...(real ? [real.images, real.target, real.mask] : [])]);
      losses.push(loss);
      return { loss, perDim: loss / zDim, ...(real ? { real: realLoss } : {}) };
    },
    writeSamples: (s) => {
      const out: Uint8Array[] = [];
      const x = pixelsToTensor(refs.map((r) => r.pixels));
      const styles = tf.tidy(() => tr.S.predict(x) as tf.Tensor2D);
      for (let i = 0; i < refs.length; i++) {
        out.push(refs[i]!.pixels);
        const imgs = tf.tidy(() => {
          const zi = tf.tile(styles.slice([i, 0], [1, -1]), [7, 1]);
          const phi = tf.gather(phiTable, tf.tensor1d(GRID_CAPTIONS.slice(1), 'int32'));
          return G.predict([zi, phi]) as tf.Tensor4D;
        });
        out.push(...tensorToPixels(imgs));
        imgs.dispose();
      }
      tf.dispose([x, styles]);
      writeGrid(samplePath(args.root, 'style', s), out, 8);
      pruneSamples(join(args.root, 'samples', 'style'));
    },
    checkpoint: (s, elapsed) =>
      saveCheckpoint(args.root, 'style', nets, optimizers, {
        step: s,
        cursor: 0,
        seed: args.seed,
        extra: { realWeight },
        savedAt: new Date().toISOString(),
        elapsedSeconds: elapsed,
      }),
  });
  if (last >= total) {
    await saveModel(join(args.root, 'weights', 'style-encoder'), tr.S, { trainedSteps: last, seed: args.seed, zDim, realWeight }, { float16: true });
    if (!args.quiet) console.log(`[style] done: weights in ${join(args.root, 'weights')}`);
  }
  phiTable.dispose();
  return { trainer: tr, losses };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await trainStyle(parseArgs(process.argv.slice(2), ['real-weight']));
}
