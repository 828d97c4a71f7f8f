/**
 * An exponential moving average of a model's weights, kept in a second copy of the model
 * (Polyak averaging; what DDPM, ProGAN and StyleGAN ship). All weights are averaged,
 * BatchNorm's moving statistics included, so the copy is self-consistent at inference.
 */
import * as tf from '@tensorflow/tfjs';

export class WeightEma {
  /** the averaged copy (what gets shipped) */
  readonly model: tf.LayersModel;
  private readonly src: tf.Variable[];
  private readonly dst: tf.Variable[];

  /** `copy` must have `source`'s architecture; it starts from `source`'s current weights. */
  constructor(source: tf.LayersModel, copy: tf.LayersModel) {
    this.model = copy;
    copy.setWeights(source.getWeights());
    this.src = source.weights.map((w) => w.read() as tf.Variable);
    this.dst = copy.weights.map((w) => w.read() as tf.Variable);
    if (this.src.length !== this.dst.length) throw new Error('WeightEma: the copy has a different architecture');
  }

  /** ema ← decay · ema + (1 − decay) · weights */
  update(decay: number): void {
    tf.tidy(() => {
      this.dst.forEach((e, i) => e.assign(tf.add(tf.mul(e, decay), tf.mul(this.src[i]!, 1 - decay))));
    });
  }

  /** Restarts the average at the source's current weights. */
  reset(source: tf.LayersModel): void {
    this.model.setWeights(source.getWeights());
  }
}

/** The usual warm-up (DDPM's codebase): min(cap, (1 + step) / (10 + step)). */
export function warmupDecay(step: number, cap: number): number {
  return Math.min(cap, (1 + step) / (10 + step));
}

/**
 * StyleGAN's ramp: the average's half-life is `ramp` of the steps so far, at most
 * `maxHalfLife` steps, so early weights are forgotten quickly and late ones averaged longer.
 */
export function halfLifeDecay(step: number, maxHalfLife: number, ramp: number): number {
  const h = Math.max(1, Math.min(maxHalfLife, ramp * step));
  return 0.5 ** (1 / h);
}
