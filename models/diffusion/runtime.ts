/**
 * The diffusion model at run time, platform-agnostic (browser, Node server, evaluation,
 * tests): '@tensorflow/tfjs' with whatever backend the caller set up, and a byte loader
 * (fetch in the browser, the file system in Node) over models/weights/.
 *
 *   const dm = await loadDiffusionModel(loader);
 *   const { images } = await dm.sample({ captions: ['a large red star'], steps: 50, guidance: 3, seed: 1 });
 *
 * Latent diffusion: the samplers of shared/diffusion run on an 8×8×4 latent normalised to
 * unit variance; `decode` turns latents into 32×32 RGB bytes (for the final image and for
 * step-by-step display of x_t or of the predicted x̂_0).
 *
 * Any schedule works at sampling time (linear, cosine or hand-drawn, T from 10 to 1000):
 * the network was trained on the linear T = 1000 schedule and only ever sees the noise
 * level, so step t of schedule s is fed as the continuous training time τ with
 * ᾱ_train(τ) = ᾱ_s(t) (log ᾱ interpolated linearly between integer training steps;
 * clamped to [0, 1000]). For the training schedule itself τ = t.
 */
import * as tf from '@tensorflow/tfjs';
import '../tf/layers.ts';
import { ddimSample, ddpmSample, linearSchedule, withBatchedGuidance, withClippedX0, type EpsModel, type Schedule } from '../../shared/diffusion/index.ts';
import { allCaptions, captionIndex, captionOf, parseCaption, tokenize } from '../../shared/dataset/index.ts';
import { createRng, type Rng } from '../../shared/random.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { imagesToSigned, pixelsToSigned, signedToImages, signedToPixels } from '../../shared/render/pixel-codec.ts';
import type { WeightsLoader } from '../runtime/weights-loader.ts';
import { deserializeModel } from '../tf/io.ts';
import { COND_DIM, LATENT_SHAPE, LATENT_SIZE, TIME_FEATURES, TRAIN_T, timeFeatureBatch } from './network.ts';

/** Default classifier-free guidance scale w (ε̂ = ε_∅ + w (ε_c − ε_∅)). */
export const DEFAULT_GUIDANCE = 3;
export const DEFAULT_STEPS = 50;

/** Directories under models/weights/. */
export const DIFFUSION_DIRS = {
  eps: 'diffusion-eps',
  decoder: 'diffusion-decoder',
  encoder: 'diffusion-encoder',
  text: 'text-encoder',
} as const;

/** Reads one file (e.g. 'diffusion-eps/model.json') of the shipped weights as bytes. */

export interface LatentNorm {
  mean: readonly number[];
  std: readonly number[];
}

// ---- training-time matching ------------------------------------------------------------

const TRAIN_LOG_AB = (() => {
  const s = linearSchedule(TRAIN_T);
  const out = new Float64Array(TRAIN_T + 1);
  for (let t = 1; t <= TRAIN_T; t++) out[t] = Math.log(s.alphaBars[t - 1]!);
  return out;
})();

/** The continuous training time τ ∈ [0, 1000] whose ᾱ equals `alphaBar`. */
export function trainingTimeFor(alphaBar: number): number {
  const L = Math.log(alphaBar);
  if (!(L < 0)) return 0;
  if (L <= TRAIN_LOG_AB[TRAIN_T]!) return TRAIN_T;
  let lo = 0;
  let hi = TRAIN_T; // logAB[lo] > L >= logAB[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (TRAIN_LOG_AB[mid]! > L) lo = mid;
    else hi = mid;
  }
  const a = TRAIN_LOG_AB[lo]!;
  const b = TRAIN_LOG_AB[hi]!;
  return lo + (a - L) / (a - b);
}

const timeCache = new WeakMap<Schedule, Float64Array>();

/** τ for every step t = 1..T of a schedule (index t − 1), cached per schedule object. */
export function trainingTimes(schedule: Schedule): Float64Array {
  let ts = timeCache.get(schedule);
  if (ts === undefined) {
    ts = new Float64Array(schedule.T);
    for (let t = 1; t <= schedule.T; t++) ts[t - 1] = trainingTimeFor(schedule.alphaBars[t - 1]!);
    timeCache.set(schedule, ts);
  }
  return ts;
}

// ---- helpers ---------------------------------------------------------------------------

