/**
 * The tiny CLIP pair: text encoder φ(t) and image encoder, both ending in a d=64
 * L2-normalised embedding. The logit scale exp(t) is learned beside them (stored in the
 * image encoder's model.json metadata as `logScale`).
 */
import * as tf from '@tensorflow/tfjs';
import { MAX_TOKENS, TOKENS } from '../../shared/dataset/vocabulary.ts';
import { convTrunk, dense } from '../tf/blocks.ts';
import { L2Normalize, PositionEmbedding } from '../tf/layers.ts';

export const EMBED_DIM = 64;

interface ClipConfig {
  tokenDim: number;
  hidden: number;
  imageChannels: readonly number[];
}

const CLIP_CONFIG: ClipConfig = { tokenDim: 32, hidden: 64, imageChannels: [32, 64, 64] };

/** tokens [B, MAX_TOKENS] (float ids) → token + position embeddings → per-token MLP → mean-pool → 64 → L2. */
export function buildTextEncoder(cfg: ClipConfig = CLIP_CONFIG): tf.LayersModel {
  const input = tf.input({ shape: [MAX_TOKENS], name: 'tokens' });
  let h = tf.layers.embedding({ inputDim: TOKENS.length, outputDim: cfg.tokenDim, name: 'txt_tok' }).apply(input) as tf.SymbolicTensor;
  h = new PositionEmbedding({ name: 'txt_pos' }).apply(h) as tf.SymbolicTensor;
  h = dense(h, cfg.hidden, 'txt_mlp1');
  h = dense(h, cfg.hidden, 'txt_mlp2');
  h = tf.layers.globalAveragePooling1d({ name: 'txt_pool' }).apply(h) as tf.SymbolicTensor;
  h = dense(h, EMBED_DIM, 'txt_proj', 'linear');
  const out = new L2Normalize({ name: 'txt_l2' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'text_encoder' });
}

/** image [B, 32, 32, 3] in [-1, 1] → strided conv trunk → 64 → L2. */
export function buildImageEncoder(cfg: ClipConfig = CLIP_CONFIG): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3], name: 'image' });
  let h = convTrunk(input, cfg.imageChannels, 'img');
  h = tf.layers.flatten({ name: 'img_flat' }).apply(h) as tf.SymbolicTensor;
  h = dense(h, EMBED_DIM, 'img_proj', 'linear');
  const out = new L2Normalize({ name: 'img_l2' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'image_encoder' });
}

/** Features before the projection (used as the KID feature space is the embedding itself). */
export const INITIAL_LOG_SCALE = Math.log(1 / 0.07);
export const MAX_LOG_SCALE = Math.log(100);
