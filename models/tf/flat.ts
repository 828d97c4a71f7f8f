/** Tensors ↔ one Float32Array: how weights and gradients travel to and from a gradient worker thread. */
import * as tf from '@tensorflow/tfjs';

/** Tensors → one Float32Array (in order). */
export function flatten(ts: readonly tf.Tensor[]): Float32Array {
  const out = new Float32Array(ts.reduce((n, t) => n + t.size, 0));
  let o = 0;
  for (const t of ts) {
    out.set(t.dataSync() as Float32Array, o);
    o += t.size;
  }
  return out;
}

/** One Float32Array → tensors of `shapes` (the inverse of flatten). */
export function unflatten(buf: Float32Array, shapes: readonly (readonly number[])[]): tf.Tensor[] {
  let o = 0;
  return shapes.map((sh) => {
    const n = sh.reduce((a, b) => a * b, 1);
    const t = tf.tensor(buf.subarray(o, o + n), [...sh]);
    o += n;
    return t;
  });
}
