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
 *
 * G v5 is layered (LR-GAN, Yang et al. 2017; gLayout 'layered'). v3 and v4 drew every object
 * centred on a plain background whatever z: the CLIP term pulls each caption to one
 * prototype, and neither a mode-seeking term nor D's minibatch-std channel undid it. So:
 *   - the drawing network above draws an object layer (colour + alpha) from (z_obj, c);
 *   - z[0:2] moves it (LayoutOffsets + Translate, differentiable), by a range G learns
 *     from c (a large object has less room) and with the data set's own layout prior;
 *     G v6 instead draws every object at the large size and zooms and moves it with a
 *     layout read from φ, fitted to the data set's geometry (PlaceObject, layout-fit.ts);
 *   - a small background network draws from z_bg alone, which cannot hear the caption,
 *     and an InfoGAN term (train-step.ts) keeps z_bg visible in the image.
 * Style (place, background) then lives in known parts of z, which is what the style encoder
 * S and the Restyle round need.
 *
 * G v7 keeps v6's networks but feeds the background network categorical codes (gBackground
 * 'codes'): v6's, free to draw any background from a continuous z_bg, dropped plum (a
 * quarter of the data, drawn for 0.3% of z) and drew patterns that did not follow z. The
 * data's background is a discrete choice (4 colours × 4 patterns), so G v7 makes it one: the
 * argmax of z[2:6] picks the colour code and of z[6:10] the pattern code, each value with
 * probability ¼ by symmetry (OneHotCodes). A class head trained on real images only (AC-GAN)
 * makes code k look like real class k. An image table per code pair, tried first, learnt
 * per-pixel noise from D's gradients: the up-sampling network keeps the background smooth.
 */
import * as tf from '@tensorflow/tfjs';
import { EMBED_DIM } from '../clip/encoders.ts';
import { conv, convTrunk, dense, LEAK } from '../tf/blocks.ts';
import { BACKGROUNDS, PATTERNS, ROTATION_MAX_DEGREES } from '../../shared/dataset/vocabulary.ts';
import { GAN_Z_DIM } from '../../shared/render/recipes.ts';
import {
  AlphaComposite,
  ChannelBias,
  LAYOUT_FIELDS,
  LayoutOffsets,
  MinibatchStd,
  OneHotCodes,
  PlaceObject,
  RgbaActivation,
  RotateObject,
  SliceFeatures,
  Translate,
} from '../tf/layers.ts';

export const Z_DIM = GAN_Z_DIM;

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
  /**
   * 'single': one image from (z, c) (G v1–v4). 'layered': z[0:2] places an object layer drawn
   * from (z[2 + bgDim:], c) on a background layer drawn from z[2 : 2 + bgDim] alone (see
   * buildGenerator).
   */
  gLayout: 'single' | 'layered';
  /** z dimensions of the background layer, and its channels at 4×4, 8×8, 16×16, 32×32 */
  bgDim: number;
  bgChannels: readonly [number, number, number, number];
  /** radius in pixels of the disc the object layer is confined to before it moves (RgbaActivation) */
  objectRadius: number;
  /**
   * How a layered G places its object. 'learnt-range' (G v5): moved by LayoutOffsets, with a
   * travel range learnt from c. 'data-layout' (G v6): zoomed and moved by PlaceObject, with
   * the layout read from φ by a frozen head fitted to the data set's geometry (layout-fit.ts).
   */
  gPlace: 'learnt-range' | 'data-layout';
  /**
   * What a layered G's background network reads from z[POSITION_DIMS : POSITION_DIMS + bgDim].
   * 'gaussian' (G v5, v6): those dims as they are. 'codes' (G v7): categorical codes, one
   * group per entry of bgCodes, each the one-hot of the argmax of that many z dims
   * (OneHotCodes); a class head trained on real images ties each code to its class
   * (train-step.ts ClassTerm). bgCodes must fit in bgDim; spare dims are unused.
   */
  gBackground: 'gaussian' | 'codes';
  bgCodes: readonly number[];
  /**
   * G v10: the object layer is turned by ±ROTATION_MAX_DEGREES from z[ROTATION_DIM]
   * (RotateObject, before PlaceObject), so G draws every object upright and its rotation
   * follows the data set's uniform prior. G v9 and earlier drew them nearly upright (their
   * rotation spread was a quarter of the data's). Needs background codes (the first spare z dim).
   */
  gRotate: boolean;
}

