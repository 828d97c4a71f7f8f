/** Trains the evaluation-only attribute classifier on real data (sum of 7 softmax CEs). */
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../../shared/random.ts';
import { seedInit, trainableVars } from '../tf/blocks.ts';
import { ATTRIBUTES, buildClassifier, type AttributeName } from './network.ts';
import type { AttributeLabels } from '../data/stream.ts';

const CLASSIFIER_LR = 1e-3;

export function labelTensors(labels: readonly AttributeLabels[]): tf.Tensor1D[] {
  return ATTRIBUTES.map((a) =>
    tf.tensor1d(
      labels.map((l) => l[a]),
      'int32',
    ),
  );
}

export class ClassifierTrainer {
  readonly net = buildClassifier();
  readonly opt: tf.AdamOptimizer;
  private readonly vars: tf.Variable[];

  constructor(seed: number, lr = CLASSIFIER_LR) {
    seedInit(this.net, deriveSeed(seed, 'init classifier'));
    this.opt = tf.train.adam(lr) as tf.AdamOptimizer;
    this.vars = trainableVars(this.net);
  }

  step(images: tf.Tensor4D, labels: tf.Tensor1D[]): number {
    const loss = this.opt.minimize(
      () => {
        const outs = this.net.apply(images) as tf.Tensor2D[];
        const terms = outs.map((o, k) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels[k]!, o.shape[1]), o));
        return tf.addN(terms) as tf.Scalar;
      },
      true,
      this.vars,
    )!;
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }
}

/** Class predictions per attribute for a batch of images in [−1, 1]. */
export function classify(net: tf.LayersModel, images: tf.Tensor4D, chunk = 256): Record<AttributeName, Int32Array> {
  const out = Object.fromEntries(ATTRIBUTES.map((a) => [a, new Int32Array(images.shape[0])])) as Record<AttributeName, Int32Array>;
  for (let i = 0; i < images.shape[0]; i += chunk) {
    const n = Math.min(chunk, images.shape[0] - i);
    tf.tidy(() => {
      const outs = net.predict(images.slice([i, 0, 0, 0], [n, -1, -1, -1])) as tf.Tensor2D[];
      outs.forEach((o, k) => out[ATTRIBUTES[k]!].set(tf.argMax(o, 1).dataSync() as Int32Array, i));
    });
  }
  return out;
}
