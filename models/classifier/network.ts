/**
 * Attribute classifier for evaluation only, trained on real data: one conv net, seven
 * softmax heads (size, colour, shape; background, pattern, posX, posY).
 * A full-resolution first layer keeps the faint background patterns (7/255 lift) visible.
 */
import * as tf from '@tensorflow/tfjs';
import { CAPTION_ATTRIBUTES, CAPTION_VALUES, STYLE_ATTRIBUTES, STYLE_VALUES } from '../../shared/dataset/vocabulary.ts';
import { conv, convTrunk, dense } from '../tf/blocks.ts';

export const ATTRIBUTES = [...CAPTION_ATTRIBUTES, ...STYLE_ATTRIBUTES] as const;
export type AttributeName = (typeof ATTRIBUTES)[number];

const ATTRIBUTE_CLASSES: Readonly<Record<AttributeName, number>> = {
  size: CAPTION_VALUES.size.length,
  colour: CAPTION_VALUES.colour.length,
  shape: CAPTION_VALUES.shape.length,
  background: STYLE_VALUES.background.length,
  pattern: STYLE_VALUES.pattern.length,
  posX: STYLE_VALUES.posX.length,
  posY: STYLE_VALUES.posY.length,
};

export function buildClassifier(): tf.LayersModel {
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  let h = conv(x, 24, 3, 1, 'c_conv0');
  h = convTrunk(h, [32, 64, 128], 'c');
  h = tf.layers.flatten({ name: 'c_flat' }).apply(h) as tf.SymbolicTensor;
  h = dense(h, 128, 'c_fc');
  const outs = ATTRIBUTES.map((a) => dense(h, ATTRIBUTE_CLASSES[a], `c_${a}`, 'linear'));
  return tf.model({ inputs: x, outputs: outs, name: 'attribute_classifier' });
}
