/**
 * Shared plumbing of the training CLIs: arguments, progress lines, checkpoints
 * (weights + optimizer state + step + data cursor, written atomically), sample grids.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import * as tf from '@tensorflow/tfjs';
import { deserializeModel, deserializeTensors, serializeModel } from '../tf/io.ts';
import { loadModel, writeDirAtomic } from '../tf/fs.ts';
import { DEFAULT_SEED } from '../data/stream.ts';

export const MODELS_DIR = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

export interface TrainArgs {
  seed: number;
  fresh: boolean;
  steps: number | null;
  /** seconds between checkpoints */
  checkpointEvery: number;
  /** write under this directory instead of models/ (tests) */
  root: string;
  quiet: boolean;
  /** model-specific options (--name value), only those the caller allows */
  options: Record<string, string>;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2), allowed: readonly string[] = []): TrainArgs {
  const args: TrainArgs = { seed: DEFAULT_SEED, fresh: false, steps: null, checkpointEvery: 180, root: MODELS_DIR, quiet: false, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--seed') args.seed = Number(next());
    else if (a === '--fresh') args.fresh = true;
    else if (a === '--steps') args.steps = Number(next());
    else if (a === '--checkpoint-every') args.checkpointEvery = Number(next());
    else if (a === '--root') args.root = next();
    else if (a === '--quiet') args.quiet = true;
    else if (allowed.includes(a.replace(/^--/, ''))) args.options[a.replace(/^--/, '')] = next();
    else if (a === '--help') {
      console.log(`options: --seed N  --fresh  --steps N  --checkpoint-every SECONDS  --root DIR ${allowed.map((o) => `--${o} V`).join(' ')}`);
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isInteger(args.seed)) throw new Error('--seed must be an integer');
  return args;
}

// ---- progress ------------------------------------------------------------------------

export class Progress {
  private readonly t0 = performance.now();
  private readonly startStep: number;
  private readonly total: number;
  private readonly name: string;
  private readonly quiet: boolean;

  constructor(name: string, startStep: number, total: number, quiet = false) {
    this.name = name;
    this.startStep = startStep;
    this.total = total;
    this.quiet = quiet;
  }

  line(step: number, values: Record<string, number>): string {
    const dt = (performance.now() - this.t0) / 1000;
    const done = step - this.startStep;
    const rate = done > 0 ? done / dt : 0;
    const eta = rate > 0 ? (this.total - step) / rate : NaN;
    const vals = Object.entries(values)
      .map(([k, v]) => `${k}=${Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toFixed(4)}`)
      .join(' ');
    const s = `[${this.name}] step ${step}/${this.total} ${vals} | ${rate.toFixed(2)} steps/s, ${(1000 / Math.max(rate, 1e-9)).toFixed(0)} ms/step, elapsed ${fmt(dt)}, ETA ${Number.isFinite(eta) ? fmt(eta) : '?'}`;
    if (!this.quiet) console.log(s);
    return s;
  }
}

export function fmt(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

// ---- checkpoints -----------------------------------------------------------------------

export interface CheckpointState {
  step: number;
  /** index of the next real sample in the training stream */
  cursor: number;
  seed: number;
  /** anything else a trainer needs (e.g. the CLIP logit scale) */
  extra: Record<string, unknown>;
  savedAt: string;
  elapsedSeconds: number;
}

export function checkpointDir(root: string, model: string): string {
  return join(root, 'checkpoints', model);
}

export async function saveCheckpoint(
  root: string,
  model: string,
  nets: Record<string, tf.LayersModel>,
  optimizers: Record<string, tf.Optimizer>,
  state: CheckpointState,
): Promise<void> {
  await writeDirAtomic(checkpointDir(root, model), async (tmp) => {
    for (const [name, net] of Object.entries(nets)) {
      const f = await serializeModel(net);
      writeFileSync(join(tmp, `${name}.json`), f.modelJson);
      writeFileSync(join(tmp, `${name}.bin`), f.weightsBin);
    }
    for (const [name, opt] of Object.entries(optimizers)) {
      const { specs, data } = encodeBf16(await opt.getWeights());
      writeFileSync(join(tmp, `${name}.opt.json`), JSON.stringify(specs));
      writeFileSync(join(tmp, `${name}.opt.bin`), data);
    }
    writeFileSync(join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  });
}

/**
 * Optimizer state (Adam moments) is stored as bfloat16 — the upper 16 bits of each float32,
 * rounded — which keeps float32's exponent range (second moments are ~1e-10) at 8 bits of
 * mantissa, and shrinks checkpoints by a third so they can be committed.
 */
interface Bf16Spec {
  name: string;
  shape: number[];
  encoding: 'bf16' | 'f32';
}

function encodeBf16(named: { name: string; tensor: tf.Tensor }[]): { specs: Bf16Spec[]; data: Uint8Array } {
  // Scalars (Adam's iteration count) stay float32: written as two 16-bit halves.
  const parts = named.map((n) => {
    const u32 = new Uint32Array(Float32Array.from(n.tensor.dataSync() as Float32Array).buffer);
    if (u32.length < 16) return new Uint16Array(u32.buffer.slice(0));
    const out = new Uint16Array(u32.length);
    for (let i = 0; i < u32.length; i++) {
      const x = u32[i]!;
      out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16; // round to nearest even
    }
    return out;
  });
  const all = new Uint16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const specs = named.map((n): Bf16Spec => ({ name: n.name, shape: n.tensor.shape, encoding: n.tensor.size < 16 ? 'f32' : 'bf16' }));
  return { specs, data: new Uint8Array(all.buffer) };
}

function decodeBf16(specs: Bf16Spec[], data: Uint8Array): { name: string; tensor: tf.Tensor }[] {
  const u16 = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  let o = 0;
  return specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    let f: Float32Array;
    if (s.encoding === 'f32') {
      f = new Float32Array(u16.slice(o, o + 2 * size).buffer);
      o += 2 * size;
    } else {
      const u32 = new Uint32Array(size);
      for (let i = 0; i < size; i++) u32[i] = u16[o + i]! << 16;
      f = new Float32Array(u32.buffer);
      o += size;
    }
    return { name: s.name, tensor: tf.tensor(f, s.shape) };
  });
}

export function hasCheckpoint(root: string, model: string): boolean {
  return existsSync(join(checkpointDir(root, model), 'current', 'state.json'));
}

export function clearCheckpoint(root: string, model: string): void {
  rmSync(checkpointDir(root, model), { recursive: true, force: true });
}

/** The checkpoint's state (step, seed, extra) without loading any weights. */
export function readCheckpointState(root: string, model: string): CheckpointState {
  return JSON.parse(readFileSync(join(checkpointDir(root, model), 'current', 'state.json'), 'utf8')) as CheckpointState;
}

/** Copies the checkpoint's weights into `nets` and its state into `optimizers`; returns the state. */
export async function loadCheckpoint(root: string, model: string, nets: Record<string, tf.LayersModel>, optimizers: Record<string, tf.Optimizer>): Promise<CheckpointState> {
  const dir = join(checkpointDir(root, model), 'current');
  for (const [name, net] of Object.entries(nets)) {
    const { model: saved } = await deserializeModel({
      modelJson: readFileSync(join(dir, `${name}.json`), 'utf8'),
      weightsBin: new Uint8Array(readFileSync(join(dir, `${name}.bin`))),
    });
    net.setWeights(saved.getWeights());
    saved.dispose();
  }
  for (const [name, opt] of Object.entries(optimizers)) {
    const specs = JSON.parse(readFileSync(join(dir, `${name}.opt.json`), 'utf8')) as (tf.io.WeightsManifestEntry | Bf16Spec)[];
    const bytes = new Uint8Array(readFileSync(join(dir, `${name}.opt.bin`)));
    const tensors = specs.some((x) => 'encoding' in x) ? decodeBf16(specs as Bf16Spec[], bytes) : deserializeTensors(specs as tf.io.WeightsManifestEntry[], bytes);
    await opt.setWeights(tensors);
  }
  return readCheckpointState(root, model);
}

/** The run name that stands for the shipped weights (models/weights/) in copyMatchingLayers. */
export const SHIPPED_RUN = 'shipped';

/** Checkpoint net names → the shipped weights' directories (the shipped G is the weight average). */
const SHIPPED_NETS: Readonly<Record<string, string>> = { generator_ema: 'generator', discriminator: 'discriminator' };

/**
 * Starts `nets` from another run's checkpoint, or from the shipped weights (fromRun
 * SHIPPED_RUN): each layer whose name is in the saved net and whose weights have the same
 * shapes is copied; the others keep their weights. Returns a one-line account
 * ("generator_ema: 25 layers copied, new: bg_fc; …").
 */
export async function copyMatchingLayers(root: string, fromRun: string, nets: Record<string, tf.LayersModel>): Promise<string> {
  const shipped = fromRun === SHIPPED_RUN;
  const dir = shipped ? join(root, 'weights') : join(checkpointDir(root, fromRun), 'current');
  if (!existsSync(dir)) throw new Error(`no checkpoint of run ${fromRun} to start from (${dir})`);
  const parts: string[] = [];
  for (const [name, net] of Object.entries(nets)) {
    const shippedDir = shipped && SHIPPED_NETS[name] ? join(dir, SHIPPED_NETS[name]) : null;
    const file = shippedDir ? join(shippedDir, 'model.json') : join(dir, `${name}.json`);
    if ((shipped && !shippedDir) || !existsSync(file)) {
      parts.push(`${name}: not in ${fromRun}, all new`);
      continue;
    }
    const saved = shippedDir
      ? (await loadModel(shippedDir)).model
      : (await deserializeModel({ modelJson: readFileSync(file, 'utf8'), weightsBin: new Uint8Array(readFileSync(join(dir, `${name}.bin`))) })).model;
    const fresh: string[] = [];
    let copied = 0;
    for (const layer of net.layers) {
      const mine = layer.getWeights();
      if (mine.length === 0) continue;
      const theirs = saved.layers.find((l) => l.name === layer.name)?.getWeights();
      if (theirs && theirs.length === mine.length && theirs.every((w, i) => tf.util.arraysEqual(w.shape, mine[i]!.shape))) {
        layer.setWeights(theirs);
        copied++;
      } else fresh.push(layer.name);
    }
    saved.dispose();
    parts.push(`${name}: ${copied} layers copied${fresh.length ? `, new: ${fresh.join(' ')}` : ''}`);
  }
  return parts.join('; ');
}

// ---- sample grids ----------------------------------------------------------------------

/** Writes RGB 32×32 images as a PNG grid (scale× nearest-neighbour, 2-px gaps). */
export function writeGrid(path: string, images: readonly Uint8Array[], cols: number, scale = 2, size = 32): void {
  const rows = Math.ceil(images.length / cols);
  const gap = 2;
  const cell = size * scale + gap;
  const w = cols * cell + gap;
  const h = rows * cell + gap;
  const data = new Uint8Array(w * h * 3).fill(255);
  images.forEach((img, k) => {
    const ox = gap + (k % cols) * cell;
    const oy = gap + Math.floor(k / cols) * cell;
    for (let y = 0; y < size * scale; y++) {
      for (let x = 0; x < size * scale; x++) {
        const si = (Math.floor(y / scale) * size + Math.floor(x / scale)) * 3;
        const di = ((oy + y) * w + ox + x) * 3;
        data[di] = img[si]!;
        data[di + 1] = img[si + 1]!;
        data[di + 2] = img[si + 2]!;
      }
    }
  });
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, encode({ width: w, height: h, data, channels: 3, depth: 8 }));
}

