/**
 * Text-conditional DCGAN of Reed et al. (2016), sized for 32×32 images and a 2-core CPU.
 * G(z, φ(t)): φ → dense → leaky ReLU (compressed text), concat with z → dense 4×4×C →
 *   three stride-2 transposed convs → tanh image in [-1, 1].
 * D(x, φ(t)): strided conv trunk to 4×4; φ → dense → leaky, tiled 4×4 and concatenated
 *   (depth concat, as in the paper) → 1×1 conv → dense → logit (matching-aware D).
 * No normalisation layers: on wasm they cost up to 40% of a step.
 */
import * as tf from '@tensorflow/tfjs';
import { EMBED_DIM } from '../clip/encoders.ts';
import { conv, convTrunk, dense, LEAK } from '../tf/blocks.ts';

export const Z_DIM = 32;

export interface GanConfig {
  zDim: number;
  condDim: number;
  gChannels: readonly [number, number, number];
  dChannels: readonly [number, number, number];
  dCondDim: number;
  /** 'batch': BatchNorm after G's dense and hidden transposed convs (DCGAN's recipe) */
  gNorm: 'none' | 'batch';
}

export const GAN_CONFIG: GanConfig = { zDim: Z_DIM, condDim: 32, gChannels: [128, 64, 32], dChannels: [32, 64, 128], dCondDim: 32, gNorm: 'batch' };

export function buildGenerator(cfg: GanConfig = GAN_CONFIG): tf.LayersModel {
  const z = tf.input({ shape: [cfg.zDim], name: 'z' });
  const phi = tf.input({ shape: [EMBED_DIM], name: 'phi' });
  const c = dense(phi, cfg.condDim, 'g_cond');
  let h = tf.layers.concatenate({ name: 'g_zc' }).apply([z, c]) as tf.SymbolicTensor;
  const norm = (x: tf.SymbolicTensor, name: string) =>
    cfg.gNorm === 'batch' ? (tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(x) as tf.SymbolicTensor) : x;
  const leaky = (x: tf.SymbolicTensor, name: string) => tf.layers.leakyReLU({ alpha: LEAK, name: `${name}_act` }).apply(x) as tf.SymbolicTensor;
  if (cfg.gNorm === 'batch') {
    h = dense(h, 4 * 4 * cfg.gChannels[0], 'g_fc', 'linear');
    h = tf.layers.reshape({ targetShape: [4, 4, cfg.gChannels[0]], name: 'g_4x4' }).apply(h) as tf.SymbolicTensor;
    h = leaky(norm(h, 'g_fc'), 'g_fc');
  } else {
    h = dense(h, 4 * 4 * cfg.gChannels[0], 'g_fc');
    h = tf.layers.reshape({ targetShape: [4, 4, cfg.gChannels[0]], name: 'g_4x4' }).apply(h) as tf.SymbolicTensor;
  }
  const up = (x: tf.SymbolicTensor, filters: number, name: string, act: 'leaky' | 'tanh') => {
    let y = tf.layers
      .conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', name, kernelInitializer: 'glorotNormal' })
      .apply(x) as tf.SymbolicTensor;
    if (act === 'leaky') y = norm(y, name);
    return act === 'tanh'
      ? (tf.layers.activation({ activation: 'tanh', name: `${name}_tanh` }).apply(y) as tf.SymbolicTensor)
      : (tf.layers.leakyReLU({ alpha: LEAK, name: `${name}_act` }).apply(y) as tf.SymbolicTensor);
  };
  h = up(h, cfg.gChannels[1], 'g_up8', 'leaky');
  h = up(h, cfg.gChannels[2], 'g_up16', 'leaky');
  const out = up(h, 3, 'g_up32', 'tanh');
  return tf.model({ inputs: [z, phi], outputs: out, name: 'generator' });
}

export function buildDiscriminator(cfg: GanConfig = GAN_CONFIG): tf.LayersModel {
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  const phi = tf.input({ shape: [EMBED_DIM], name: 'phi' });
  const h = convTrunk(x, cfg.dChannels, 'd'); // [4, 4, C]
  let c = dense(phi, cfg.dCondDim, 'd_cond');
  c = tf.layers.repeatVector({ n: 16, name: 'd_tile' }).apply(c) as tf.SymbolicTensor;
  c = tf.layers.reshape({ targetShape: [4, 4, cfg.dCondDim], name: 'd_tile4x4' }).apply(c) as tf.SymbolicTensor;
  let j = tf.layers.concatenate({ name: 'd_join' }).apply([h, c]) as tf.SymbolicTensor;
  j = conv(j, cfg.dChannels[2], 1, 1, 'd_joint');
  j = tf.layers.flatten({ name: 'd_flat' }).apply(j) as tf.SymbolicTensor;
  const logit = dense(j, 1, 'd_logit', 'linear');
  return tf.model({ inputs: [x, phi], outputs: logit, name: 'discriminator' });
}
