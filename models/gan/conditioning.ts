/** Caption embeddings for the GAN: the frozen CLIP text encoder's φ(t) for all 128 captions. */
import * as tf from '@tensorflow/tfjs';
import { CAPTION_ATTRIBUTES, CAPTION_COUNT, CAPTION_VALUES, captionFromIndex, captionIndex, type CaptionAttributes } from '../../shared/dataset/index.ts';
import type { Rng } from '../../shared/random.ts';

/**
 * A caption index different from `c` (the mismatched text t̂). With probability
 * `hardFraction` it is a hard negative — the same caption with exactly one attribute
 * (size, colour or shape) changed — otherwise uniform over the other 127 captions.
 * Hard negatives make the matching-aware D check every attribute, not just the most
 * visible one (a random caption almost always differs in colour).
 */
export function wrongCaption(rng: Rng, c: number, hardFraction = 0): number {
  if (hardFraction > 0 && rng.next() < hardFraction) {
    const a = captionFromIndex(c);
    const attr = CAPTION_ATTRIBUTES[rng.int(0, CAPTION_ATTRIBUTES.length - 1)]!;
    const values = CAPTION_VALUES[attr] as readonly string[];
    const cur = values.indexOf(a[attr]);
    const k = rng.int(0, values.length - 2);
    return captionIndex({ ...a, [attr]: values[k >= cur ? k + 1 : k] } as CaptionAttributes);
  }
  const w = rng.int(0, CAPTION_COUNT - 2);
  return w >= c ? w + 1 : w;
}

/** GAN-INT: φ_β = β φ(t1) + (1 − β) φ(t2). */
export function interpolate(phiTable: tf.Tensor2D, t1: readonly number[], t2: readonly number[], beta: number): tf.Tensor2D {
  return tf.tidy(
    () => tf.add(tf.mul(tf.gather(phiTable, tf.tensor1d([...t1], 'int32')), beta), tf.mul(tf.gather(phiTable, tf.tensor1d([...t2], 'int32')), 1 - beta)) as tf.Tensor2D,
  );
}

export const INT_BETA = 0.5;