/** Keeps only the newest `keep` step-*.png files in a samples directory. */
/** Keeps the `keep` grids written last (by time: a --fresh run's early steps must not lose to an old run's later ones). */
export function pruneSamples(dir: string, keep = 4): void {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir)
    .filter((f) => /^step-\d+\.png$/.test(f))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => a.t - b.t || a.f.localeCompare(b.f))
    .map(({ f }) => f);
  for (const f of files.slice(0, Math.max(0, files.length - keep))) rmSync(join(dir, f));
}

export function samplePath(root: string, model: string, step: number): string {
  return join(root, 'samples', model, `step-${String(step).padStart(5, '0')}.png`);
}

/** The training loop skeleton: resume, step, log, checkpoint on a timer and at the end. */
interface LoopHooks {
  total: number;
  step: (step: number) => Record<string, number> | Promise<Record<string, number>>;
  logEvery: number;
  sampleEvery: number;
  writeSamples: (step: number) => void | Promise<void>;
  checkpoint: (step: number, elapsed: number) => Promise<void>;
}

export async function runLoop(name: string, startStep: number, prevElapsed: number, args: TrainArgs, hooks: LoopHooks): Promise<number> {
  const progress = new Progress(name, startStep, hooks.total, args.quiet);
  const t0 = performance.now();
  let lastCkpt = performance.now();
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let step = startStep;
  const elapsed = () => prevElapsed + (performance.now() - t0) / 1000;
  try {
    while (step < hooks.total && !stop) {
      // Yield to the event loop so SIGINT/SIGTERM handlers can run (a step's own work is synchronous).
      await new Promise<void>((r) => setImmediate(r));
      const values = await hooks.step(step);
      step++;
      if (step % hooks.logEvery === 0 || step === hooks.total) progress.line(step, values);
      if (step % hooks.sampleEvery === 0 || step === hooks.total) await hooks.writeSamples(step);
      if ((performance.now() - lastCkpt) / 1000 >= args.checkpointEvery) {
        await hooks.checkpoint(step, elapsed());
        lastCkpt = performance.now();
      }
    }
    await hooks.checkpoint(step, elapsed());
    if (stop && !args.quiet) console.log(`[${name}] stopped at step ${step}; checkpoint written, run again to resume`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return step;
}

/** Adam's learning rate is a protected field in the typings but a plain property at runtime. */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}
