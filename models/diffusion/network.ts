/**
 * The latent diffusion model's three networks (tf.layers functional API, built-in layers
 * only, so any code that loads models/weights/* with tf.loadLayersModel can read them):
 *
 *  - encoder E: image [32, 32, 3] in [−1, 1] → latent mean [8, 8, 4] (unscaled);
 *  - decoder D: latent [8, 8, 4] (unscaled) → image [32, 32, 3] in [−1, 1] (tanh);
 *  - ε-network ε_θ(z_t, t, φ): z_t [8, 8, 4] (scaled to unit variance), the sinusoidal
 *    features of the (continuous) training time t, and the 64-d caption embedding φ(t)
 *    from the Models I text encoder (a zero vector = "no caption", for classifier-free
 *    guidance) → ε̂ [8, 8, 4].
 *
 * The ε-network is a stack of residual blocks at 8×8 (no down-sampling: at 8×8 four blocks
 * already see the whole latent) with FiLM conditioning: every block's first conv output is
 * scaled and shifted by (1 + γ(e), β(e)), e = swish(MLP(sin(t)) + W φ). No normalisation
 * layers (GroupNorm costs ≈ 40% of a step on wasm); the residual branches end in a
 * zero-initialised conv so the network starts as the identity on its stem features.
 */
import * as tf from '@tensorflow/tfjs';
import { seedInit } from '../tf/blocks.ts';

const IMAGE_SHAPE = [32, 32, 3] as const;
export const LATENT_SHAPE = [8, 8, 4] as const;
export const LATENT_SIZE = LATENT_SHAPE[0] * LATENT_SHAPE[1] * LATENT_SHAPE[2];
export const COND_DIM = 64;
/** Sinusoidal time features fed to the ε-network. */
export const TIME_FEATURES = 64;
/** The training time range: the linear schedule of the lecture, T = 1000. */
export const TRAIN_T = 1000;

export interface EpsConfig {
  /**
   * 'flat': `blocks` residual blocks at 8×8. 'unet2': a two-level U-Net — one block at 8×8,
   * a stride-2 conv to 4×4 with `lowChannels`, `blocks − 2` blocks there, a transposed conv
   * back to 8×8 added to the skip, one block at 8×8. A 4×4 conv with twice the channels
   * costs what an 8×8 one does and holds four times the weights: more capacity per second
   * of wasm. Missing = 'flat' (the configs saved before the option).
   */
  arch?: 'flat' | 'unet2';
  channels: number;
  lowChannels?: number;
  blocks: number;
  embDim: number;
  /**
   * φ(t) is unit-norm (entries ≈ 0.1) while the time features are ≈ 1: a fixed scale
   * layer brings φ to the same range, so Adam moves the conditioning as fast as the time
   * path. Missing = 1.
   */
  phiScale?: number;
}

export const EPS_CONFIG: EpsConfig = { channels: 64, blocks: 4, embDim: 128 };
export const EPS_ARCHS = {
  flat: EPS_CONFIG,
  'flat-phi8': { ...EPS_CONFIG, phiScale: 8 },
  'unet2-phi8': { arch: 'unet2', channels: 64, lowChannels: 128, blocks: 4, embDim: 128, phiScale: 8 },
} satisfies Record<string, EpsConfig>;
export type EpsArch = keyof typeof EPS_ARCHS;

interface AutoencoderConfig {
  encoder: readonly [number, number, number];
  decoder: readonly [number, number];
}

export const AE_CONFIG: AutoencoderConfig = { encoder: [32, 48, 64], decoder: [64, 48] };

type S = tf.SymbolicTensor;

function conv(x: S, filters: number, kernel: number, strides: number, name: string, activation: 'swish' | 'linear' = 'linear'): S {
  return tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', name, activation }).apply(x) as S;
}

function convT(x: S, filters: number, name: string, activation: 'swish' | 'linear' = 'linear'): S {
  return tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', name, activation }).apply(x) as S;
}

function swish(x: S, name: string): S {
  return tf.layers.activation({ activation: 'swish', name }).apply(x) as S;
}

function dense(x: S, units: number, name: string, activation: 'swish' | 'linear' = 'linear'): S {
  return tf.layers.dense({ units, name, activation }).apply(x) as S;
}

export function buildEncoder(cfg: AutoencoderConfig = AE_CONFIG): tf.LayersModel {
  const x = tf.input({ shape: [...IMAGE_SHAPE], name: 'image' });
  const [c1, c2, c3] = cfg.encoder;
  let h = conv(x, c1, 4, 2, 'enc_conv1', 'swish'); // 16×16
  h = conv(h, c2, 3, 1, 'enc_conv2', 'swish');
  h = conv(h, c3, 4, 2, 'enc_conv3', 'swish'); // 8×8
  const mu = conv(h, LATENT_SHAPE[2], 3, 1, 'enc_mu');
  return tf.model({ inputs: x, outputs: mu, name: 'diffusion_encoder' });
}

