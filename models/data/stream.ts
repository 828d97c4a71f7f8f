/**
 * Seeded, resumable streams of real samples and their tensors.
 * Sample i of split `split` under seed `seed` is makeSample(deriveSeed(deriveSeed(seed, split), `sample ${i}`)):
 * a training run's data cursor is just the next index. The splits never overlap in seeds
 * (train, val = held-out during training, test = evaluation).
 */
import { imagesToSigned, signedToImages } from '../../shared/render/pixel-codec.ts';
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../shared/random.ts';
import { CAPTION_VALUES, STYLE_VALUES, makeSample, type CaptionAttributes, type Sample, type StyleAttributes } from '../../shared/dataset/index.ts';
import { ATTRIBUTES, type AttributeName } from '../classifier/network.ts';

type Split = 'train' | 'val' | 'test';

export const DEFAULT_SEED = 20261126;

export function sampleAt(seed: number, split: Split, i: number): Sample {
  return makeSample(deriveSeed(deriveSeed(seed, split), `sample ${i}`));
}

export function samplesAt(seed: number, split: Split, start: number, n: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) out.push(sampleAt(seed, split, start + i));
  return out;
}

/** RGB bytes (N × 32·32·3) → [N, 32, 32, 3] float in [−1, 1]. */
export function pixelsToTensor(pixels: readonly Uint8Array[]): tf.Tensor4D {
  return tf.tensor4d(imagesToSigned(pixels), [pixels.length, 32, 32, 3]);
}

/** [N, 32, 32, 3] in [−1, 1] → RGB bytes per image. */
export function tensorToPixels(images: tf.Tensor4D): Uint8Array[] {
  return signedToImages(images.dataSync() as Float32Array, images.shape[0]);
}

export function tokensTensor(tokens: readonly (readonly number[])[]): tf.Tensor2D {
  return tf.tensor2d(
    tokens.map((t) => [...t]),
    [tokens.length, tokens[0]!.length],
    'float32',
  );
}

export type AttributeLabels = Record<AttributeName, number>;

/** The class indices of what a caption says (the caption half of labelsOf). */
export function captionLabelsOf(a: CaptionAttributes): Pick<AttributeLabels, 'size' | 'colour' | 'shape'> {
  return {
    size: CAPTION_VALUES.size.indexOf(a.size),
    colour: CAPTION_VALUES.colour.indexOf(a.colour),
    shape: CAPTION_VALUES.shape.indexOf(a.shape),
  };
}

export function labelsOf(a: CaptionAttributes, s: StyleAttributes): AttributeLabels {
  return {
    ...captionLabelsOf(a),
    background: STYLE_VALUES.background.indexOf(s.background),
    pattern: STYLE_VALUES.pattern.indexOf(s.pattern),
    posX: STYLE_VALUES.posX.indexOf(s.posX),
    posY: STYLE_VALUES.posY.indexOf(s.posY),
  };
}

export { ATTRIBUTES };
