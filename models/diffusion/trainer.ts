/**
 * Training steps of the latent diffusion model (no I/O; the CLI is models/train/diffusion.ts).
 *
 * 1. Autoencoder: L1 + L2 reconstruction of real images through E and D, with a little
 *    Gaussian noise added to the latent (so D tolerates the ε-network's small errors) and a
 *    light L2 pull of the latent towards 0 (keeps its scale bounded, like SD's tiny KL).
 * 2. ε-network, the lecture's L_simple on the normalised latent z_0 = (E(x) − m) / s:
 *      L_simple = E_{t, z_0, ε} ‖ε − ε_θ(√ᾱ_t z_0 + √(1−ᾱ_t) ε, t, φ)‖²,
 *    t uniform in 1..T, linear β schedule, T = 1000; φ = the frozen text encoder's caption
 *    embedding, replaced by the zero vector with probability `condDropout` (the "no caption"
 *    condition of classifier-free guidance). Adam, gradient-norm clipping, and an EMA copy
 *    of the weights (the one that is shipped).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../shared/random.ts';
import { linearSchedule, type Schedule } from '../../shared/diffusion/index.ts';
import {
  COND_DIM,
  LATENT_SHAPE,
  LATENT_SIZE,
  TIME_FEATURES,
  TRAIN_T,
  buildDecoder,
  buildEncoder,
  buildEpsNet,
  seedInitDiffusion,
  timeFeatureBatch,
  type EpsConfig,
  EPS_CONFIG,
} from './network.ts';
import { WeightEma, warmupDecay } from '../tf/ema.ts';
import { pixelsToTensor, samplesAt } from '../data/stream.ts';
import { captionIndex } from '../../shared/dataset/index.ts';
import { trainableVars } from '../tf/blocks.ts';
import type { LatentNorm } from './runtime.ts';
import { flatten, unflatten } from '../tf/flat.ts';

const AE_LATENT_NOISE = 0.1;
const AE_LATENT_PENALTY = 1e-3;
export const COND_DROPOUT = 0.15;
const EMA_DECAY = 0.999;
const GRAD_CLIP = 1;

export class AutoencoderTrainer {
  readonly encoder = buildEncoder();
  readonly decoder = buildDecoder();
  readonly opt: tf.AdamOptimizer;
  private readonly vars: tf.Variable[];

  constructor(seed: number, lr = 1e-3) {
    seedInitDiffusion(this.encoder, seed);
    seedInitDiffusion(this.decoder, seed + 1);
    this.opt = tf.train.adam(lr) as tf.AdamOptimizer;
    this.vars = [...trainableVars(this.encoder), ...trainableVars(this.decoder)];
  }

  /** One step on images [B, 32, 32, 3] in [−1, 1], with seeded latent noise. */
  step(images: tf.Tensor4D, rng: Rng): { loss: number; l1: number } {
    const b = images.shape[0];
    const noise = seededTensor(rng, [b, ...LATENT_SHAPE], AE_LATENT_NOISE);
    let l1 = 0;
    const loss = this.opt.minimize(
      () => {
        const mu = this.encoder.apply(images) as tf.Tensor4D;
        const rec = this.decoder.apply(tf.add(mu, noise)) as tf.Tensor4D;
        const diff = tf.sub(rec, images);
        const l1t = tf.mean(tf.abs(diff));
        l1 = (l1t.dataSync()[0] as number) ?? 0;
        return tf.addN([l1t, tf.mean(tf.square(diff)), tf.mul(tf.mean(tf.square(mu)), AE_LATENT_PENALTY)]) as tf.Scalar;
      },
      true,
      this.vars,
    )!;
    const v = loss.dataSync()[0]!;
    tf.dispose([loss, noise]);
    return { loss: v, l1 };
  }
}

/** Per-channel mean and standard deviation of E(x) over a batch of images. */
export function latentStats(encoder: tf.LayersModel, images: tf.Tensor4D): { mean: number[]; std: number[] } {
  return tf.tidy(() => {
    const mu = encoder.predict(images) as tf.Tensor4D;
    const { mean, variance } = tf.moments(mu, [0, 1, 2]);
    return { mean: Array.from(mean.dataSync()), std: Array.from(tf.sqrt(variance).dataSync()) };
  });
}

/** Normalised latents (E(x) − m) / s: the unit-variance z_0 the schedule assumes. */
export function encodeNormalised(encoder: tf.LayersModel, images: tf.Tensor4D, mean: readonly number[], std: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(encoder.predict(images) as tf.Tensor4D, tf.tensor1d([...mean])), tf.tensor1d([...std])) as tf.Tensor4D);
}

function seededTensor(rng: Rng, shape: number[], std = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = new Float32Array(n);
  for (let i = 0; i < n; i++) buf[i] = rng.normal() * std;
  return tf.tensor(buf, shape);
}

interface EpsBatch {
  /** z_0, normalised latents [B, 8, 8, 4] */
  z0: tf.Tensor4D;
  /** φ(t) [B, 64] (rows are replaced by zeros for dropped captions inside the step) */
  phi: tf.Tensor2D;
}

