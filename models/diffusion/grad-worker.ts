/**
 * A worker thread that computes ε-network gradients on its part of each batch, so a training
 * run uses both cores: TF.js turns wasm multithreading off under Node, so one process runs
 * its kernels on one core. Each worker has its own wasm instance and a replica of the
 * network; the main thread sends the current weights with every request (1.6–4.3 MB,
 * transferred, not copied) and averages the replies (parallel.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { loadModel } from '../tf/fs.ts';
import { trainableVars } from '../tf/blocks.ts';
import { linearSchedule } from '../../shared/diffusion/index.ts';
import { createRng } from '../../shared/random.ts';
import { TRAIN_T, buildEpsNet } from './network.ts';
import { epsBatchAt, epsGradients, flatten, unflatten } from './trainer.ts';
import type { GradReply, GradRequest, GradWorkerInit } from './parallel.ts';

const init = workerData as GradWorkerInit;
await initNodeWasm();
const net = buildEpsNet(init.cfg);
const vars = trainableVars(net);
const { model: encoder } = await loadModel(init.encoderDir);
const phiT = tf.tensor2d(init.phiTable, [init.phiTable.length / 64, 64]);
const schedule = linearSchedule(TRAIN_T);

const shapes = vars.map((v) => v.shape);
const weightCount = vars.reduce((n, v) => n + v.size, 0);

function setWeights(flat: Float32Array): void {
  if (flat.length !== weightCount) throw new Error(`weights: expected ${weightCount} values, got ${flat.length}`);
  unflatten(flat, shapes).forEach((t, i) => {
    vars[i]!.assign(t);
    t.dispose();
  });
}

parentPort!.on('message', (req: GradRequest) => {
  try {
    setWeights(req.weights);
    const batch = epsBatchAt(encoder, init.norm, phiT, init.seed, req.cursor, req.n);
    const { loss, grads } = epsGradients(net, vars, schedule, init.condDropout, batch, createRng(req.rngSeed));
    const flat = flatten(grads);
    tf.dispose([batch.z0, batch.phi, ...grads]);
    const reply: GradReply = { grads: flat, loss };
    parentPort!.postMessage(reply, [flat.buffer as ArrayBuffer]);
  } catch (e) {
    const reply: GradReply = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    parentPort!.postMessage(reply);
  }
});
parentPort!.postMessage({ ready: true });
