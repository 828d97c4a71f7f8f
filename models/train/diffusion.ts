/**
 * npm run train:diffusion [-- --seed N --fresh --steps N --ae-steps N --phase all|autoencoder|eps --export]
 * npm run train:autoencoder   (= --phase autoencoder)
 *
 * The latent diffusion model, in two phases, one command, seeded and resumable:
 *  1. the autoencoder (32×32×3 ↔ 8×8×4), checkpoints in models/checkpoints/diffusion-autoencoder/,
 *     weights in models/weights/diffusion-{encoder,decoder}/ with the latent's per-channel
 *     mean and std (the "scale factor" that makes the latent unit-variance);
 *  2. the ε-network with L_simple on those latents, conditioned on the frozen Models I text
 *     encoder φ(t) with caption dropout; checkpoints in models/checkpoints/diffusion/, the EMA
 *     weights in models/weights/diffusion-eps/.
 * A phase that has finished is skipped; `--fresh` restarts both. Ctrl-C (or SIGTERM) writes a
 * checkpoint; run again to resume. `--export` writes the current checkpoint's EMA weights
 * to models/weights/diffusion-eps/ and exits (for stopping early).
 * Sample grids go to models/samples/diffusion{,-autoencoder}/.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { allCaptions, captionOf } from '../../shared/dataset/index.ts';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { loadModel, readModelDir, writeModelDir } from '../tf/fs.ts';
import { quantizeWeights, serializeModel, type WeightEncoding } from '../tf/io.ts';
import { pixelsToTensor, samplesAt, tensorToPixels } from '../data/stream.ts';
import { classify } from '../classifier/trainer.ts';
import { CAPTION_ATTRIBUTES } from '../../shared/dataset/vocabulary.ts';
import { labelsOf } from '../data/stream.ts';
import {
  MODELS_DIR,
  clearCheckpoint,
  hasCheckpoint,
  loadCheckpoint,
  parseArgs,
  readCheckpointState,
  pruneSamples,
  runLoop,
  samplePath,
  saveCheckpoint,
  setLearningRate,
  writeGrid,
  type CheckpointState,
  type TrainArgs,
} from './common.ts';
import { AutoencoderTrainer, COND_DROPOUT, EpsTrainer, latentStats } from '../diffusion/trainer.ts';
import { GradWorker, parallelEpsStep } from '../diffusion/parallel.ts';
import { DEFAULT_GUIDANCE, DIFFUSION_DIRS, DiffusionModel, captionTable, fnv1a, type LatentNorm } from '../diffusion/runtime.ts';
import { EPS_ARCHS, AE_CONFIG, TRAIN_T, type EpsArch, type EpsConfig } from '../diffusion/network.ts';

const AE_STEPS = 2000;
const AE_BATCH = 32;
/**
 * The 2-hour recipe: the two-level U-Net, data-parallel on two threads, 14,000 steps
 * (models/diffusion/README.md has the runs and the flat network it replaced).
 */
const EPS_STEPS = 14_000;
const EPS_BATCH = 64;
export const EPS_LR = 8e-4;
export const EPS_WARMUP = 200;
export const EPS_LR_END = 4e-5;
/** The share of the run at the peak rate before the cosine decay starts. */
const EPS_DECAY_FROM = 0.5;

/**
 * Warm-up, then the peak rate for the first half, then a cosine decay to EPS_LR_END: the
 * faithfulness probe rose fastest while the rate fell (the flat network's runs, in
 * models/diffusion/README.md), so the decay gets half the run.
 */
export function epsLearningRate(s: number, total: number): number {
  if (s < EPS_WARMUP) return (EPS_LR * (s + 1)) / EPS_WARMUP;
  const from = Math.floor(total * EPS_DECAY_FROM);
  if (s < from) return EPS_LR;
  const p = Math.min(1, (s - from) / Math.max(1, total - from));
  return EPS_LR_END + (EPS_LR - EPS_LR_END) * 0.5 * (1 + Math.cos(Math.PI * p));
}
const DEFAULT_ARCH: EpsArch = 'unet2-phi8';
/** One gradient worker beside the main thread: both cores of this machine. */
const DEFAULT_WORKERS = 1;

const AE_NAME = 'diffusion-autoencoder';
const EPS_NAME = 'diffusion';

