/** Node-only file helpers for model files and checkpoints (atomic directory writes). */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { deserializeModel, quantizeFloat16, serializeModel, type ModelFiles } from './io.ts';

export function writeModelDir(dir: string, files: ModelFiles): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), files.modelJson);
  writeFileSync(join(dir, 'weights.bin'), files.weightsBin);
}

export function readModelDir(dir: string): ModelFiles {
  return {
    modelJson: readFileSync(join(dir, 'model.json'), 'utf8'),
    weightsBin: new Uint8Array(readFileSync(join(dir, 'weights.bin'))),
  };
}

/** Saves a model as TF.js model.json + weights.bin; `float16` halves the bytes (shipped weights). */
export async function saveModel(dir: string, model: tf.LayersModel, metadata: Record<string, unknown> = {}, opts: { float16?: boolean } = {}): Promise<void> {
  const files = await serializeModel(model, metadata);
  writeModelDir(dir, opts.float16 ? quantizeFloat16(files) : files);
}

export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
  return deserializeModel(readModelDir(dir));
}

/**
 * Writes a directory atomically: `fill(tmp)` writes into `<dir>/tmp`, then the old
 * contents are swapped out by renames, so a kill mid-write never leaves a half checkpoint.
 */
export async function writeDirAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const scratch = join(dir, 'tmp'); // git-ignored
  const tmp = join(scratch, 'new');
  const old = join(scratch, 'old');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await fill(tmp);
  const cur = join(dir, 'current');
  if (existsSync(cur)) renameSync(cur, old);
  renameSync(tmp, cur);
  rmSync(scratch, { recursive: true, force: true });
}
