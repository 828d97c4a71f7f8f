/**
 * One GAN-CLS + GAN-INT training step (Reed et al. 2016), non-saturating generator loss.
 *
 * Discriminator (maximises L_CLS, here minimised as binary cross-entropy on logits):
 *   L_D = −log D(x, φ(t)) − 0.5·log(1 − D(x, φ(t̂))) − 0.5·log(1 − D(G(z, φ(t)), φ(t)))
 *         − 0.5·log(1 − D(G(z', φ_β), φ_β))
 *   with t̂ a different (wrong) caption and φ_β = β·φ(t1) + (1 − β)·φ(t2), β = 0.5 (GAN-INT):
 *   the three GAN-CLS terms with weights 1, 0.5, 0.5, plus the interpolated fakes as a fake
 *   term of their own (weight 0.5, like the right-text fakes).
 * Generator (non-saturating: maximises log D(G(z))):
 *   L_G = −log D(G(z, φ(t)), φ(t)) − log D(G(z', φ_β), φ_β)
 * The four D inputs run as one batch of 4B for speed.
 */
import * as tf from '@tensorflow/tfjs';
import { trainableVars } from '../tf/blocks.ts';

export interface GanBatch {
  /** real images [B, 32, 32, 3] in [−1, 1] */
  real: tf.Tensor4D;
  /** φ(t) of the real images' captions [B, 64] */
  phi: tf.Tensor2D;
  /** φ(t̂) of mismatched captions [B, 64] */
  phiWrong: tf.Tensor2D;
  /** φ_β = β φ(t1) + (1 − β) φ(t2) [B, 64] */
  phiInt: tf.Tensor2D;
  /** noise for the right-text fakes and the interpolated fakes [B, zDim] each */
  z: tf.Tensor2D;
  zInt: tf.Tensor2D;
}

export interface GanLosses {
  d: number;
  g: number;
  /** mean D probabilities, for monitoring */
  dReal: number;
  dWrong: number;
  dFake: number;
}

export const GAN_LR = 2e-4;
export const GAN_BETA1 = 0.5;

export class GanTrainer {
  readonly G: tf.LayersModel;
  readonly D: tf.LayersModel;
  readonly optG: tf.AdamOptimizer;
  readonly optD: tf.AdamOptimizer;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  constructor(G: tf.LayersModel, D: tf.LayersModel, lr = GAN_LR) {
    this.G = G;
    this.D = D;
    this.optG = tf.train.adam(lr, GAN_BETA1, 0.999) as tf.AdamOptimizer;
    this.optD = tf.train.adam(lr, GAN_BETA1, 0.999) as tf.AdamOptimizer;
    this.gVars = trainableVars(G);
    this.dVars = trainableVars(D);
  }

  /** One discriminator update then one generator update on the same batch. */
  step(b: GanBatch): GanLosses {
    const d = this.dStep(b);
    const g = this.gStep(b);
    return { ...d, g };
  }

  /** Discriminator update (L_D above); G is only run forward. */
  dStep(b: GanBatch): Omit<GanLosses, 'g'> {
    const n = b.real.shape[0];
    return tf.tidy(() => {
      const fakes = this.G.apply([tf.concat([b.z, b.zInt], 0), tf.concat([b.phi, b.phiInt], 0)], { training: true }) as tf.Tensor4D;
      const xs = tf.concat([b.real, b.real, fakes], 0);
      const phis = tf.concat([b.phi, b.phiWrong, b.phi, b.phiInt], 0);
      let probs: number[] = [];
      const dLoss = this.optD.minimize(
        () => {
          const logits = (this.D.apply([xs, phis]) as tf.Tensor).reshape([4, n]);
          const [lr, lw, lf, li] = tf.unstack(logits, 0) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          probs = [lr, lw, lf].map((l) => tf.sigmoid(l).mean().dataSync()[0]!);
          const real = tf.softplus(tf.neg(lr)).mean();
          const wrong = tf.softplus(lw).mean();
          const fake = tf.softplus(lf).mean();
          const fakeInt = tf.softplus(li).mean();
          return real.add(wrong.mul(0.5)).add(fake.mul(0.5)).add(fakeInt.mul(0.5)) as tf.Scalar;
        },
        true,
        this.dVars,
      )!;
      return { d: dLoss.dataSync()[0]!, dReal: probs[0]!, dWrong: probs[1]!, dFake: probs[2]! };
    });
  }

  /** Generator update (non-saturating L_G above), gradients through the current D. */
  gStep(b: GanBatch): number {
    const n = b.real.shape[0];
    return tf.tidy(() => {
      const zAll = tf.concat([b.z, b.zInt], 0);
      const phiG = tf.concat([b.phi, b.phiInt], 0);
      const gLoss = this.optG.minimize(
        () => {
          const f = this.G.apply([zAll, phiG], { training: true }) as tf.Tensor4D;
          const logits = (this.D.apply([f, phiG]) as tf.Tensor).reshape([2, n]);
          return tf.softplus(tf.neg(logits)).mean(1).sum() as tf.Scalar;
        },
        true,
        this.gVars,
      )!;
      return gLoss.dataSync()[0]!;
    });
  }
}
