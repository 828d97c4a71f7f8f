/**
 * The platform-agnostic model runtime: the browser, the Node server and the evaluation all
 * use it. It takes a byte loader (fetch in the browser, the file system in Node) and the
 * TF.js namespace from `@tensorflow/tfjs` with whatever backend the caller chose.
 * Images in and out are Uint8Array RGB, 32×32, row-major (the data set's `pixels` layout).
 */
import * as tf from '@tensorflow/tfjs';
import '../tf/layers.ts';
import { CAPTION_COUNT, allCaptions, captionIndex, captionOf, parseCaption, tokenize } from '../../shared/dataset/index.ts';
import { createRng } from '../../shared/random.ts';
import { deserializeModel } from '../tf/io.ts';
import { imagesToSigned, signedToImages } from '../../shared/render/pixel-codec.ts';
import type { WeightsLoader } from './weights-loader.ts';

/** The shipped models, by directory under models/weights/. */
export const MODEL_NAMES = ['text-encoder', 'image-encoder', 'generator', 'discriminator', 'style-encoder'] as const;
type ModelName = (typeof MODEL_NAMES)[number];

export interface LoadProgress {
  /** 0..1 over all files */
  fraction: number;
  model: ModelName;
  /** 'loading' before a model's files are read, 'ready' once it is built */
  phase: 'loading' | 'ready';
}

export interface JudgeResult {
  /** cosine similarity of the image and caption embeddings, in [−1, 1] */
  similarity: number;
  /** softmax over all 128 captions (scaled by the learned temperature) of this caption */
  probability: number;
  /** rank of this caption among the 128 (1 = the judge's best match) */
  rank: number;
  /** the caption the judge finds most similar */
  best: string;
}

function toTensor(images: readonly Uint8Array[]): tf.Tensor4D {
  return tf.tensor4d(imagesToSigned(images), [images.length, 32, 32, 3]);
}

function toImages(t: tf.Tensor4D): Uint8Array[] {
  return signedToImages(t.dataSync() as Float32Array, t.shape[0]);
}

/** Checks a caption against the data set's grammar; returns its canonical form. */
function canonicalCaption(caption: string): string {
  const a = parseCaption(caption);
  if (a === null) throw new Error(`caption outside the grammar "a {size} {colour} {shape}": "${caption}"`);
  return captionOf(a);
}

/** Platt scaling of D's logit, p = σ(a·ℓ + b), fitted on held-out reals and served fakes (models/gan/calibrate-d.ts). */
export interface DCalibration {
  a: number;
  b: number;
}

function readCalibration(metadata: Record<string, unknown>): DCalibration | null {
  const c = metadata.calibration as Partial<DCalibration> | undefined;
  return c && Number.isFinite(c.a) && Number.isFinite(c.b) ? { a: c.a!, b: c.b! } : null;
}

export class LatentModels {
  readonly zDim: number;
  readonly logScale: number;
  /** D's calibration as shipped; null: D's own sigmoid. */
  readonly dCalibration: DCalibration | null;
  private readonly models: Record<ModelName, tf.LayersModel>;
  private readonly phiTable: tf.Tensor2D; // [128, 64], captionIndex order
  private readonly captions: string[];

  constructor(models: Record<ModelName, tf.LayersModel>, logScale: number, dCalibration: DCalibration | null = null) {
    this.models = models;
    this.logScale = logScale;
    this.dCalibration = dCalibration;
    this.zDim = models.generator.inputs[0]!.shape[1]!;
    this.captions = allCaptions().map(captionOf);
    this.phiTable = tf.tidy(() => this.embedText(this.captions));
  }

  /** φ(t) for captions: [n, 64], L2-normalised. */
  embedText(captions: readonly string[]): tf.Tensor2D {
    return tf.tidy(() => {
      const tokens = captions.map((c) => tokenize(canonicalCaption(c)));
      return this.models['text-encoder'].predict(tf.tensor2d(tokens, [tokens.length, tokens[0]!.length])) as tf.Tensor2D;
    });
  }