interface DiffusionArgs extends TrainArgs {
  phase: 'all' | 'autoencoder' | 'eps';
  aeSteps: number | null;
  exportOnly: boolean;
  /** the ε-network's architecture (a checkpoint keeps the one it was made with) */
  arch: EpsArch | null;
  /** ε-network batch size (null: the checkpoint's, or EPS_BATCH) */
  batch: number | null;
  /** extra worker threads computing gradients on parts of each batch, 0 = one thread (null: the checkpoint's, or DEFAULT_WORKERS) */
  workers: number | null;
  /** where the Models I text encoder and attribute classifier are read from */
  sharedWeights: string;
}

export function parseDiffusionArgs(argv: readonly string[] = process.argv.slice(2)): DiffusionArgs {
  const rest: string[] = [];
  let phase: DiffusionArgs['phase'] = 'all';
  let aeSteps: number | null = null;
  let exportOnly = false;
  let arch: DiffusionArgs['arch'] = null;
  let batch: number | null = null;
  let workers: number | null = null;
  let sharedWeights = join(MODELS_DIR, 'weights');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--phase') {
      const v = argv[++i];
      if (v !== 'all' && v !== 'autoencoder' && v !== 'eps') throw new Error('--phase must be all, autoencoder or eps');
      phase = v;
    } else if (a === '--ae-steps') aeSteps = Number(argv[++i]);
    else if (a === '--export') exportOnly = true;
    else if (a === '--arch') {
      const v = argv[++i];
      if (!v || !(v in EPS_ARCHS)) throw new Error(`--arch must be one of ${Object.keys(EPS_ARCHS).join(', ')}`);
      arch = v as EpsArch;
    } else if (a === '--workers') {
      workers = Number(argv[++i]);
      if (!Number.isInteger(workers) || workers! < 0 || workers! > 7) throw new Error('--workers must be an integer from 0 to 7');
    } else if (a === '--batch') {
      batch = Number(argv[++i]);
      if (!Number.isInteger(batch) || batch! < 2) throw new Error('--batch must be an integer ≥ 2');
    } else if (a === '--shared-weights') sharedWeights = argv[++i]!;
    else if (a === '--help') {
      console.log(
        `options: --seed N  --fresh  --steps N (ε-network)  --ae-steps N  --phase all|autoencoder|eps  --arch ${Object.keys(EPS_ARCHS).join('|')}  --batch N  --workers N  --export  --checkpoint-every SECONDS  --root DIR  --shared-weights DIR`,
      );
      process.exit(0);
    } else rest.push(a);
  }
  return { ...parseArgs(rest), phase, aeSteps, exportOnly, arch, batch, workers, sharedWeights };
}

/**
 * How the ε-network's weights ship: its large kernels (the U-Net's 4×4-level convs hold
 * most of its 1.08M weights) as uint8, the rest as float16.
 */
export function epsEncoding(w: { shape: number[] }): WeightEncoding {
  return w.shape.reduce((a, b) => a * b, 1) >= EPS_UINT8_MIN_SIZE ? 'uint8' : 'float16';
}
export const EPS_UINT8_MIN_SIZE = 4096;

async function saveWeights(
  dir: string,
  model: tf.LayersModel,
  metadata: Record<string, unknown>,
  encodingOf: (w: { shape: number[] }) => WeightEncoding = () => 'float16',
): Promise<void> {
  writeModelDir(dir, quantizeWeights(await serializeModel(model, metadata), encodingOf));
}

/**
 * An ε option the checkpoint keeps: its value (or `legacy`, for checkpoints saved before the
 * option) wins over the default; an explicit option that contradicts it is an error, not a
 * silent switch.
 */
function keptOption<T extends string | number>(saved: CheckpointState | null, key: string, given: T | null, legacy: T, fallback: T): T {
  const was = saved ? ((saved.extra[key] as T | undefined) ?? legacy) : null;
  if (was !== null && given !== null && was !== given) throw new Error(`the ε checkpoint was made with --${key} ${was}; pass that or use --fresh`);
  return was ?? given ?? fallback;
}

function weightsDir(args: TrainArgs, name: string): string {
  return join(args.root, 'weights', name);
}

// ---- phase 1: autoencoder ----------------------------------------------------------------