/** FNV-1a of a byte array (identifies the text-encoder weights a model was trained with). */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

interface StepView {
  /** the step just denoised (of the sampling schedule), the step now reached, 1-based index, count */
  t: number;
  tNext: number;
  index: number;
  count: number;
  /** the current latent x_{tNext} (normalised, n × 256), reused between calls: copy to keep */
  latent: Float32Array;
  /** the x̂_0 predicted at this step (latent), reused between calls */
  x0Pred: Float32Array;
}

interface SampleOptions {
  /** captions in the data set's grammar (one image each) … */
  captions?: readonly string[];
  /** … or raw condition rows (n × 64), e.g. a blend of two captions' φ */
  phi?: Float32Array;
  /** 'ddim' (default) or 'ddpm' (ancestral, all T steps of the schedule) */
  sampler?: 'ddim' | 'ddpm';
  /** DDIM: how many steps, or the exact timesteps; default 50 */
  steps?: number | readonly number[];
  /** DDIM η (0 = deterministic) */
  eta?: number;
  /** guidance scale w; default DEFAULT_GUIDANCE; 0 = unconditional, 1 = plain conditional */
  guidance?: number;
  /** default: the lecture's linear schedule, T = 1000 */
  schedule?: Schedule;
  seed?: number;
  rng?: Rng;
  /** start from this x_T (n × 256) */
  xT?: Float32Array;
  onStep?: (v: StepView) => void | Promise<void>;
  signal?: AbortSignal;
  /**
   * clip x̂₀ to ±this (normalised latent units; null = off), see withClippedX0. Default:
   * X0_BOUND when `schedule` is given, off for the training schedule (which the network
   * handles as trained; measured at DDIM 50, w = 3: 79.3% faithful unclipped, 77.0% clipped,
   * within the noise of 256 images).
   */
  x0Bound?: number | null;
}

/**
 * Real latents are normalised to unit variance and stay well inside ±5; clipping x̂₀ there
 * keeps schedules with a tiny ᾱ_T (cosine) from blowing up the first steps.
 */
const X0_BOUND = 5;

interface SampleResult {
  images: Uint8Array[];
  /** final latents x_0 (n × 256) */
  latents: Float32Array;
}

export class DiffusionModel {
  readonly eps: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly encoder: tf.LayersModel | null;
  readonly norm: LatentNorm;
  readonly metadata: Record<string, unknown>;
  /** φ for all 128 captions, captionIndex order, flat 128 × 64 */
  readonly phiTable: Float32Array;
  private readonly normMean: tf.Tensor1D;
  private readonly normStd: tf.Tensor1D;

  constructor(parts: {
    eps: tf.LayersModel;
    decoder: tf.LayersModel;
    encoder?: tf.LayersModel | null;
    norm: LatentNorm;
    phiTable: Float32Array;
    metadata?: Record<string, unknown>;
  }) {
    this.eps = parts.eps;
    this.decoder = parts.decoder;
    this.encoder = parts.encoder ?? null;
    this.norm = parts.norm;
    this.phiTable = parts.phiTable;
    this.metadata = parts.metadata ?? {};
    this.normMean = tf.tensor1d([...parts.norm.mean]);
    this.normStd = tf.tensor1d([...parts.norm.std]);
  }

  /** φ(t) rows for captions in the grammar (throws on anything else). */
  phi(captions: readonly string[]): Float32Array {
    const out = new Float32Array(captions.length * COND_DIM);
    captions.forEach((c, i) => {
      const a = parseCaption(c);
      if (a === null) throw new Error(`caption outside the grammar "a {size} {colour} {shape}": "${c}"`);
      const k = captionIndex(a);
      out.set(this.phiTable.subarray(k * COND_DIM, (k + 1) * COND_DIM), i * COND_DIM);
    });
    return out;
  }