  /** Image-encoder embeddings of [n, 32, 32, 3] images in [−1, 1]: [n, 64], L2-normalised. */
  embedImageTensor(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => this.models['image-encoder'].predict(images) as tf.Tensor2D);
  }

  private phiOf(captions: readonly string[]): tf.Tensor2D {
    return tf.tidy(() => {
      const ids = captions.map((c) => captionIndex(parseCaption(canonicalCaption(c))!));
      return tf.gather(this.phiTable, tf.tensor1d(ids, 'int32')) as tf.Tensor2D;
    });
  }

  /** n standard-normal latent vectors from a seed (reproducible everywhere). */
  randomZ(n: number, seed: number): Float32Array[] {
    const rng = createRng(seed);
    return Array.from({ length: n }, () => Float32Array.from({ length: this.zDim }, () => rng.normal()));
  }

  private zTensor(z: readonly Float32Array[]): tf.Tensor2D {
    z.forEach((v, i) => {
      if (v.length !== this.zDim) throw new Error(`z[${i}] has length ${v.length}, expected ${this.zDim}`);
    });
    return tf.tensor2d(
      z.map((v) => Array.from(v)),
      [z.length, this.zDim],
    );
  }

  /** G(z, φ(t)) for each caption; z defaults to a seeded draw. */
  generate(captions: readonly string[], z: readonly Float32Array[] | number = 0): Uint8Array[] {
    const zs = typeof z === 'number' ? this.randomZ(captions.length, z) : z;
    if (zs.length !== captions.length) throw new Error(`${captions.length} captions but ${zs.length} z vectors`);
    const out = tf.tidy(() => this.models.generator.predict([this.zTensor(zs), this.phiOf(captions)]) as tf.Tensor4D);
    try {
      return toImages(out);
    } finally {
      out.dispose();
    }
  }

  /** GAN-INT: G(z, β φ(t1) + (1 − β) φ(t2)). */
  interpolate(t1: string, t2: string, beta: number, z: Float32Array | number = 0): Uint8Array {
    if (!(beta >= 0 && beta <= 1)) throw new Error(`β must be in [0, 1], got ${beta}`);
    const zv = typeof z === 'number' ? this.randomZ(1, z)[0]! : z;
    const out = tf.tidy(() => {
      const phi = tf.add(tf.mul(this.phiOf([t1]), beta), tf.mul(this.phiOf([t2]), 1 - beta));
      return this.models.generator.predict([this.zTensor([zv]), phi]) as tf.Tensor4D;
    });
    try {
      return toImages(out)[0]!;
    } finally {
      out.dispose();
    }
  }

  /** S(x): the style (latent z) of images. */
  styleOf(images: readonly Uint8Array[]): Float32Array[] {
    const s = tf.tidy(() => this.models['style-encoder'].predict(toTensor(images)) as tf.Tensor2D);
    const v = s.dataSync();
    s.dispose();
    return images.map((_, i) => v.slice(i * this.zDim, (i + 1) * this.zDim) as Float32Array);
  }

  /** s ← S(x), x̂ ← G(s, φ(t_new)): the style of x with a new caption. */
  restyle(x: Uint8Array, caption: string): Uint8Array {
    return this.restyleMany([x], [caption])[0]!;
  }

  restyleMany(xs: readonly Uint8Array[], captions: readonly string[]): Uint8Array[] {
    return this.generate(captions, this.styleOf(xs));
  }

  /** The neural judge: caption–image similarity with the CLIP pair. */
  judge(image: Uint8Array, caption: string): JudgeResult {
    return this.judgeMany([image], [caption])[0]!;
  }

  judgeMany(images: readonly Uint8Array[], captions: readonly string[]): JudgeResult[] {
    const sims = tf.tidy(() => {
      const e = this.models['image-encoder'].predict(toTensor(images)) as tf.Tensor2D;
      return tf.matMul(e, this.phiTable, false, true); // [n, 128]
    });
    const v = sims.dataSync();
    sims.dispose();
    const scale = Math.exp(this.logScale);
    return captions.map((c, i) => {
      const id = captionIndex(parseCaption(canonicalCaption(c))!);
      const row = v.subarray(i * CAPTION_COUNT, (i + 1) * CAPTION_COUNT);
      let max = -Infinity;
      let best = 0;
      row.forEach((s, j) => {
        if (s > max) {
          max = s;
          best = j;
        }
      });
      let z = 0;
      row.forEach((s) => (z += Math.exp(scale * (s - max))));
      let rank = 1;
      row.forEach((s) => (rank += s > row[id]! ? 1 : 0));
      return { similarity: row[id]!, probability: Math.exp(scale * (row[id]! - max)) / z, rank, best: this.captions[best]! };
    });
  }

  /** The matching-aware discriminator: D(x, φ(t)) as a probability that x is real and matches t. */
  discriminate(image: Uint8Array, caption: string): number {
    return this.discriminateMany([image], [caption])[0]!;
  }

  discriminateMany(images: readonly Uint8Array[], captions: readonly string[]): number[] {
    const c = this.dCalibration ?? { a: 1, b: 0 };
    return this.discriminatorLogits(images, captions).map((l) => 1 / (1 + Math.exp(-(c.a * l + c.b))));
  }

  /** D's raw logits, before its sigmoid and any calibration. */
  discriminatorLogits(images: readonly Uint8Array[], captions: readonly string[]): number[] {
    const l = tf.tidy(() => this.models.discriminator.predict([toTensor(images), this.phiOf(captions)]) as tf.Tensor);
    const v = Array.from(l.dataSync());
    l.dispose();
    return v;
  }

  dispose(): void {
    this.phiTable.dispose();
    for (const m of Object.values(this.models)) m.dispose();
  }
}

