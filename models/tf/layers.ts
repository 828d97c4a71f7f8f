/**
 * The custom layers the models use. Registered with tf.serialization so that
 * tf.loadLayersModel can rebuild them: import this module before loading weights.
 */
import * as tf from '@tensorflow/tfjs';

export * from './layout-layers.ts';

/** Adds a learned embedding per position to a [B, T, D] sequence. */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'PositionEmbedding';
  private table: tf.LayerVariable | null = null;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = inputShape as tf.Shape;
    this.table = this.addWeight('positions', [s[1]!, s[2]!], 'float32', tf.initializers.randomNormal({ stddev: 0.1 }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.add(x, this.table!.read());
    });
  }

  override getClassName(): string {
    return PositionEmbedding.className;
  }
}

/** Scales each row of a [B, D] tensor to unit L2 norm. */
export class L2Normalize extends tf.layers.Layer {
  static className = 'L2Normalize';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12)));
    });
  }

  override getClassName(): string {
    return L2Normalize.className;
  }
}

/**
 * [h: B×H×W×C, v: B×C] → h + v broadcast over H×W: a per-image, per-channel bias (how G's
 * feature maps hear the caption again; cheaper on wasm than tiling it and concatenating).
 */
export class ChannelBias extends tf.layers.Layer {
  static className = 'ChannelBias';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [h, v] = inputs as tf.Tensor[];
      return tf.add(h!, tf.reshape(v!, [v!.shape[0]!, 1, 1, v!.shape[1]!]));
    });
  }

  override getClassName(): string {
    return ChannelBias.className;
  }
}

tf.serialization.registerClass(ChannelBias);
tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(L2Normalize);

/**
 * Minibatch standard deviation (Karras et al. 2018, ProGAN): appends one channel holding how
 * much the images of a group differ, so D can tell a collapsed G (every z → one image) from
 * real data. Groups are CONSECUTIVE runs of `groupSize` images: the trainer stacks real,
 * mismatched and fake images as separate blocks of a multiple of the group size, so a group
 * never mixes them (ProGAN's strided grouping would).
 * Only while training (kwargs.training) does the channel come from the batch. At inference
 * it is the constant `calibrated` (the mean group std of real images, set by the trainer), so
 * D's verdict on one image never depends on the other images it was batched with.
 */
export class MinibatchStd extends tf.layers.Layer {
  static className = 'MinibatchStd';
  readonly groupSize: number;
  private calibrated: tf.LayerVariable | null = null;

  constructor(args: { groupSize: number; name?: string }) {
    super(args);
    this.groupSize = args.groupSize;
  }

  override build(): void {
    this.calibrated = this.addWeight('calibrated_std', [1], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0]!, s[1]!, s[2]!, s[3]! + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [b, h, w] = x.shape;
      const per = kwargs.training === true ? MinibatchStd.groupStd(x, this.groupSize) : tf.tile(tf.reshape(this.calibrated!.read(), [1]), [b]);
      const channel = tf.tile(tf.reshape(per, [b, 1, 1, 1]), [1, h, w, 1]);
      return tf.concat([x, channel], 3);
    });
  }

  /** [B] — each image's group's mean (over positions and channels) standard deviation. */
  static groupStd(x: tf.Tensor4D, groupSize: number): tf.Tensor1D {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape;
      if (b % groupSize !== 0) throw new Error(`MinibatchStd: batch ${b} is not a multiple of the group size ${groupSize}`);
      const g = tf.reshape(x, [b / groupSize, groupSize, h, w, c]);
      const centred = tf.sub(g, tf.mean(g, 1, true));
      const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1), 1e-8)); // [M, H, W, C]
      const s = tf.mean(std, [1, 2, 3]); // [M]
      return tf.reshape(tf.tile(tf.reshape(s, [-1, 1]), [1, groupSize]), [b]) as tf.Tensor1D;
    });
  }

  /** Sets the inference constant (see the class comment). */
  calibrate(value: number): void {
    const t = tf.tensor1d([value]);
    this.calibrated!.write(t);
    t.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groupSize: this.groupSize };
  }

  override getClassName(): string {
    return MinibatchStd.className;
  }
}

tf.serialization.registerClass(MinibatchStd);