export const GAN_CONFIG: GanConfig = {
  zDim: Z_DIM,
  condDim: 32,
  gChannels: [128, 64, 32, 16],
  dChannels: [32, 64, 128],
  dCondDim: 32,
  gNorm: 'batch',
  dMbstdGroup: 4,
  gLayout: 'layered',
  bgDim: 10,
  bgChannels: [32, 16, 16, 8],
  objectRadius: 15.5,
  gPlace: 'data-layout',
  gBackground: 'codes',
  bgCodes: [BACKGROUNDS.length, PATTERNS.length],
  gRotate: true,
};

/** z[0:2] is the object's place in a layered G; z[POSITION_DIMS : POSITION_DIMS + bgDim] the background. */
export const POSITION_DIMS = 2;
/** The z dim that turns the object (gRotate): the first dim the background codes leave spare. */
export const ROTATION_DIM = POSITION_DIMS + BACKGROUNDS.length + PATTERNS.length;

type S = tf.SymbolicTensor;

const leaky = (x: S, name: string) => tf.layers.leakyReLU({ alpha: LEAK, name: `${name}_act` }).apply(x) as S;

/** c [B, k] → [B, size, size, k] */
function tile(c: S, size: number, k: number, name: string): S {
  const r = tf.layers.repeatVector({ n: size * size, name: `${name}_rep` }).apply(c) as S;
  return tf.layers.reshape({ targetShape: [size, size, k], name }).apply(r) as S;
}

export function buildGenerator(cfg: GanConfig = GAN_CONFIG): tf.LayersModel {
  const z = tf.input({ shape: [cfg.zDim], name: 'z' });
  const phi = tf.input({ shape: [EMBED_DIM], name: 'phi' });
  const c = dense(phi, cfg.condDim, 'g_cond');
  if (cfg.gLayout === 'single') {
    const img = drawLayer(cfg, z, c, 3, 'g');
    const out = tf.layers.activation({ activation: 'tanh', name: 'g_tanh' }).apply(img) as S;
    return tf.model({ inputs: [z, phi], outputs: out, name: 'generator' });
  }
  // Layered (LR-GAN): object layer (colour + alpha) from the caption and z's object part,
  // moved to where z[0:2] says, pasted on a background layer that only z's background part
  // drives. The background cannot hear the caption, and the place is not G's to collapse.
  const zBg = new SliceFeatures({ begin: POSITION_DIMS, size: cfg.bgDim, name: 'g_z_bg' }).apply(z) as S;
  const zObj = new SliceFeatures({ begin: POSITION_DIMS + cfg.bgDim, size: cfg.zDim - POSITION_DIMS - cfg.bgDim, name: 'g_z_obj' }).apply(z) as S;
  let rgba = new RgbaActivation({ windowRadius: cfg.objectRadius, name: 'g_rgba' }).apply(drawLayer(cfg, zObj, c, 4, 'g')) as S;
  if (cfg.gRotate) {
    const used = cfg.bgCodes.reduce((a, k) => a + k, 0);
    if (cfg.gBackground !== 'codes' || POSITION_DIMS + used !== ROTATION_DIM || used >= cfg.bgDim)
      throw new Error('gRotate needs background codes that leave z[ROTATION_DIM] spare');
    rgba = new RotateObject({ dim: ROTATION_DIM, maxDegrees: ROTATION_MAX_DEGREES, name: 'g_rotate' }).apply([rgba, z]) as S;
  }
  let placed: S;
  if (cfg.gPlace === 'data-layout') {
    const layout = tf.layers.dense({ units: LAYOUT_FIELDS.length, trainable: false, name: 'g_layout' }).apply(phi) as S;
    placed = new PlaceObject({ name: 'g_place' }).apply([rgba, z, layout]) as S;
  } else {
    const halfRaw = dense(c, 2, 'g_range', 'linear');
    const shift = dense(c, 2, 'g_shift', 'linear');
    const offset = new LayoutOffsets({ name: 'g_offset' }).apply([z, halfRaw, shift]) as S;
    placed = new Translate({ name: 'g_place' }).apply([rgba, offset]) as S;
  }
  const bg = drawBackground(cfg, cfg.gBackground === 'codes' ? backgroundCodes(cfg, zBg) : zBg);
  const out = new AlphaComposite({ name: 'g_paste' }).apply([placed, bg]) as S;
  return tf.model({ inputs: [z, phi], outputs: out, name: 'generator' });
}