async function trainAutoencoder(args: DiffusionArgs): Promise<{ losses: number[]; done: boolean }> {
  await initNodeWasm();
  const total = args.aeSteps ?? AE_STEPS;
  const tr = new AutoencoderTrainer(deriveSeed(args.seed, 'init autoencoder'));
  const nets = { encoder: tr.encoder, decoder: tr.decoder };
  const opts = { adam: tr.opt };
  let step = 0;
  let cursor = 0;
  let prevElapsed = 0;
  if (hasCheckpoint(args.root, AE_NAME)) {
    const st = await loadCheckpoint(args.root, AE_NAME, nets, opts);
    if (st.seed !== args.seed) throw new Error(`checkpoint was made with --seed ${st.seed}; pass it or use --fresh`);
    ({ step, cursor } = st);
    prevElapsed = st.elapsedSeconds;
    if (step >= total && existsSync(join(weightsDir(args, DIFFUSION_DIRS.decoder), 'model.json'))) {
      if (!args.quiet) console.log(`[${AE_NAME}] already trained (${step} steps); skipping`);
      return { losses: [], done: true };
    }
    if (!args.quiet) console.log(`[${AE_NAME}] resumed at step ${step}`);
  }
  const val = samplesAt(args.seed, 'val', 0, 512);
  const valT = pixelsToTensor(val.map((s) => s.pixels));
  const valL1 = (): number => tf.tidy(() => tf.mean(tf.abs(tf.sub(tr.decoder.predict(tr.encoder.predict(valT)) as tf.Tensor, valT))).dataSync()[0]!);
  const losses: number[] = [];
  let avg = 0;
  const last = await runLoop(AE_NAME, step, prevElapsed, args, {
    total,
    logEvery: 50,
    sampleEvery: 500,
    step: (s) => {
      setLearningRate(tr.opt, s < Math.floor((total * 2) / 3) ? 1e-3 : 3e-4);
      const samples = samplesAt(args.seed, 'train', cursor, AE_BATCH);
      cursor += AE_BATCH;
      const images = pixelsToTensor(samples.map((x) => x.pixels));
      const { loss, l1 } = tr.step(images, createRng(deriveSeed(args.seed, `ae step ${s}`)));
      images.dispose();
      losses.push(loss);
      avg = losses.length === 1 ? loss : 0.95 * avg + 0.05 * loss;
      return { loss, avg, l1 };
    },
    writeSamples: (s) => {
      const l1 = valL1();
      if (!args.quiet) console.log(`[${AE_NAME}] step ${s}: held-out L1 = ${l1.toFixed(4)} (${(l1 * 127.5).toFixed(2)} grey levels)`);
      const x = valT.slice([0, 0, 0, 0], [16, -1, -1, -1]) as tf.Tensor4D;
      const rec = tf.tidy(() => tr.decoder.predict(tr.encoder.predict(x)) as tf.Tensor4D);
      const a = tensorToPixels(x);
      const b = tensorToPixels(rec);
      tf.dispose([x, rec]);
      // Rows of 8 originals over their 8 reconstructions.
      writeGrid(samplePath(args.root, AE_NAME, s), [...a.slice(0, 8), ...b.slice(0, 8), ...a.slice(8), ...b.slice(8)], 8, 3);
      pruneSamples(join(args.root, 'samples', AE_NAME));
    },
    checkpoint: (s, elapsed) =>
      saveCheckpoint(args.root, AE_NAME, nets, opts, { step: s, cursor, seed: args.seed, extra: {}, savedAt: new Date().toISOString(), elapsedSeconds: elapsed }),
  });
  const done = last >= total;
  if (done) {
    const stats = tf.tidy(() => latentStats(tr.encoder, pixelsToTensor(samplesAt(args.seed, 'val', 0, 2048).map((s) => s.pixels))));
    const latentNorm: LatentNorm = { mean: stats.mean, std: stats.std };
    const l1 = valL1();
    const meta = { trainedSteps: last, seed: args.seed, latentNorm, heldOutL1: l1, config: AE_CONFIG };
    await saveWeights(weightsDir(args, DIFFUSION_DIRS.encoder), tr.encoder, meta);
    await saveWeights(weightsDir(args, DIFFUSION_DIRS.decoder), tr.decoder, meta);
    if (!args.quiet) console.log(`[${AE_NAME}] done: held-out L1 ${l1.toFixed(4)}, latent mean ${fmtArr(stats.mean)} std ${fmtArr(stats.std)}`);
  }
  valT.dispose();
  tr.encoder.dispose();
  tr.decoder.dispose();
  return { losses, done };
}

function fmtArr(a: readonly number[]): string {
  return `[${a.map((v) => v.toFixed(3)).join(', ')}]`;
}

// ---- phase 2: ε-network --------------------------------------------------------------------

