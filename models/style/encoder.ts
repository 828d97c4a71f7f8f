/** Style encoder S(x): image → z (the generator's noise space), trained on G's outputs. */
import * as tf from '@tensorflow/tfjs';
import { Z_DIM } from '../gan/networks.ts';
import { convTrunk, dense } from '../tf/blocks.ts';

const STYLE_CHANNELS = [32, 64, 64] as const;

export function buildStyleEncoder(zDim = Z_DIM): tf.LayersModel {
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  let h = convTrunk(x, STYLE_CHANNELS, 's');
  h = tf.layers.flatten({ name: 's_flat' }).apply(h) as tf.SymbolicTensor;
  h = dense(h, 128, 's_fc');
  const out = dense(h, zDim, 's_z', 'linear');
  return tf.model({ inputs: x, outputs: out, name: 'style_encoder' });
}
