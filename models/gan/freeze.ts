/** train:gan --g-trains background: only G's background network (layers bg_…, g_bg_…) learns. */
import type * as tf from '@tensorflow/tfjs';

export function freezeAllButBackground(G: tf.LayersModel): void {
  for (const layer of G.layers) if (!/^(g_bg_|bg_)/.test(layer.name)) layer.trainable = false;
}
