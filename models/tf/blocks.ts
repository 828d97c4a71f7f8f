/** Small building blocks shared by the networks (tf.layers functional API). */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '../../shared/random.ts';

export const LEAK = 0.2;

export function conv(x: tf.SymbolicTensor, filters: number, kernel: number, strides: number, name: string): tf.SymbolicTensor {
  const y = tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', name, kernelInitializer: 'glorotNormal' }).apply(x) as tf.SymbolicTensor;
  return tf.layers.leakyReLU({ alpha: LEAK, name: `${name}_act` }).apply(y) as tf.SymbolicTensor;
}

/** The 32→16→8→4 strided conv trunk used by D, the image encoder, S and the classifier. */
export function convTrunk(x: tf.SymbolicTensor, channels: readonly number[], prefix: string): tf.SymbolicTensor {
  let h = x;
  channels.forEach((c, i) => {
    h = conv(h, c, 4, 2, `${prefix}_conv${i + 1}`);
  });
  return h;
}

export function dense(x: tf.SymbolicTensor, units: number, name: string, activation: 'leaky' | 'linear' | 'tanh' = 'leaky'): tf.SymbolicTensor {
  const y = tf.layers.dense({ units, name, activation: activation === 'tanh' ? 'tanh' : 'linear', kernelInitializer: 'glorotNormal' }).apply(x) as tf.SymbolicTensor;
  if (activation !== 'leaky') return y;
  return tf.layers.leakyReLU({ alpha: LEAK, name: `${name}_act` }).apply(y) as tf.SymbolicTensor;
}

/** The tf.Variables behind a model's trainable weights (for optimizer.minimize). */
export function trainableVars(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Re-initialises every weight from a seed (tf.layers' own initialisers draw from
 * Math.random, which cannot be seeded): kernels Glorot-normal, embedding tables N(0, 0.05²)
 * (position tables N(0, 0.1²)), biases 0, and all weights of layers `zeroLayer` names 0.
 */
export function seedInit(model: tf.LayersModel, seed: number, opts: { zeroLayer?: (layer: string) => boolean } = {}): void {
  const rng = createRng(seed);
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const buf = new Float32Array(size);
    const name = w.originalName ?? w.name;
    let std = 0;
    if (opts.zeroLayer?.(name.split('/')[0] ?? '')) std = 0;
    else if (/(moving_variance|gamma)$/.test(name)) {
      buf.fill(1);
    } else if (/bias$/.test(name) || /(beta|moving_mean)$/.test(name)) std = 0;
    else if (/positions$/.test(name)) std = 0.1;
    else if (/embeddings$/.test(name)) std = 0.05;
    else if (shape.length >= 2) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = shape[shape.length - 2]! * receptive;
      const fanOut = shape[shape.length - 1]! * receptive;
      std = Math.sqrt(2 / (fanIn + fanOut));
    }
    if (std > 0) for (let i = 0; i < size; i++) buf[i] = rng.normal() * std;
    return tf.tensor(buf, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** Standard-normal noise from a seeded stream: [n, dim]. */
export function seededNormal(rng: Rng, n: number, dim: number): tf.Tensor2D {
  const buf = new Float32Array(n * dim);
  for (let i = 0; i < buf.length; i++) buf[i] = rng.normal();
  return tf.tensor2d(buf, [n, dim]);
}
