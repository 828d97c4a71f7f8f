/**
 * Data-parallel ε-network training on both cores: the main thread computes the gradients of
 * one part of each batch while a worker thread (grad-worker.ts) computes the other's; the
 * main thread averages them and applies the one Adam step (trainer.ts applyGradients). The
 * parts are equal, so the average is the whole batch's gradient. Each part draws its t, ε
 * and caption dropout from its own seeded stream, so a run is reproducible for a given
 * number of parts.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { RequestWorker } from '../tf/request-worker.ts';
import type { EpsConfig } from './network.ts';
import type { LatentNorm } from './runtime.ts';
import { epsBatchAt, unflatten, type EpsTrainer } from './trainer.ts';

export interface GradWorkerInit {
  cfg: EpsConfig;
  encoderDir: string;
  norm: LatentNorm;
  phiTable: Float32Array;
  seed: number;
  condDropout: number;
}

export interface GradRequest {
  weights: Float32Array;
  cursor: number;
  n: number;
  rngSeed: number;
}

export type GradReply = { grads: Float32Array; loss: number } | { error: string };

export class GradWorker {
  private readonly worker: RequestWorker<GradRequest, { grads: Float32Array; loss: number }>;

  private constructor(worker: RequestWorker<GradRequest, { grads: Float32Array; loss: number }>) {
    this.worker = worker;
  }

  static async start(init: GradWorkerInit): Promise<GradWorker> {
    return new GradWorker(await RequestWorker.start(new URL('./grad-worker.ts', import.meta.url), init, 'gradient worker'));
  }

  /** Sends the request at once; the reply arrives while the caller computes its own part. */
  gradients(req: GradRequest): Promise<{ grads: Float32Array; loss: number }> {
    return this.worker.request(req, [req.weights.buffer as ArrayBuffer]);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The parts of step `s`'s batch: part k is samples cursor + k·n … and its own random stream. */
export function partOf(seed: number, s: number, cursor: number, batch: number, parts: number, k: number): { cursor: number; n: number; rngSeed: number } {
  if (batch % parts !== 0) throw new Error(`batch ${batch} does not split into ${parts} equal parts`);
  const n = batch / parts;
  return { cursor: cursor + k * n, n, rngSeed: deriveSeed(seed, parts === 1 ? `eps step ${s}` : `eps step ${s} part ${k}`) };
}

/**
 * One data-parallel step: the workers take parts 1…W, the main thread part 0; the averaged
 * gradient is applied once. Returns the batch's loss and the gradient norm before clipping.
 */
export async function parallelEpsStep(
  tr: EpsTrainer,
  workers: readonly GradWorker[],
  encoder: tf.LayersModel,
  norm: LatentNorm,
  phiT: tf.Tensor2D,
  seed: number,
  s: number,
  cursor: number,
  batch: number,
): Promise<{ loss: number; gradNorm: number }> {
  const parts = workers.length + 1;
  const weights = workers.length > 0 ? tr.flatWeights() : new Float32Array(0);
  const replies = workers.map((w, i) => {
    const p = partOf(seed, s, cursor, batch, parts, i + 1);
    // Transferring a buffer detaches it: every worker but the last gets its own copy.
    return w.gradients({ weights: i === workers.length - 1 ? weights : weights.slice(), cursor: p.cursor, n: p.n, rngSeed: p.rngSeed });
  });
  const p0 = partOf(seed, s, cursor, batch, parts, 0);
  const b0 = epsBatchAt(encoder, norm, phiT, seed, p0.cursor, p0.n);
  const own = tr.gradients(b0, createRng(p0.rngSeed));
  tf.dispose([b0.z0, b0.phi]);
  const others = await Promise.all(replies);
  const shapes = tr.vars.map((v) => v.shape);
  const theirs = others.map((r) => unflatten(r.grads, shapes));
  const avg = parts === 1 ? own.grads : tf.tidy(() => own.grads.map((g, i) => tf.div(tf.addN([g, ...theirs.map((t) => t[i]!)]), parts)));
  if (parts > 1) tf.dispose([...own.grads, ...theirs.flat()]);
  const gradNorm = tr.applyGradients(avg, s);
  tf.dispose(avg);
  const loss = (own.loss + others.reduce((a, r) => a + r.loss, 0)) / parts;
  return { loss, gradNorm };
}
