/** Trains the text and image encoders together with the CLIP loss (see loss.ts). */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../shared/random.ts';
import { seedInit, trainableVars } from '../tf/blocks.ts';
import { buildImageEncoder, buildTextEncoder, INITIAL_LOG_SCALE, MAX_LOG_SCALE } from './encoders.ts';
import { clipLoss } from './loss.ts';

const CLIP_LR = 1e-3;

interface ClipBatch {
  images: tf.Tensor4D;
  tokens: tf.Tensor2D;
  captionIds: tf.Tensor1D;
}

export class ClipTrainer {
  readonly text = buildTextEncoder();
  readonly image = buildImageEncoder();
  readonly logScale = tf.variable(tf.scalar(INITIAL_LOG_SCALE), true);
  readonly opt: tf.AdamOptimizer;
  private readonly vars: tf.Variable[];

  constructor(seed: number, lr = CLIP_LR) {
    seedInit(this.text, deriveSeed(seed, 'init text encoder'));
    seedInit(this.image, deriveSeed(seed, 'init image encoder'));
    this.opt = tf.train.adam(lr) as tf.AdamOptimizer;
    this.vars = [...trainableVars(this.text), ...trainableVars(this.image), this.logScale];
  }

  step(b: ClipBatch): number {
    const loss = this.opt.minimize(
      () => {
        const ti = this.text.apply(b.tokens) as tf.Tensor2D;
        const ii = this.image.apply(b.images) as tf.Tensor2D;
        return clipLoss(ii, ti, this.logScale, b.captionIds);
      },
      true,
      this.vars,
    )!;
    const v = loss.dataSync()[0]!;
    loss.dispose();
    if (this.logScale.dataSync()[0]! > MAX_LOG_SCALE) this.logScale.assign(tf.scalar(MAX_LOG_SCALE));
    return v;
  }

  get scale(): number {
    return Math.exp(this.logScale.dataSync()[0]!);
  }
}
