/**
 * Data-parallel GAN training on both cores, like the ε-network's (diffusion/parallel.ts): a
 * worker thread (grad-worker.ts) holds a replica of G, D and the training-only heads and
 * computes the gradients of one half of each batch while the main thread computes the
 * other's. A GAN step needs two round trips: D's (and the background critic's) gradients
 * on G's current images, then, after D has moved, G's gradients through the new D. The
 * class head C learns on the main thread alone from the whole batch (it is small and sees
 * real images only). Every loss is a batch mean, so the mean of the halves' gradients is
 * the batch's; G's batch normalisation normalises each half by its own statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { flatten, unflatten } from '../tf/flat.ts';
import { RequestWorker } from '../tf/request-worker.ts';
import type { GanConfig } from './networks.ts';
import type { GanBatch, GanLosses, GanTrainer } from './train-step.ts';

/** What the worker needs to build a trainer like the main thread's (weights come with every request). */
export interface GanWorkerInit {
  gCfg: GanConfig;
  dCfg: GanConfig;
  /** 'background': only G's background network trains (train:gan --g-trains) */
  gTrains: 'all' | 'background';
  /** the CLIP guide: the frozen image encoder's directory and the term's settings; null = off */
  guide: { encoderDir: string; logScale: number; weight: number; margin: number } | null;
  /** φ of all captions [K·64], for the guide */
  phiTable: Float32Array;
  classes: { weight: number; begin: number; groups: number[] } | null;
  critic: { weight: number; begin: number; groups: [number, number] } | null;
  shape: { weight: number } | null;
}

/** A tensor as plain data, to cross to a worker thread. */
interface PlainTensor {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

type PlainBatch = Partial<Record<keyof GanBatch, PlainTensor>>;

export interface GanGradRequest {
  phase: 'd' | 'g';
  /** every weight of the trainer's networks (networksOf), trainable or not, flattened */
  weights: Float32Array;
  batch: PlainBatch;
}

export type GanGradReply = { d: Float32Array; k: Float32Array | null; losses: Record<string, number> } | { g: Float32Array; losses: Record<string, number> } | { error: string };

/** The networks whose weights a worker mirrors, in a fixed order. */
export function networksOf(tr: GanTrainer): tf.LayersModel[] {
  return [tr.G, tr.D, ...(tr.classes ? [tr.classes.C] : []), ...(tr.critic ? [tr.critic.K] : []), ...(tr.shape ? [tr.shape.M] : [])];
}

/** All weights (trainable and not, e.g. batch-norm statistics) of `nets`, flattened. */
function flatNetworkWeights(nets: readonly tf.LayersModel[]): Float32Array {
  return flatten(nets.flatMap((n) => n.weights.map((w) => w.read())));
}

/** The inverse of flatNetworkWeights, into networks built the same way. */
export function setNetworkWeights(nets: readonly tf.LayersModel[], flat: Float32Array): void {
  const ws = nets.flatMap((n) => n.weights);
  const shapes = ws.map((w) => w.read().shape);
  const total = shapes.reduce((a, sh) => a + sh.reduce((x, y) => x * y, 1), 0);
  if (flat.length !== total) throw new Error(`weights: expected ${total} values, got ${flat.length}`);
  unflatten(flat, shapes).forEach((t, i) => {
    ws[i]!.write(t);
    t.dispose();
  });
}

function toPlain(b: GanBatch): PlainBatch {
  const out: PlainBatch = {};
  for (const [k, t] of Object.entries(b) as [keyof GanBatch, tf.Tensor | undefined][]) {
    if (!t) continue;
    out[k] = { values: t.dataSync() as Float32Array | Int32Array, shape: [...t.shape], dtype: t.dtype as 'float32' | 'int32' };
  }
  return out;
}

export function fromPlain(p: PlainBatch): GanBatch {
  const out: Partial<Record<keyof GanBatch, tf.Tensor>> = {};
  for (const [k, v] of Object.entries(p) as [keyof GanBatch, PlainTensor][]) out[k] = tf.tensor(v.values, v.shape, v.dtype);
  return out as unknown as GanBatch;
}

/** Rows [from, from + n) of every tensor of the batch. */
export function sliceBatch(b: GanBatch, from: number, n: number): GanBatch {
  const out: Partial<Record<keyof GanBatch, tf.Tensor>> = {};
  for (const [k, t] of Object.entries(b) as [keyof GanBatch, tf.Tensor | undefined][]) {
    if (t) out[k] = tf.slice(t, [from], [n]);
  }
  return out as unknown as GanBatch;
}

export class GanGradWorker {
  private readonly worker: RequestWorker<GanGradRequest, Exclude<GanGradReply, { error: string }>>;