  /**
   * ε_θ as the shared samplers want it, for sampling with `schedule`: x is a flat batch of
   * n latents (n × 256), cond the φ rows (n × 64) or null for the unconditional model.
   */
  epsModel(schedule: Schedule): EpsModel {
    const taus = trainingTimes(schedule);
    return async (x, t, cond) => {
      const n = x.length / LATENT_SIZE;
      if (!Number.isInteger(n) || n < 1) throw new Error(`epsModel: ${x.length} values is not a whole number of ${LATENT_SIZE}-value latents`);
      const phi = cond == null ? new Float32Array(n * COND_DIM) : (cond as Float32Array);
      if (phi.length !== n * COND_DIM) throw new Error(`epsModel: condition has ${phi.length} values, expected ${n * COND_DIM}`);
      const tau = taus[t - 1]!;
      const feats = timeFeatureBatch(new Float64Array(n).fill(tau));
      const out = tf.tidy(() => this.eps.predict([tf.tensor4d(x, [n, ...LATENT_SHAPE]), tf.tensor2d(feats, [n, TIME_FEATURES]), tf.tensor2d(phi, [n, COND_DIM])]) as tf.Tensor);
      const v = (await out.data()) as Float32Array;
      out.dispose();
      return v;
    };
  }

  /** ε̂ = ε_∅ + w (ε_c − ε_∅), conditional and unconditional halves in one batched call. */
  guidedEpsModel(schedule: Schedule, guidance: number): EpsModel {
    return withBatchedGuidance(this.epsModel(schedule), {
      scale: guidance,
      nullCond: null,
      pairConds: (c, u) => {
        const cc = c as Float32Array;
        const both = new Float32Array(2 * cc.length);
        both.set(cc);
        if (u !== null) both.set(u as Float32Array, cc.length);
        return both;
      },
    });
  }

  /** Normalised latents (n × 256) → RGB bytes, one Uint8Array (32×32×3) per latent. */
  decode(latents: Float32Array): Uint8Array[] {
    const n = latents.length / LATENT_SIZE;
    const v = tf.tidy(() => {
      const z = tf.add(tf.mul(tf.tensor4d(latents, [n, ...LATENT_SHAPE]), this.normStd), this.normMean);
      return (this.decoder.predict(z) as tf.Tensor).dataSync() as Float32Array;
    });
    return signedToImages(v as Float32Array, n);
  }

  /** RGB bytes → normalised latents (needs the encoder; load with { encoder: true }). */
  encode(images: readonly Uint8Array[]): Float32Array {
    if (this.encoder === null) throw new Error('encode: the encoder was not loaded');
    const n = images.length;
    const buf = imagesToSigned(images);
    return tf.tidy(() => {
      const mu = this.encoder!.predict(tf.tensor4d(buf, [n, 32, 32, 3])) as tf.Tensor;
      return tf.div(tf.sub(mu, this.normMean), this.normStd).dataSync() as Float32Array;
    });
  }

  /**
   * A pixel-space view of step t for display beside the forward process: the decoded x̂_0
   * noised as the forward process would, √ᾱ_t x̂_0 + √(1−ᾱ_t) ε_pix, with a fixed pixel noise
   * ε_pix (n × 3072, e.g. drawn once per run) so consecutive frames are coherent.
   */
  pixelView(x0Pred: Float32Array, alphaBar: number, noisePixels: Float32Array): Uint8Array[] {
    const imgs = this.decode(x0Pred);
    const a = Math.sqrt(alphaBar);
    const b = Math.sqrt(1 - alphaBar);
    return imgs.map((img, i) => {
      const x = pixelsToSigned(img);
      const noise = noisePixels.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES);
      for (let j = 0; j < IMAGE_BYTES; j++) x[j] = a * x[j]! + b * noise[j]!;
      return signedToPixels(x);
    });
  }

  async sample(opts: SampleOptions): Promise<SampleResult> {
    const phi = opts.phi ?? (opts.captions ? this.phi(opts.captions) : null);
    if (phi === null) throw new Error('sample: give captions or phi');
    const n = phi.length / COND_DIM;
    if (!Number.isInteger(n) || n < 1) throw new Error('sample: phi must hold whole 64-value rows');
    const schedule = opts.schedule ?? defaultSchedule();
    const guidance = opts.guidance ?? DEFAULT_GUIDANCE;
    const bound = opts.x0Bound === undefined ? (opts.schedule ? X0_BOUND : null) : opts.x0Bound;
    const guided = this.guidedEpsModel(schedule, guidance);
    const eps = bound === null ? guided : withClippedX0(guided, schedule, bound);
    const rng = opts.rng ?? createRng(opts.seed ?? 0);
    const onStep = opts.onStep;
    const common = {
      schedule,
      shape: [n, ...LATENT_SHAPE],
      eps,
      rng,
      cond: phi,
      ...(opts.xT ? { xT: opts.xT } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(onStep
        ? {
            onStep: (t: number, x: Float32Array, x0Pred: Float32Array, info: { tNext: number; index: number; count: number }) =>
              onStep({ t, tNext: info.tNext, index: info.index, count: info.count, latent: x, x0Pred }),
          }
        : {}),
    };
    const latents = (opts.sampler ?? 'ddim') === 'ddpm' ? await ddpmSample(common) : await ddimSample({ ...common, steps: opts.steps ?? DEFAULT_STEPS, eta: opts.eta ?? 0 });
    return { images: this.decode(latents), latents };
  }

  dispose(): void {
    this.eps.dispose();
    this.decoder.dispose();
    this.encoder?.dispose();
    this.normMean.dispose();
    this.normStd.dispose();
  }
}

