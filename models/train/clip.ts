/**
 * npm run train:clip [-- --seed N --fresh --steps N]
 * Trains the text encoder φ(t) and the image encoder with the CLIP loss; writes
 * models/weights/{text-encoder,image-encoder}/, checkpoints under models/checkpoints/clip/.
 */
import { join } from 'node:path';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { allCaptions, captionIndex, renderImage, sampleStyle } from '../../shared/dataset/index.ts';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { saveModel } from '../tf/fs.ts';
import { ClipTrainer } from '../clip/trainer.ts';
import { allCaptionEmbeddings, embedImages, nearestCaption } from '../clip/similarity.ts';
import { pixelsToTensor, samplesAt, tokensTensor } from '../data/stream.ts';
import { clearCheckpoint, hasCheckpoint, loadCheckpoint, parseArgs, pruneSamples, runLoop, samplePath, saveCheckpoint, type TrainArgs } from './common.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { encode } from 'fast-png';

const CLIP_STEPS = 2000;
const CLIP_BATCH = 128;

export async function trainClip(args: TrainArgs, batch = CLIP_BATCH): Promise<{ trainer: ClipTrainer; losses: number[] }> {
  await initNodeWasm();
  const tr = new ClipTrainer(args.seed);
  const nets = { text: tr.text, image: tr.image };
  const opts = { adam: tr.opt };
  let step = 0;
  let cursor = 0;
  let prevElapsed = 0;
  if (args.fresh) clearCheckpoint(args.root, 'clip');
  else if (hasCheckpoint(args.root, 'clip')) {
    const st = await loadCheckpoint(args.root, 'clip', nets, opts);
    if (st.seed !== args.seed) throw new Error(`checkpoint was made with --seed ${st.seed}; pass it or use --fresh`);
    ({ step, cursor } = st);
    prevElapsed = st.elapsedSeconds;
    tr.logScale.assign(tf.scalar(st.extra.logScale as number));
    if (!args.quiet) console.log(`[clip] resumed at step ${step}`);
  }
  const total = args.steps ?? CLIP_STEPS;
  const losses: number[] = [];
  // Held-out check: one image per caption, random style (val stream).
  const valRng = createRng(deriveSeed(args.seed, 'clip val'));
  const caps = allCaptions();
  const valImages = pixelsToTensor(caps.map((a) => renderImage(a, sampleStyle(valRng))));

  const retrieval = (): { acc: number; sims: Float32Array } =>
    tf.tidy(() => {
      const ce = allCaptionEmbeddings(tr.text);
      const ie = embedImages(tr.image, valImages);
      const nn = nearestCaption(ie, ce);
      let ok = 0;
      nn.forEach((c, i) => (ok += c === i ? 1 : 0));
      return { acc: ok / caps.length, sims: tf.matMul(ie, ce, false, true).dataSync() as Float32Array };
    });

  const last = await runLoop('clip', step, prevElapsed, args, {
    total,
    logEvery: 25,
    sampleEvery: 250,
    step: () => {
      const samples = samplesAt(args.seed, 'train', cursor, batch);
      cursor += batch;
      const b = {
        images: pixelsToTensor(samples.map((s) => s.pixels)),
        tokens: tokensTensor(samples.map((s) => s.tokens)),
        captionIds: tf.tensor1d(
          samples.map((s) => captionIndex(s.attributes)),
          'int32',
        ),
      };
      const loss = tr.step(b);
      tf.dispose(Object.values(b));
      losses.push(loss);
      return { loss, scale: tr.scale };
    },
    writeSamples: (s) => {
      // The image–caption similarity matrix of the held-out set (rows images, cols captions): a bright diagonal = retrieval works.
      const { acc, sims } = retrieval();
      if (!args.quiet) console.log(`[clip] step ${s}: held-out image→caption top-1 = ${(acc * 100).toFixed(1)}% (128 captions)`);
      const n = caps.length;
      const sc = 3;
      const data = new Uint8Array(n * sc * n * sc * 3);
      for (let y = 0; y < n * sc; y++)
        for (let x = 0; x < n * sc; x++) {
          const v = Math.max(0, Math.min(1, (sims[Math.floor(y / sc) * n + Math.floor(x / sc)]! + 0.2) / 1.2));
          const o = (y * n * sc + x) * 3;
          data[o] = Math.round(255 * v);
          data[o + 1] = Math.round(255 * v * v);
          data[o + 2] = Math.round(80 * (1 - v));
        }
      const path = samplePath(args.root, 'clip', s);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, encode({ width: n * sc, height: n * sc, data, channels: 3, depth: 8 }));
      pruneSamples(join(args.root, 'samples', 'clip'));
    },
    checkpoint: (s, elapsed) =>
      saveCheckpoint(args.root, 'clip', nets, opts, {
        step: s,
        cursor,
        seed: args.seed,
        extra: { logScale: tr.logScale.dataSync()[0]! },
        savedAt: new Date().toISOString(),
        elapsedSeconds: elapsed,
      }),
  });
  if (last >= total) {
    await saveModel(join(args.root, 'weights', 'text-encoder'), tr.text, { trainedSteps: last, seed: args.seed }, { float16: true });
    await saveModel(
      join(args.root, 'weights', 'image-encoder'),
      tr.image,
      {
        trainedSteps: last,
        seed: args.seed,
        logScale: tr.logScale.dataSync()[0]!,
      },
      { float16: true },
    );
    if (!args.quiet) console.log(`[clip] done: weights in ${join(args.root, 'weights')}`);
  }
  valImages.dispose();
  return { trainer: tr, losses };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await trainClip(parseArgs());
}