export class EpsTrainer {
  readonly net: tf.LayersModel;
  /** Exponential moving average of the weights (what gets shipped). */
  readonly ema: tf.LayersModel;
  readonly opt: tf.AdamOptimizer;
  readonly schedule: Schedule = linearSchedule(TRAIN_T);
  readonly vars: tf.Variable[];
  private readonly average: WeightEma;
  condDropout: number;

  constructor(seed: number, cfg: EpsConfig = EPS_CONFIG, lr = 5e-4, condDropout = COND_DROPOUT) {
    this.net = buildEpsNet(cfg);
    seedInitDiffusion(this.net, seed);
    this.average = new WeightEma(this.net, buildEpsNet(cfg));
    this.ema = this.average.model;
    this.opt = tf.train.adam(lr) as tf.AdamOptimizer;
    this.vars = trainableVars(this.net);
    this.condDropout = condDropout;
  }

  /**
   * One L_simple step. All randomness (t, ε, caption dropout) comes from `rng`.
   * Returns the loss and the gradient norm before clipping.
   */
  step(batch: EpsBatch, rng: Rng, step: number): { loss: number; gradNorm: number } {
    const { loss, grads } = this.gradients(batch, rng);
    const gradNorm = this.applyGradients(grads, step);
    tf.dispose(grads);
    return { loss, gradNorm };
  }

  /**
   * ∂L_simple/∂θ on one batch, in `vars` order (the loss is the batch mean, so the
   * average of the gradients of equal parts of a batch is the whole batch's gradient).
   */
  gradients(batch: EpsBatch, rng: Rng): { loss: number; grads: tf.Tensor[] } {
    return epsGradients(this.net, this.vars, this.schedule, this.condDropout, batch, rng);
  }

  /** Clips the gradients' global norm to GRAD_CLIP, applies Adam, updates the EMA; returns the norm. */
  applyGradients(grads: readonly tf.Tensor[], step: number): number {
    const gradNorm = tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
    const scale = gradNorm > GRAD_CLIP ? GRAD_CLIP / gradNorm : 1;
    tf.tidy(() => {
      this.opt.applyGradients(this.vars.map((v, i) => ({ name: v.name, tensor: scale === 1 ? grads[i]! : tf.mul(grads[i]!, scale) })));
    });
    this.updateEma(step);
    return gradNorm;
  }

  /** The trainable weights, flattened in `vars` order (what a gradient worker is sent). */
  flatWeights(): Float32Array {
    return flatten(this.vars);
  }

  updateEma(step: number): void {
    this.average.update(warmupDecay(step, EMA_DECAY));
  }
}

/**
 * Training batch: real samples `cursor … cursor + n − 1` of the seeded train split, encoded
 * to normalised latents, with their captions' φ rows (`phiT` is the [128, 64] caption table).
 */
export function epsBatchAt(encoder: tf.LayersModel, norm: LatentNorm, phiT: tf.Tensor2D, seed: number, cursor: number, n: number): EpsBatch {
  const samples = samplesAt(seed, 'train', cursor, n);
  const images = pixelsToTensor(samples.map((x) => x.pixels));
  const z0 = encodeNormalised(encoder, images, norm.mean, norm.std);
  images.dispose();
  const phi = tf.tidy(
    () =>
      tf.gather(
        phiT,
        tf.tensor1d(
          samples.map((x) => captionIndex(x.attributes)),
          'int32',
        ),
      ) as tf.Tensor2D,
  );
  return { z0, phi };
}

/** L_simple and its gradients for `vars` of `net` on one batch (shared with the gradient workers). */
export function epsGradients(
  net: tf.LayersModel,
  vars: readonly tf.Variable[],
  schedule: Schedule,
  condDropout: number,
  batch: EpsBatch,
  rng: Rng,
): { loss: number; grads: tf.Tensor[] } {
  const b = batch.z0.shape[0];
  const ts = new Int32Array(b);
  const sa = new Float32Array(b);
  const sb = new Float32Array(b);
  const keep = new Float32Array(b);
  for (let i = 0; i < b; i++) {
    const t = rng.int(1, TRAIN_T);
    ts[i] = t;
    const ab = schedule.alphaBars[t - 1]!;
    sa[i] = Math.sqrt(ab);
    sb[i] = Math.sqrt(1 - ab);
    keep[i] = rng.next() < condDropout ? 0 : 1;
  }
  const eps = seededTensor(rng, [b, ...LATENT_SHAPE]) as tf.Tensor4D;
  const inputs = tf.tidy(() => {
    const zt = tf.add(tf.mul(batch.z0, tf.tensor4d(sa, [b, 1, 1, 1])), tf.mul(eps, tf.tensor4d(sb, [b, 1, 1, 1])));
    const feats = tf.tensor2d(timeFeatureBatch(ts), [b, TIME_FEATURES]);
    const phi = tf.mul(batch.phi, tf.tensor2d(keep, [b, 1]));
    return [zt, feats, phi] as tf.Tensor[];
  });
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(eps, net.apply(inputs) as tf.Tensor))) as tf.Scalar, [...vars]);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, eps, ...inputs]);
  return { loss, grads: vars.map((v) => grads[v.name]!) };
}

export { COND_DIM, LATENT_SIZE };
export { flatten, unflatten };