/** Loads all shipped models through `loader`, reporting progress per file. */
export async function loadLatentModels(loader: WeightsLoader, onProgress?: (p: LoadProgress) => void): Promise<LatentModels> {
  const models = {} as Record<ModelName, tf.LayersModel>;
  let logScale = Math.log(1 / 0.07);
  let dCalibration: DCalibration | null = null;
  const dec = new TextDecoder();
  for (const [i, name] of MODEL_NAMES.entries()) {
    onProgress?.({ fraction: i / MODEL_NAMES.length, model: name, phase: 'loading' });
    const [json, bin] = await Promise.all([loader(`${name}/model.json`), loader(`${name}/weights.bin`)]);
    const { model, metadata } = await deserializeModel({ modelJson: dec.decode(json), weightsBin: bin });
    models[name] = model;
    if (name === 'image-encoder' && typeof metadata.logScale === 'number') logScale = metadata.logScale;
    if (name === 'discriminator') dCalibration = readCalibration(metadata);
    onProgress?.({ fraction: (i + 1) / MODEL_NAMES.length, model: name, phase: 'ready' });
  }
  return new LatentModels(models, logScale, dCalibration);
}

/**
 * Chooses the fastest available backend by measuring a short generator-shaped warm-up on
 * each candidate (a software-emulated GPU is slower than wasm). Leaves the winner active.
 */
export async function chooseBackend(candidates: readonly string[] = ['webgpu', 'webgl', 'wasm', 'cpu'], reps = 3): Promise<{ chosen: string; timingsMs: Record<string, number> }> {
  const timingsMs: Record<string, number> = {};
  for (const name of candidates) {
    if (tf.findBackendFactory(name) === null) continue;
    try {
      if (!(await tf.setBackend(name))) continue;
      await tf.ready();
      const run = async () => {
        const t0 = performance.now();
        const y = tf.tidy(() => {
          let h = tf.ones([16, 4, 4, 128]) as tf.Tensor4D;
          for (const [cin, cout] of [
            [128, 64],
            [64, 32],
            [32, 3],
          ] as const) {
            const w = tf.fill([4, 4, cout, cin], 0.01) as tf.Tensor4D;
            const s = h.shape[1] * 2;
            h = tf.conv2dTranspose(h, w, [16, s, s, cout], 2, 'same');
          }
          return h;
        });
        await y.data();
        y.dispose();
        return performance.now() - t0;
      };
      await run(); // first call compiles shaders / warms caches
      const ts: number[] = [];
      for (let i = 0; i < reps; i++) ts.push(await run());
      ts.sort((a, b) => a - b);
      timingsMs[name] = ts[Math.floor(ts.length / 2)]!;
    } catch {
      // a backend that fails to run is not a candidate
    }
  }
  const ranked = Object.entries(timingsMs).sort((a, b) => a[1] - b[1]);
  if (ranked.length === 0) throw new Error('no TF.js backend could run');
  const chosen = ranked[0]![0];
  await tf.setBackend(chosen);
  return { chosen, timingsMs };
}