/** z_bg → the one-hot background codes (OneHotCodes) of G v7. */
function backgroundCodes(cfg: GanConfig, zBg: S): S {
  const used = cfg.bgCodes.reduce((a, k) => a + k, 0);
  if (used > cfg.bgDim) throw new Error(`background codes ${cfg.bgCodes.join('+')} need ${used} z dims; bgDim is ${cfg.bgDim}`);
  const codes = used === cfg.bgDim ? zBg : (new SliceFeatures({ begin: 0, size: used, name: 'g_bg_code_dims' }).apply(zBg) as S);
  return new OneHotCodes({ groups: [...cfg.bgCodes], name: 'g_bg_codes' }).apply(codes) as S;
}

/** The background layer: z_bg (or its codes) → dense 4×4 → three transposed convs → 3×3 conv → tanh. */
function drawBackground(cfg: GanConfig, zBg: S): S {
  const [b4, b8, b16, b32] = cfg.bgChannels;
  const bn = (x: S, name: string) => tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(x) as S;
  let h = tf.layers.dense({ units: 4 * 4 * b4, name: 'bg_fc', kernelInitializer: 'glorotNormal' }).apply(zBg) as S;
  h = leaky(bn(tf.layers.reshape({ targetShape: [4, 4, b4], name: 'bg_4x4' }).apply(h) as S, 'bg_fc'), 'bg_fc');
  [b8, b16, b32].forEach((ch, i) => {
    const name = `bg_up${8 << i}`;
    h = tf.layers.conv2dTranspose({ filters: ch, kernelSize: 4, strides: 2, padding: 'same', name, kernelInitializer: 'glorotNormal' }).apply(h) as S;
    h = leaky(bn(h, name), name);
  });
  const rgb = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'bg_rgb', kernelInitializer: 'glorotNormal' }).apply(h) as S;
  return tf.layers.activation({ activation: 'tanh', name: 'bg_tanh' }).apply(rgb) as S;
}

/** G v1–v4's drawing network, (z, c) → [32, 32, channels] before the output activation. */
function drawLayer(cfg: GanConfig, z: S, c: S, channels: number, prefix: string): S {
  let h = tf.layers.concatenate({ name: `${prefix}_zc` }).apply([z, c]) as S;
  const norm = (x: S, name: string) => (cfg.gNorm === 'batch' ? (tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }).apply(x) as S) : x);
  const [c4, c8, c16, c32] = cfg.gChannels;
  h = tf.layers.dense({ units: 4 * 4 * c4, name: `${prefix}_fc`, kernelInitializer: 'glorotNormal' }).apply(h) as S;
  h = tf.layers.reshape({ targetShape: [4, 4, c4], name: `${prefix}_4x4` }).apply(h) as S;
  h = leaky(norm(h, `${prefix}_fc`), `${prefix}_fc`);
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
    h = layer(h, 'up', ch, `${prefix}_up${size}`);
    if (size < 32) h = layer(h, 'conv', ch, `${prefix}_conv${size}`, true);
  });
  return tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', name: `${prefix}_rgb`, kernelInitializer: 'glorotNormal' }).apply(h) as S;
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