/** 32 captions for the sample grid: every shape and colour, both sizes. */
function gridCaptions(): string[] {
  const all = allCaptions();
  return Array.from({ length: 32 }, (_, i) => captionOf(all[(i * 37 + (i >> 3)) % all.length]!));
}

function epsMetadata(args: DiffusionArgs, cfg: EpsConfig, batch: number, step: number, textHash: string, phiTable: Float32Array, loss: number): Record<string, unknown> {
  return {
    trainedSteps: step,
    seed: args.seed,
    config: cfg,
    batch,
    schedule: { kind: 'linear', T: TRAIN_T, betaStart: 1e-4, betaEnd: 0.02 },
    timeInput: 'sinusoidal features of the continuous training time τ; step t of any schedule s is fed as τ with ᾱ_linear(τ) = ᾱ_s(t)',
    condDropout: COND_DROPOUT,
    defaultGuidance: DEFAULT_GUIDANCE,
    loss: 'L_simple (ε-prediction MSE), t uniform in 1..1000',
    finalLossAvg: loss,
    textEncoderHash: textHash,
    phiTable: Buffer.from(phiTable.buffer, phiTable.byteOffset, phiTable.byteLength).toString('base64'),
  };
}

async function trainEps(args: DiffusionArgs): Promise<{ losses: number[]; done: boolean }> {
  await initNodeWasm();
  const total = args.steps ?? EPS_STEPS;
  const { model: encoder, metadata: aeMeta } = await loadModel(weightsDir(args, DIFFUSION_DIRS.encoder));
  const { model: decoder } = await loadModel(weightsDir(args, DIFFUSION_DIRS.decoder));
  const norm = aeMeta.latentNorm as LatentNorm;
  const textDir = join(args.sharedWeights, DIFFUSION_DIRS.text);
  const { model: text } = await loadModel(textDir);
  const textHash = fnv1a(readModelDir(textDir).weightsBin);
  const phiTable = captionTable(text);
  text.dispose();
  const phiT = tf.tensor2d(phiTable, [128, 64]);
  // The architecture, batch and number of parts (which decides the random streams, see
  // parallel.ts partOf) a checkpoint was made with win over the defaults. Checkpoints from
  // before these options: flat, batch 64, one thread.
  const saved = hasCheckpoint(args.root, EPS_NAME) ? readCheckpointState(args.root, EPS_NAME) : null;
  const arch = keptOption<EpsArch>(saved, 'arch', args.arch, 'flat', DEFAULT_ARCH);
  const batch = keptOption(saved, 'batch', args.batch, EPS_BATCH, EPS_BATCH);
  const nWorkers = keptOption(saved, 'workers', args.workers, 0, DEFAULT_WORKERS);
  const cfg = EPS_ARCHS[arch];
  const tr = new EpsTrainer(deriveSeed(args.seed, 'init eps'), cfg, EPS_LR);
  if (!args.quiet) console.log(`[${EPS_NAME}] ε-network ${arch}: ${tr.net.countParams().toLocaleString('en')} parameters, batch ${batch}`);
  const nets = { eps: tr.net, ema: tr.ema };
  const opts = { adam: tr.opt };
  let step = 0;
  let cursor = 0;
  let prevElapsed = 0;
  let avg = NaN;
  if (hasCheckpoint(args.root, EPS_NAME)) {
    const st = await loadCheckpoint(args.root, EPS_NAME, nets, opts);
    if (st.seed !== args.seed) throw new Error(`checkpoint was made with --seed ${st.seed}; pass it or use --fresh`);
    if (st.extra.textEncoderHash !== textHash)
      console.warn(`[${EPS_NAME}] warning: the text encoder changed since this checkpoint (${String(st.extra.textEncoderHash)} → ${textHash})`);
    ({ step, cursor } = st);
    prevElapsed = st.elapsedSeconds;
    avg = (st.extra.lossAvg as number | undefined) ?? NaN;
    if (!args.quiet) console.log(`[${EPS_NAME}] resumed at step ${step}`);
  }
  const exportWeights = async (s: number): Promise<void> => {
    await saveWeights(weightsDir(args, DIFFUSION_DIRS.eps), tr.ema, epsMetadata(args, cfg, batch, s, textHash, phiTable, avg), epsEncoding);
  };
  if (args.exportOnly) {
    await exportWeights(step);
    console.log(`[${EPS_NAME}] exported the EMA weights of step ${step} to ${weightsDir(args, DIFFUSION_DIRS.eps)}`);
    return { losses: [], done: step >= total };
  }
  if (step >= total) {
    if (!args.quiet) console.log(`[${EPS_NAME}] already trained (${step} steps); run with --fresh to retrain`);
    await exportWeights(step);
    return { losses: [], done: true };
  }
  const classifierDir = join(args.sharedWeights, 'classifier');
  const dm = new DiffusionModel({ eps: tr.ema, decoder, norm, phiTable });
  const losses: number[] = [];
  const lrAt = (s: number): number => epsLearningRate(s, total);
  const workers = await Promise.all(
    Array.from({ length: nWorkers }, () =>
      GradWorker.start({ cfg, encoderDir: weightsDir(args, DIFFUSION_DIRS.encoder), norm, phiTable, seed: args.seed, condDropout: COND_DROPOUT }),
    ),
  );
  if (nWorkers > 0 && !args.quiet) console.log(`[${EPS_NAME}] data-parallel: ${nWorkers + 1} threads, ${batch / (nWorkers + 1)} samples each per step`);
  const last = await runLoop(EPS_NAME, step, prevElapsed, args, {
    total,
    logEvery: 25,
    sampleEvery: 1000,
    step: async (s) => {
      setLearningRate(tr.opt, lrAt(s));
      const { loss, gradNorm } = await parallelEpsStep(tr, workers, encoder, norm, phiT, args.seed, s, cursor, batch);
      cursor += batch;
      losses.push(loss);
      avg = Number.isNaN(avg) ? loss : 0.98 * avg + 0.02 * loss;
      return { loss, avg, gnorm: gradNorm, lr: lrAt(s) * 1000 };
    },
    writeSamples: async (s) => {
      const caps = gridCaptions();
      const { images } = await dm.sample({ captions: caps, steps: 20, guidance: DEFAULT_GUIDANCE, seed: deriveSeed(args.seed, 'grid') });
      writeGrid(samplePath(args.root, EPS_NAME, s), images, 8, 3);
      pruneSamples(join(args.root, 'samples', EPS_NAME));
      if (existsSync(join(classifierDir, 'model.json'))) {
        const { model: clf } = await loadModel(classifierDir);
        const all = allCaptions();
        const res = await dm.sample({ captions: all.map(captionOf), steps: 20, guidance: DEFAULT_GUIDANCE, seed: deriveSeed(args.seed, 'faith') });
        const t = pixelsToTensor(res.images);
        const pred = classify(clf, t);
        t.dispose();
        clf.dispose();
        const st0 = samplesAt(args.seed, 'val', 0, 1)[0]!.style;
        const ok = all.filter((a, i) => CAPTION_ATTRIBUTES.every((k) => labelsOf(a, st0)[k] === pred[k][i])).length;
        if (!args.quiet)
          console.log(`[${EPS_NAME}] step ${s}: caption faithfulness (DDIM 20, w=${DEFAULT_GUIDANCE}, 128 captions, EMA) = ${((ok / all.length) * 100).toFixed(1)}%`);
      }
    },
    checkpoint: async (s, elapsed) => {
      await saveCheckpoint(args.root, EPS_NAME, nets, opts, {
        step: s,
        cursor,
        seed: args.seed,
        extra: { textEncoderHash: textHash, lossAvg: avg, arch, batch, workers: nWorkers },
        savedAt: new Date().toISOString(),
        elapsedSeconds: elapsed,
      });
    },
    // A live worker thread keeps the process alive: stop them even when a step throws.
  }).finally(() => Promise.all(workers.map((w) => w.terminate())));
  const done = last >= total;
  if (done) {
    await exportWeights(last);
    if (!args.quiet) console.log(`[${EPS_NAME}] done: EMA weights in ${weightsDir(args, DIFFUSION_DIRS.eps)}`);
  }
  phiT.dispose();
  for (const m of [encoder, decoder, tr.net, tr.ema]) m.dispose();
  return { losses, done };
}

export async function trainDiffusion(args: DiffusionArgs): Promise<void> {
  if (args.fresh) {
    if (args.phase !== 'eps') clearCheckpoint(args.root, AE_NAME);
    clearCheckpoint(args.root, EPS_NAME);
  }
  if (args.phase !== 'eps' && !args.exportOnly) {
    const ae = await trainAutoencoder(args);
    if (!ae.done) return;
  }
  if (args.phase !== 'autoencoder') await trainEps(args);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await trainDiffusion(parseDiffusionArgs());
}
