/** Evaluation maths: KID, blur baseline, attribute agreement. */
import * as tf from '@tensorflow/tfjs';

/**
 * Kernel Inception Distance (Bińkowski et al. 2018) in a given feature space: the unbiased
 * MMD² with the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³. 0 = same distribution.
 */
export function kid(a: tf.Tensor2D, b: tf.Tensor2D): number {
  return tf.tidy(() => {
    const d = a.shape[1];
    const m = a.shape[0];
    const n = b.shape[0];
    const k = (x: tf.Tensor2D, y: tf.Tensor2D) => tf.pow(tf.add(tf.div(tf.matMul(x, y, false, true), d), 1), 3);
    const kaa = k(a, a);
    const kbb = k(b, b);
    const kab = k(a, b);
    const offDiag = (kk: tf.Tensor, s: number) => tf.sub(tf.sum(kk), tf.sum(tf.mul(kk, tf.eye(s)))).div(s * (s - 1));
    const v = tf.sub(tf.add(offDiag(kaa, m), offDiag(kbb, n)), tf.mul(tf.mean(kab), 2));
    return v.dataSync()[0]!;
  });
}

/** A 3×3 box blur of [N, 32, 32, 3] images (edge-replicated): the "blurred real" baseline. */
export function boxBlur(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const padded = tf.mirrorPad(
      images,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      'symmetric',
    );
    const w = tf.fill([3, 3, 3, 1], 1 / 9) as tf.Tensor4D;
    return tf.depthwiseConv2d(padded, w, 1, 'valid');
  });
}

export function share(flags: readonly boolean[]): number {
  return flags.filter(Boolean).length / Math.max(flags.length, 1);
}