let linear: Schedule | null = null;
function defaultSchedule(): Schedule {
  linear ??= linearSchedule(TRAIN_T);
  return linear;
}

/** φ for all 128 captions (captionIndex order) from a text encoder, flat 128 × 64. */
export function captionTable(textEncoder: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const toks = allCaptions().map((a) => tokenize(captionOf(a)));
    const t = tf.tensor2d(
      toks.map((r) => [...r]),
      [toks.length, toks[0]!.length],
      'float32',
    );
    return (textEncoder.predict(t) as tf.Tensor).dataSync() as Float32Array;
  });
}

function decodeBase64Floats(s: string): Float32Array {
  const bin = typeof atob === 'function' ? atob(s) : '';
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

async function loadDir(loader: WeightsLoader, dir: string): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown>; weightsBin: Uint8Array }> {
  const [json, bin] = await Promise.all([loader(`${dir}/model.json`), loader(`${dir}/weights.bin`)]);
  const { model, metadata } = await deserializeModel({ modelJson: new TextDecoder().decode(json), weightsBin: bin });
  return { model, metadata, weightsBin: bin };
}

export interface LoadOptions {
  /** also load the encoder (image → latent); the samplers do not need it */
  encoder?: boolean;
  /** report progress 0..1 as the files arrive */
  onProgress?: (fraction: number) => void;
}

/**
 * Loads the ε-network, the decoder (and optionally the encoder) and the Models I text
 * encoder φ. The ε-network's metadata names the text-encoder weights it was trained with
 * (FNV-1a of weights.bin) and keeps the 128 caption embeddings it saw; if the shipped text
 * encoder has since been retrained, those stored embeddings are used (with a warning)
 * rather than a φ the network has never seen.
 */
export async function loadDiffusionModel(loader: WeightsLoader, opts: LoadOptions = {}): Promise<DiffusionModel> {
  const parts = opts.encoder ? 4 : 3;
  let done = 0;
  const tick = <T>(p: Promise<T>): Promise<T> =>
    p.then((v) => {
      opts.onProgress?.(++done / parts);
      return v;
    });
  const [eps, decoder, text, encoder] = await Promise.all([
    tick(loadDir(loader, DIFFUSION_DIRS.eps)),
    tick(loadDir(loader, DIFFUSION_DIRS.decoder)),
    tick(loadDir(loader, DIFFUSION_DIRS.text)),
    opts.encoder ? tick(loadDir(loader, DIFFUSION_DIRS.encoder)) : Promise.resolve(null),
  ]);
  const meta = eps.metadata;
  const norm = decoder.metadata.latentNorm as LatentNorm | undefined;
  if (!norm) throw new Error('diffusion-decoder/model.json lacks latentNorm metadata');
  let phiTable: Float32Array;
  const wanted = meta.textEncoderHash;
  const have = fnv1a(text.weightsBin);
  if (typeof wanted === 'string' && wanted !== have && typeof meta.phiTable === 'string') {
    console.warn(`diffusion: the text encoder changed since training (${have} ≠ ${wanted}); using the caption embeddings stored with the ε-network`);
    phiTable = decodeBase64Floats(meta.phiTable);
  } else {
    phiTable = captionTable(text.model);
  }
  text.model.dispose();
  return new DiffusionModel({ eps: eps.model, decoder: decoder.model, encoder: encoder?.model ?? null, norm, phiTable, metadata: meta });
}
