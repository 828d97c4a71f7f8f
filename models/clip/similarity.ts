/** Caption–image similarity with the trained pair (the neural judge) and retrieval. */
import * as tf from '@tensorflow/tfjs';
import { allCaptions, captionOf, tokenize } from '../../shared/dataset/index.ts';
import { tokensTensor } from '../data/stream.ts';

/** φ for all 128 captions in captionIndex order: [128, 64]. */
export function allCaptionEmbeddings(text: tf.LayersModel): tf.Tensor2D {
  return tf.tidy(() => text.predict(tokensTensor(allCaptions().map((a) => tokenize(captionOf(a))))) as tf.Tensor2D);
}

/** Index of the most similar caption for each image embedding. */
export function nearestCaption(imageEmb: tf.Tensor2D, captionEmb: tf.Tensor2D): Int32Array {
  return tf.tidy(() => tf.argMax(tf.matMul(imageEmb, captionEmb, false, true), 1).dataSync() as Int32Array);
}

/** Embeds images in chunks (keeps memory flat). */
export function embedImages(image: tf.LayersModel, images: tf.Tensor4D, chunk = 256): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [];
  for (let i = 0; i < images.shape[0]; i += chunk) {
    const n = Math.min(chunk, images.shape[0] - i);
    parts.push(tf.tidy(() => image.predict(images.slice([i, 0, 0, 0], [n, -1, -1, -1])) as tf.Tensor2D));
  }
  const out = tf.concat(parts, 0);
  tf.dispose(parts);
  return out;
}
