/**
 * The custom layers the models use. Registered with tf.serialization so that
 * tf.loadLayersModel can rebuild them: import this module before loading weights.
 */
import * as tf from '@tensorflow/tfjs';

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
