import { describe, expect, it } from 'vitest';
import { initNodeWasm, tf } from '../../models/tf/node-wasm.ts';

type Case = { x: [number, number, number, number]; k: [number, number]; co: number; s: number | [number, number]; pad: 'same' | 'valid' | number };

const cases: Case[] = [
  { x: [2, 8, 8, 3], k: [3, 3], co: 4, s: 1, pad: 'same' },
  { x: [2, 8, 8, 3], k: [4, 4], co: 5, s: 2, pad: 'same' },
  { x: [3, 9, 7, 2], k: [3, 3], co: 4, s: 2, pad: 'same' },
  { x: [2, 9, 9, 3], k: [5, 3], co: 2, s: [2, 1], pad: 'valid' },
  { x: [1, 10, 10, 4], k: [4, 4], co: 3, s: 2, pad: 1 },
  { x: [2, 7, 7, 2], k: [1, 1], co: 3, s: 3, pad: 'valid' },
  // (kernel < stride is left out: wasm's own forward Conv2D returns zeros there.)
  { x: [2, 9, 9, 3], k: [3, 3], co: 3, s: 3, pad: 'same' },
  { x: [4, 16, 16, 8], k: [4, 4], co: 16, s: 2, pad: 'same' },
];

function relErr(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}

async function grads(c: Case, seed: number): Promise<Float32Array[]> {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D;
  const w = tf.randomNormal([c.k[0], c.k[1], c.x[3], c.co], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
  const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => tf.sum(tf.square(tf.conv2d(xx, ww, c.s, c.pad, 'NHWC', 1, typeof c.pad === 'number' ? 'floor' : undefined)));
  const g = tf.grads(f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor);
  const [dx, dw] = g([x, w]);
  // conv2dTranspose forward (Conv2DBackpropInput as a forward op)
  const y = tf.conv2d(x, w, c.s, c.pad, 'NHWC', 1, typeof c.pad === 'number' ? 'floor' : undefined);
  const t = tf.conv2dTranspose(y as tf.Tensor4D, w, c.x, c.s, c.pad, typeof c.pad === 'number' ? 'floor' : undefined);
  const out = [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array, t.dataSync() as Float32Array];
  tf.dispose([x, w, dx!, dw!, y, t]);
  return out;
}

describe('wasm conv-gradient kernels', () => {
  it('match the cpu backend within 1e-4 relative error', async () => {
    await initNodeWasm();
    for (const [i, c] of cases.entries()) {
      await tf.setBackend('cpu');
      const ref = await grads(c, 100 + i);
      await tf.setBackend('wasm');
      const got = await grads(c, 100 + i);
      for (let j = 0; j < 3; j++) {
        expect(got[j]!.length).toBe(ref[j]!.length);
        expect(relErr(got[j]!, ref[j]!), `case ${i} output ${j}`).toBeLessThan(1e-4);
      }
    }
  });
  it('do not leak tensors', async () => {
    await initNodeWasm();
    await tf.setBackend('wasm');
    const c = cases[1]!;
    await grads(c, 1);
    const before = tf.memory().numTensors;
    await grads(c, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