  private constructor(worker: RequestWorker<GanGradRequest, Exclude<GanGradReply, { error: string }>>) {
    this.worker = worker;
  }

  static async start(init: GanWorkerInit): Promise<GanGradWorker> {
    return new GanGradWorker(await RequestWorker.start(new URL('./grad-worker.ts', import.meta.url), init, 'GAN gradient worker'));
  }

  /** Sends the request at once; the reply arrives while the caller computes its own half. */
  gradients(req: GanGradRequest): Promise<GanGradReply> {
    return this.worker.request(req, [req.weights.buffer as ArrayBuffer]);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** The mean of two gradient lists: ours (tensors) and the worker's (flattened, same order). */
function meanOf(own: readonly tf.Tensor[], theirs: Float32Array): tf.Tensor[] {
  const other = unflatten(
    theirs,
    own.map((t) => t.shape),
  );
  const avg = own.map((t, i) => tf.tidy(() => tf.mul(tf.add(t, other[i]!), 0.5)));
  tf.dispose(other);
  return avg;
}

/**
 * One GAN step (GanTrainer.step) with the worker taking the second half of the batch.
 * Returns the batch's losses (the halves' means; the class head's on the whole batch).
 */
export async function parallelGanStep(tr: GanTrainer, worker: GanGradWorker, b: GanBatch): Promise<GanLosses> {
  const n = b.real.shape[0];
  if (n % 2 !== 0) throw new Error(`batch ${n} does not split into two halves`);
  if (tr.info || b.z2) throw new Error('data-parallel GAN training supports neither the InfoGAN term nor mode seeking');
  const h = n / 2;
  const nets = networksOf(tr);
  const [mine, theirs] = [sliceBatch(b, 0, h), sliceBatch(b, h, h)];
  const plain = toPlain(theirs);
  try {
    // D (and the background critic) on G's current images.
    const dReply = worker.gradients({ phase: 'd', weights: flatNetworkWeights(nets), batch: plain });
    const own = tr.dGradients(mine);
    const r = await dReply;
    if (!('d' in r)) throw new Error('GAN gradient worker: expected D gradients');
    const d = meanOf(own.d, r.d);
    const k = own.k && r.k ? meanOf(own.k, r.k) : null;
    tr.applyD(d, k);
    tf.dispose([...own.d, ...(own.k ?? []), ...d, ...(k ?? [])]);
    const classReal = tr.classes ? tr.classStep(b.real, b.classes!) : NaN;
    // G through the D that just moved.
    const gReply = worker.gradients({ phase: 'g', weights: flatNetworkWeights(nets), batch: plain });
    const ownG = tr.gGradients(mine);
    const rg = await gReply;
    if (!('g' in rg)) throw new Error('GAN gradient worker: expected G gradients');
    const g = meanOf(ownG.g, rg.g);
    tr.applyG(g);
    tf.dispose([...ownG.g, ...g]);
    const mean2 = (a: number, x: number | undefined) => (a + (x ?? NaN)) / 2;
    const dl = own.losses;
    const gl = ownG.losses;
    return {
      d: mean2(dl.d, r.losses.d),
      dReal: mean2(dl.dReal, r.losses.dReal),
      dWrong: mean2(dl.dWrong, r.losses.dWrong),
      dFake: mean2(dl.dFake, r.losses.dFake),
      criticD: mean2(dl.criticD, r.losses.criticD),
      classReal,
      g: mean2(gl.g, rg.losses.g),
      clip: mean2(gl.clip, rg.losses.clip),
      info: NaN,
      classFake: mean2(gl.classFake, rg.losses.classFake),
      criticG: mean2(gl.criticG, rg.losses.criticG),
      shapeD: mean2(dl.shapeD, r.losses.shapeD),
      shapeG: mean2(gl.shapeG, rg.losses.shapeG),
    };
  } finally {
    tf.dispose([...Object.values(mine), ...Object.values(theirs)] as tf.Tensor[]);
  }
}
