/**
 * Trains the style encoder S with the lecture's objective, on the frozen generator's outputs:
 *   L_style = ‖z − S(G(z, φ(t)))‖²   (z ~ N(0, I), t a random caption; mean over the batch)
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../shared/random.ts';
import { seedInit, trainableVars } from '../tf/blocks.ts';
import { buildStyleEncoder } from './encoder.ts';

const STYLE_LR = 1e-3;

export class StyleTrainer {
  readonly S: tf.LayersModel;
  readonly G: tf.LayersModel;
  readonly opt: tf.AdamOptimizer;
  private readonly vars: tf.Variable[];

  constructor(G: tf.LayersModel, seed: number, zDim: number, lr = STYLE_LR) {
    this.G = G;
    this.S = buildStyleEncoder(zDim);
    seedInit(this.S, deriveSeed(seed, 'init style encoder'));
    this.opt = tf.train.adam(lr) as tf.AdamOptimizer;
    this.vars = trainableVars(this.S);
  }

  /**
   * z [B, zDim], phi [B, 64]: `loss` is the batch mean of ‖z − S(G(z, φ))‖². With `real`, S
   * also learns the labelled style dims of real images (real-targets.ts): + weight · `real`,
   * the mean over the real batch of Σ mask·(target − S(x))² (NaN without real images).
   */
  step(z: tf.Tensor2D, phi: tf.Tensor2D, real?: RealStyleBatch): { loss: number; real: number } {
    const x = tf.tidy(() => this.G.predict([z, phi]) as tf.Tensor4D); // G frozen
    let realLoss = NaN;
    let fakeLoss = NaN;
    const loss = this.opt.minimize(
      () => {
        const fake = tf.sum(tf.square(tf.sub(z, this.S.apply(x) as tf.Tensor2D)), 1).mean() as tf.Scalar;
        fakeLoss = fake.dataSync()[0]!;
        if (!real) return fake;
        const r = tf.sum(tf.mul(real.mask, tf.square(tf.sub(real.target, this.S.apply(real.images) as tf.Tensor2D))), 1).mean() as tf.Scalar;
        realLoss = r.dataSync()[0]!;
        return fake.add(r.mul(real.weight)) as tf.Scalar;
      },
      true,
      this.vars,
    )!;
    tf.dispose([x, loss]);
    return { loss: fakeLoss, real: realLoss };
  }
}

export interface RealStyleBatch {
  images: tf.Tensor4D;
  /** [B, zDim] targets and 0/1 mask (real-targets.ts styleTargetOf) */
  target: tf.Tensor2D;
  mask: tf.Tensor2D;
  weight: number;
}
