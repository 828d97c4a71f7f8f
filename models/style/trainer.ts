/**
 * Trains the style encoder S with the lecture's objective, on the frozen generator's outputs:
 *   L_style = ‖z − S(G(z, φ(t)))‖²   (z ~ N(0, I), t a random caption; mean over the batch)
 */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../shared/random.ts';
import { seedInit, trainableVars } from '../tf/blocks.ts';
import { buildStyleEncoder } from './encoder.ts';

export const STYLE_LR = 1e-3;

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

  /** z [B, zDim], phi [B, 64]: returns the batch mean of ‖z − S(G(z, φ))‖². */
  step(z: tf.Tensor2D, phi: tf.Tensor2D): number {
    const x = tf.tidy(() => this.G.predict([z, phi]) as tf.Tensor4D); // G frozen
    const loss = this.opt.minimize(
      () => tf.sum(tf.square(tf.sub(z, this.S.apply(x) as tf.Tensor2D)), 1).mean() as tf.Scalar,
      true,
      this.vars,
    )!;
    const v = loss.dataSync()[0]!;
    tf.dispose([x, loss]);
    return v;
  }
}
