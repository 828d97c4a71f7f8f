/**
 * npm run train:classifier [-- --seed N --fresh --steps N]
 * The evaluation-only attribute classifier, trained on real data only; prints its held-out
 * accuracy per attribute. Writes models/weights/classifier/.
 */
import { join } from 'node:path';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { saveModel } from '../tf/fs.ts';
import { ClassifierTrainer, classify, labelTensors } from '../classifier/trainer.ts';
import { ATTRIBUTES, labelsOf, pixelsToTensor, samplesAt } from '../data/stream.ts';
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
import type { AttributeName } from '../classifier/network.ts';

const CLASSIFIER_STEPS = 3000;
const CLASSIFIER_BATCH = 64;

function heldOutAccuracy(net: tf.LayersModel, seed: number, n: number): Record<AttributeName, number> {
  const samples = samplesAt(seed, 'val', 0, n);
  const images = pixelsToTensor(samples.map((s) => s.pixels));
  const pred = classify(net, images);
  images.dispose();
  const acc = {} as Record<AttributeName, number>;
  for (const a of ATTRIBUTES) {
    let ok = 0;
    samples.forEach((s, i) => (ok += labelsOf(s.attributes, s.style)[a] === pred[a][i] ? 1 : 0));
    acc[a] = ok / n;
  }
  return acc;
}

async function trainClassifier(args: TrainArgs, batch = CLASSIFIER_BATCH): Promise<{ trainer: ClassifierTrainer; losses: number[] }> {
  await initNodeWasm();
  const tr = new ClassifierTrainer(args.seed);
  const nets = { classifier: tr.net };
  const opts = { adam: tr.opt };
  let step = 0;
  let cursor = 0;
  let prevElapsed = 0;
  if (args.fresh) clearCheckpoint(args.root, 'classifier');
  else if (hasCheckpoint(args.root, 'classifier')) {
    const st = await loadCheckpoint(args.root, 'classifier', nets, opts);
    if (st.seed !== args.seed) throw new Error(`checkpoint was made with --seed ${st.seed}; pass it or use --fresh`);
    ({ step, cursor } = st);
    prevElapsed = st.elapsedSeconds;
    if (!args.quiet) console.log(`[classifier] resumed at step ${step}`);
  }
  const total = args.steps ?? CLASSIFIER_STEPS;
  const losses: number[] = [];
  const last = await runLoop('classifier', step, prevElapsed, args, {
    total,
    logEvery: 50,
    sampleEvery: 500,
    step: (s) => {
      // Learning rate: 1e-3, then 3e-4 for the last third (sharper final accuracy).
      if (s === Math.floor((total * 2) / 3)) setLearningRate(tr.opt, 3e-4);
      const samples = samplesAt(args.seed, 'train', cursor, batch);
      cursor += batch;
      const images = pixelsToTensor(samples.map((x) => x.pixels));
      const labels = labelTensors(samples.map((x) => labelsOf(x.attributes, x.style)));
      const loss = tr.step(images, labels);
      tf.dispose([images, ...labels]);
      losses.push(loss);
      return { loss };
    },
    writeSamples: (s) => {
      const acc = heldOutAccuracy(tr.net, args.seed, 1000);
      if (!args.quiet) console.log(`[classifier] step ${s}: held-out accuracy ${ATTRIBUTES.map((a) => `${a}=${(acc[a] * 100).toFixed(1)}%`).join(' ')}`);
      // Grid of held-out images the classifier gets wrong (any attribute), for inspection.
      const samples = samplesAt(args.seed, 'val', 0, 400);
      const images = pixelsToTensor(samples.map((x) => x.pixels));
      const pred = classify(tr.net, images);
      images.dispose();
      const wrong = samples.filter((x, i) => ATTRIBUTES.some((a) => labelsOf(x.attributes, x.style)[a] !== pred[a][i]));
      writeGrid(
        samplePath(args.root, 'classifier', s),
        wrong.slice(0, 32).map((x) => x.pixels),
        8,
      );
      pruneSamples(join(args.root, 'samples', 'classifier'));
    },
    checkpoint: (s, elapsed) =>
      saveCheckpoint(args.root, 'classifier', nets, opts, {
        step: s,
        cursor,
        seed: args.seed,
        extra: {},
        savedAt: new Date().toISOString(),
        elapsedSeconds: elapsed,
      }),
  });
  if (last >= total) {
    const acc = heldOutAccuracy(tr.net, args.seed, 2000);
    await saveModel(join(args.root, 'weights', 'classifier'), tr.net, { trainedSteps: last, seed: args.seed, heldOutAccuracy: acc }, { float16: true });
    if (!args.quiet) console.log(`[classifier] done: held-out accuracy (2000 val samples) ${JSON.stringify(acc)}`);
  }
  return { trainer: tr, losses };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await trainClassifier(parseArgs());
}
