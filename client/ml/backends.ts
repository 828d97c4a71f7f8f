/**
 * TF.js backends in the browser. Registers webgpu, webgl, wasm and cpu, measures a short
 * generator-shaped warm-up on each one that starts, and keeps the fastest: on a machine
 * without a GPU the GPU backends run on a software emulator and lose to wasm, so measuring
 * beats guessing. A backend that fails to start is left out with its reason; the rest still
 * compete. Heavy (imports TF.js): load it with `import()`.
 */
import * as tf from '@tensorflow/tfjs'; // brings webgl and cpu
import '@tensorflow/tfjs-backend-webgpu'; // registers itself only where navigator.gpu exists
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { chooseBackend } from '../../models/runtime/latent-models.ts';
import { registerWasmConvKernels } from '../../models/tf/wasm-kernels.ts';

const BACKEND_NAMES = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** The server serves tfjs-backend-wasm's binaries here (server/http/routes.ts). */
const WASM_PATH = '/wasm/';
const CACHE_KEY = 'latent-arena:tf-backend';
const CACHE_DAYS = 7;

export interface BackendReport {
  /** the backend now active */
  chosen: string;
  /** warm-up median per backend that ran, in ms (from the cache when `cached`); may include a failed one */
  timingsMs: Record<string, number>;
  /** backends left out, with the reason */
  failed: Record<string, string>;
  /** true when a measurement from an earlier visit was reused */
  cached: boolean;
}

let setUp = false;
function setUpOnce(): void {
  if (setUp) return;
  setUp = true;
  setWasmPaths(WASM_PATH);
  // conv2dTranspose (the generator's up-sampling) is a slow scalar loop in tfjs-backend-wasm 4.22.
  registerWasmConvKernels();
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Makes `name` the active backend; throws with the reason when it cannot start. */
export async function useBackend(name: string): Promise<void> {
  setUpOnce();
  if (tf.findBackendFactory(name) === null) throw new Error(`${name} is not available in this browser`);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`${name} failed to initialise`);
  await tf.ready();
}

/**
 * The runtime reads results synchronously (dataSync). Some backends answer that with wrong
 * values (tfjs-backend-webgpu 4.22's canvas read-back returns zeros on SwiftShader), so the
 * active backend must give the same numbers synchronously as asynchronously.
 */
export async function syncReadbackWorks(): Promise<boolean> {
  const probe = () =>
    tf.tidy(() => {
      const x = tf.reshape(tf.div(tf.range(1, 1 + 2 * 4 * 4 * 8), 50), [2, 4, 4, 8]) as tf.Tensor4D;
      const w = tf.reshape(tf.div(tf.range(0, 4 * 4 * 3 * 8), -90), [4, 4, 3, 8]) as tf.Tensor4D;
      return tf.tanh(tf.conv2dTranspose(x, w, [2, 8, 8, 3], 2, 'same'));
    });
  const a = probe();
  const b = probe();
  try {
    const async = await a.data(); // first: a broken synchronous read can lose the GPU device
    const sync = b.dataSync();
    let max = 0;
    for (let i = 0; i < async.length; i++) max = Math.max(max, Math.abs(async[i]! - sync[i]!));
    return async.some((v) => Math.abs(v) > 1e-3) && max < 1e-3;
  } catch {
    return false;
  } finally {
    a.dispose();
    b.dispose();
  }
}

function readCache(): BackendReport | null {
  try {
    const raw = localStorage.getItem(CACHE_KEY);
    if (!raw) return null;
    const c = JSON.parse(raw) as { at: number; ua: string; report: BackendReport };
    if (c.ua !== navigator.userAgent || Date.now() - c.at > CACHE_DAYS * 86_400_000) return null;
    return { ...c.report, cached: true };
  } catch {
    return null;
  }
}

function writeCache(report: BackendReport): void {
  try {
    localStorage.setItem(CACHE_KEY, JSON.stringify({ at: Date.now(), ua: navigator.userAgent, report }));
  } catch {
    // private mode or storage full: measure again next time
  }
}

export interface PickOptions {
  candidates?: readonly string[];
  /** warm runs per backend (the median counts); the first, cold run is not counted */
  reps?: number;
  /** ignore a measurement cached by an earlier visit */
  fresh?: boolean;
  /** free the GPU contexts of the losers (Phaser needs its own WebGL context) */
  releaseLosers?: boolean;
}

let picked: Promise<BackendReport> | null = null;

/** Measures every candidate once per page (and reuses the result for a week per browser). */
export function pickBackend(options: PickOptions = {}): Promise<BackendReport> {
  picked ??= measure(options).catch((error: unknown) => {
    picked = null;
    throw error;
  });
  return picked;
}

async function measure({ candidates = BACKEND_NAMES, reps = 2, fresh = false, releaseLosers = true }: PickOptions): Promise<BackendReport> {
  const cached = fresh ? null : readCache();
  if (cached && candidates.includes(cached.chosen)) {
    try {
      await useBackend(cached.chosen);
      return cached;
    } catch {
      // the remembered backend no longer starts: measure again
    }
  }
  const timingsMs: Record<string, number> = {};
  const failed: Record<string, string> = {};
  for (const name of candidates) {
    try {
      await useBackend(name);
      const { timingsMs: t } = await chooseBackend([name], reps);
      if (t[name] === undefined) throw new Error(`${name} could not run the warm-up`);
      timingsMs[name] = t[name];
      // After timing (kept for the report): a broken synchronous read can lose the device.
      if (!(await syncReadbackWorks())) throw new Error(`${name} returns wrong values when read synchronously`);
    } catch (error) {
      failed[name] = reason(error);
    }
  }
  const ranked = Object.entries(timingsMs)
    .filter(([name]) => !(name in failed))
    .sort((a, b) => a[1] - b[1]);
  if (ranked.length === 0)
    throw new Error(
      `no TF.js backend could run (${Object.entries(failed)
        .map(([n, r]) => `${n}: ${r}`)
        .join('; ')})`,
    );
  const chosen = ranked[0]![0];
  await useBackend(chosen);
  if (releaseLosers) {
    for (const name of candidates) {
      if (name === chosen || (name !== 'webgl' && name !== 'webgpu') || tf.findBackendFactory(name) === null) continue;
      try {
        tf.removeBackend(name);
      } catch {
        // a lost device may fail to dispose: nothing more to free
      }
    }
  }
  const report: BackendReport = { chosen, timingsMs, failed, cached: false };
  writeCache(report);
  return report;
}