export function buildDecoder(cfg: AutoencoderConfig = AE_CONFIG): tf.LayersModel {
  const z = tf.input({ shape: [...LATENT_SHAPE], name: 'latent' });
  const [c1, c2] = cfg.decoder;
  let h = conv(z, c1, 3, 1, 'dec_conv1', 'swish');
  const r = conv(h, c1, 3, 1, 'dec_res', 'swish');
  h = tf.layers.add({ name: 'dec_res_add' }).apply([h, r]) as S;
  h = convT(h, c2, 'dec_up1', 'swish'); // 16×16
  h = conv(h, c2, 3, 1, 'dec_conv2', 'swish');
  h = convT(h, IMAGE_SHAPE[2], 'dec_up2'); // 32×32
  const out = tf.layers.activation({ activation: 'tanh', name: 'dec_tanh' }).apply(h) as S;
  return tf.model({ inputs: z, outputs: out, name: 'diffusion_decoder' });
}

/**
 * A residual block with FiLM: the first conv's output is scaled and shifted by
 * (1 + γ(e), β(e)); the branch ends in a zero-initialised conv.
 */
function filmBlock(h: S, e: S, c: number, p: string): S {
  let a = swish(h, `${p}_act1`);
  a = conv(a, c, 3, 1, `${p}_conv1`);
  const gamma = tf.layers.reshape({ targetShape: [1, 1, c], name: `${p}_gamma_r` }).apply(dense(e, c, `${p}_gamma_zero`)) as S;
  const beta = tf.layers.reshape({ targetShape: [1, 1, c], name: `${p}_beta_r` }).apply(dense(e, c, `${p}_beta`)) as S;
  const scaled = tf.layers.multiply({ name: `${p}_film_mul` }).apply([a, gamma]) as S;
  a = tf.layers.add({ name: `${p}_film_add` }).apply([a, scaled, beta]) as S;
  a = swish(a, `${p}_act2`);
  a = conv(a, c, 3, 1, `${p}_conv2_zero`);
  return tf.layers.add({ name: `${p}_res` }).apply([h, a]) as S;
}

export function buildEpsNet(cfg: EpsConfig = EPS_CONFIG): tf.LayersModel {
  const z = tf.input({ shape: [...LATENT_SHAPE], name: 'z_t' });
  const tFeat = tf.input({ shape: [TIME_FEATURES], name: 't_features' });
  const phi = tf.input({ shape: [COND_DIM], name: 'phi' });
  const c = cfg.channels;
  let e = dense(tFeat, cfg.embDim, 'eps_t1', 'swish');
  e = dense(e, cfg.embDim, 'eps_t2');
  const phiIn = cfg.phiScale && cfg.phiScale !== 1 ? (tf.layers.rescaling({ scale: cfg.phiScale, name: 'eps_phi_scale' }).apply(phi) as S) : phi;
  const ec = dense(phiIn, cfg.embDim, 'eps_cond');
  e = swish(tf.layers.add({ name: 'eps_emb_add' }).apply([e, ec]) as S, 'eps_emb_act');
  let h = conv(z, c, 3, 1, 'eps_stem');
  if ((cfg.arch ?? 'flat') === 'flat') {
    for (let b = 0; b < cfg.blocks; b++) h = filmBlock(h, e, c, `eps_b${b}`);
  } else {
    const lc = cfg.lowChannels ?? 2 * c;
    if (cfg.blocks < 3) throw new Error('unet2 needs at least 3 blocks');
    h = filmBlock(h, e, c, 'eps_b0');
    const skip = h;
    let d = conv(swish(h, 'eps_down_act'), lc, 3, 2, 'eps_down'); // 4×4
    for (let b = 1; b < cfg.blocks - 1; b++) d = filmBlock(d, e, lc, `eps_b${b}`);
    const u = convT(swish(d, 'eps_up_act'), c, 'eps_up'); // 8×8
    h = tf.layers.add({ name: 'eps_skip_add' }).apply([skip, u]) as S;
    h = filmBlock(h, e, c, `eps_b${cfg.blocks - 1}`);
  }
  h = swish(h, 'eps_out_act');
  const out = conv(h, LATENT_SHAPE[2], 3, 1, 'eps_out_zero');
  return tf.model({ inputs: [z, tFeat, phi], outputs: out, name: 'diffusion_eps' });
}

/**
 * Seeded initialisation (blocks.ts's seedInit: kernels Glorot-normal, biases 0), with every
 * layer whose name ends in `_zero` all zero (residual branch ends, the FiLM γ, the output
 * conv: the standard zero-init of diffusion U-Nets).
 */
export function seedInitDiffusion(model: tf.LayersModel, seed: number): void {
  seedInit(model, seed, { zeroLayer: (layer) => layer.endsWith('_zero') });
}

/**
 * Sinusoidal features of a (continuous) time t ∈ [0, TRAIN_T] (Vaswani et al.; Ho et al.):
 * [sin(t ω_k), cos(t ω_k)], ω_k = 10000^(−k/(d/2)), k = 0..d/2 − 1. Written into `out`
 * at `offset` (a row of a [B, TIME_FEATURES] buffer).
 */
function timeFeatures(t: number, out: Float32Array = new Float32Array(TIME_FEATURES), offset = 0): Float32Array {
  const half = TIME_FEATURES / 2;
  for (let k = 0; k < half; k++) {
    const w = Math.exp((-Math.log(10000) * k) / half);
    out[offset + k] = Math.sin(t * w);
    out[offset + half + k] = Math.cos(t * w);
  }
  return out;
}

export function timeFeatureBatch(ts: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ts.length * TIME_FEATURES);
  for (let i = 0; i < ts.length; i++) timeFeatures(ts[i]!, out, i * TIME_FEATURES);
  return out;
}
