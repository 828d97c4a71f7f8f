/**
 * TF.js on the WASM backend in Node (training, evaluation, server-side rendering).
 * tfjs-node cannot be installed here; wasm is 60–500× faster than the cpu backend.
 * Importing this module sets the backend up once; `await initNodeWasm()` before use.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvKernels } from './wasm-kernels.ts';

let ready: Promise<typeof tf> | null = null;

export function initNodeWasm(): Promise<typeof tf> {
  ready ??= (async () => {
    registerWasmConvKernels();
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('could not initialise the TF.js wasm backend');
    await tf.ready();
    return tf;
  })();
  return ready;
}

export { tf };
