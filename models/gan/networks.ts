/**
 * Text-conditional DCGAN of Reed et al. (2016), sized for 32×32 images and a 2-core CPU.
 * G(z, φ(t)): φ → dense → leaky ReLU (compressed text c), concat with z → dense 4×4×C →
 *   three stride-2 transposed convs; at 8×8 and 16×16 a 3×3 conv that hears c again,
 *   → tanh image in [-1, 1]. The first shipped G (transposed convs only, text at the input
 *   only) learnt size and colour but drew blobs: shape faithfulness stayed at 14–20% over
 *   3,700 steps. The 3×3 convs give G room to draw edges; re-injecting c lets every scale
 *   know which shape to draw.
 * D(x, φ(t)): strided conv trunk to 4×4; φ → dense → leaky, tiled 4×4 and concatenated
 *   (depth concat, as in the paper) → 1×1 conv → dense → logit, plus a projection term
 *   ⟨W φ, pool(h)⟩ (Miyato & Koyama 2018) so the match score reads the whole trunk; a
 *   minibatch-std channel (ProGAN) at 4×4 lets D see a group of G's images lacking the
 *   variety of real ones. G v3 had no such channel and drew every object centred, whatever z
 *   (a mode-seeking term in G's loss bought only brightness and speckle variation).
 * Normalisation only in G (BatchNorm, DCGAN's recipe): on wasm it costs up to 40% of a step.
 */
import * as tf from '@tensorflow/tfjs';
import { EMBED_DIM } from '../clip/encoders.ts';
import { conv, convTrunk, dense, LEAK } from '../tf/blocks.ts';
import { ChannelBias, MinibatchStd } from '../tf/layers.ts';

export const Z_DIM = 32;

export interface GanConfig {
  zDim: number;
  condDim: number;
  /** channels after the dense layer (4×4) and after each up-sampling (8×8, 16×16, 32×32) */
  gChannels: readonly [number, number, number, number];
  dChannels: readonly [number, number, number];
  dCondDim: number;
  /** 'batch': BatchNorm after G's dense and hidden convs (DCGAN's recipe) */
  gNorm: 'none' | 'batch';
  /** D's minibatch-std group size at 4×4 (0 = off; see MinibatchStd) */
  dMbstdGroup: number;
}

export const GAN_CONFIG: GanConfig = { zDim: Z_DIM, condDim: 32, gChannels: [128, 64, 32, 16], dChannels: [32, 64, 128], dCondDim: 32, gNorm: 'batch', dMbstdGroup: 4 };

type S = tf.SymbolicTensor;

/** c [B, k] → [B, size, size, k] */
function tile(c: S, size: number, k: number, name: string): S {
  const r = tf.layers.repeatVector({ n: size * size, name: `${name}_rep` }).apply(c) as S;
  return tf.layers.reshape({ targetShape: [size, size, k], name }).apply(r) as S;
}

export function buildGenerator(cfg: GanConfig = GAN_CONFIG): tf.LayersModel {
  const z = tf.input({ shape: [cfg.zDim], name: 'z' });
  const phi = tf.input({ shape: [EMBED_DIM], name: 'phi' });
  const c = dense(phi, cfg.condDim, 'g_cond');
  let h = tf.layers.concatenate({ name: 'g_zc' }).apply([z, c]) as S;
  const norm = (x: S, name: string) =>
    cfg.gNorm === 'batch' ? (tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(x) as S) : x;
  const leaky = (x: S, name: string) => tf.layers.leakyReLU({ alpha: LEAK, name: `${name}_act` }).apply(x) as S;
  const [c4, c8, c16, c32] = cfg.gChannels;
  h = tf.layers.dense({ units: 4 * 4 * c4, name: 'g_fc', kernelInitializer: 'glorotNormal' }).apply(h) as S;
  h = tf.layers.reshape({ targetShape: [4, 4, c4], name: 'g_4x4' }).apply(h) as S;
  h = leaky(norm(h, 'g_fc'), 'g_fc');
  const layer = (x: S, kind: 'up' | 'conv', filters: number, name: string, text = false) => {
    const opts = { filters, padding: 'same' as const, name, kernelInitializer: 'glorotNormal' as const };
    let y = (kind === 'up' ? tf.layers.conv2dTranspose({ ...opts, kernelSize: 4, strides: 2 }) : tf.layers.conv2d({ ...opts, kernelSize: 3 })).apply(x) as S;
    // A per-channel bias from c: conv(concat(h, tile(c))) = conv(h) + W c away from the
    // borders, without materialising the tiled map.
    if (text) y = new ChannelBias({ name: `${name}_text` }).apply([y, dense(c, filters, `${name}_c`, 'linear')]) as S;
    return leaky(norm(y, name), name);
  };
  const sizes = [8, 16, 32] as const;
  [c8, c16, c32].forEach((ch, i) => {
    const size = sizes[i]!;
    h = layer(h, 'up', ch, `g_up${size}`);
    if (size < 32) h = layer(h, 'conv', ch, `g_conv${size}`, true);
  });
  const rgb = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'g_rgb', kernelInitializer: 'glorotNormal' }).apply(h) as S;
  const out = tf.layers.activation({ activation: 'tanh', name: 'g_tanh' }).apply(rgb) as S;
  return tf.model({ inputs: [z, phi], outputs: out, name: 'generator' });
}

export function buildDiscriminator(cfg: GanConfig = GAN_CONFIG): tf.LayersModel {
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  const phi = tf.input({ shape: [EMBED_DIM], name: 'phi' });
  const h = convTrunk(x, cfg.dChannels, 'd'); // [4, 4, C]
  const c = dense(phi, cfg.dCondDim, 'd_cond');
  const hs = cfg.dMbstdGroup > 0 ? (new MinibatchStd({ groupSize: cfg.dMbstdGroup, name: 'd_mbstd' }).apply(h) as S) : h;
  let j = tf.layers.concatenate({ name: 'd_join' }).apply([hs, tile(c, 4, cfg.dCondDim, 'd_tile4x4')]) as S;
  j = conv(j, cfg.dChannels[2], 1, 1, 'd_joint');
  j = tf.layers.flatten({ name: 'd_flat' }).apply(j) as S;
  const logit = dense(j, 1, 'd_logit', 'linear');
  const pooled = tf.layers.globalAveragePooling2d({ name: 'd_pool' }).apply(h) as S;
  const proj = tf.layers.dense({ units: cfg.dChannels[2], useBias: false, name: 'd_proj', kernelInitializer: 'glorotNormal' }).apply(phi) as S;
  const match = tf.layers.dot({ axes: 1, name: 'd_match' }).apply([pooled, proj]) as S;
  const out = tf.layers.add({ name: 'd_out' }).apply([logit, match]) as S;
  return tf.model({ inputs: [x, phi], outputs: out, name: 'discriminator' });
}

/**
 * Sets D's inference-time minibatch-std constant to the mean group std of `real`'s trunk
 * features (a no-op for a D without the layer). Called before every checkpoint and export.
 */
export function calibrateMinibatchStd(D: tf.LayersModel, real: tf.Tensor4D): number {
  const layer = D.layers.find((l) => l instanceof MinibatchStd);
  if (!layer) return NaN;
  const value = tf.tidy(() => {
    const trunk = tf.model({ inputs: D.inputs[0]!, outputs: layer.input as S });
    const h = trunk.predict(real) as tf.Tensor4D;
    return MinibatchStd.groupStd(h, layer.groupSize).mean().dataSync()[0]!;
  });
  layer.calibrate(value);
  return value;
}
