/**
 * The CLIP loss of the lecture: S = exp(t) · norm(E_I W_I) · norm(E_T W_T)ᵀ,
 * loss = ½ CE_rows(S, L) + ½ CE_cols(S, L), with a learned temperature t.
 *
 * False negatives: with 128 distinct captions a batch holds duplicates, and a one-hot L
 * would push an image away from its own caption's copy. We use the supervised-contrastive
 * form with several positives (the lecture's L^sup_out, Khosla et al. 2020): every pair with
 * the same caption is a positive, and the target row is uniform over them:
 *   L_rows = −(1/B) Σ_i (1/|P(i)|) Σ_{j∈P(i)} log softmax_j(S_i·)
 * (and the same over columns). With distinct captions it is exactly the one-hot CLIP loss.
 */
import * as tf from '@tensorflow/tfjs';
import { MAX_LOG_SCALE } from './encoders.ts';

export function clipLoss(img: tf.Tensor2D, txt: tf.Tensor2D, logScale: tf.Tensor, captionIds: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const scale = tf.exp(tf.minimum(logScale, MAX_LOG_SCALE));
    const s = tf.mul(tf.matMul(img, txt, false, true), scale); // [B, B]: rows images, cols texts
    const same = tf.cast(tf.equal(captionIds.expandDims(1), captionIds.expandDims(0)), 'float32');
    const target = tf.div(same, tf.sum(same, 1, true));
    const rows = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(s, 1)), 1)).mean();
    const cols = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(tf.transpose(s), 1)), 1)).mean();
    return tf.add(rows, cols).mul(0.5) as tf.Scalar;
  });
}
