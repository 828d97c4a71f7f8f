/**
 * Node side of the runtime (server-side rendering, evaluation, tests): the wasm backend and a
 * file-system weights loader over models/weights/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initNodeWasm } from '../tf/node-wasm.ts';
import { loadLatentModels, type LatentModels, type LoadProgress } from './latent-models.ts';
import type { WeightsLoader } from './weights-loader.ts';

export const WEIGHTS_DIR = new URL('../weights', import.meta.url).pathname;

export function fileLoader(dir = WEIGHTS_DIR): WeightsLoader {
  return async (path) => new Uint8Array(await readFile(join(dir, path)));
}

/** A text progress bar for terminals. */
function printProgress(p: LoadProgress): void {
  const w = 24;
  const filled = Math.round(p.fraction * w);
  process.stderr.write(
    `\rloading models [${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}% ${p.model.padEnd(14)}${p.fraction >= 1 ? '\n' : ''}`,
  );
}

export async function loadNodeModels(opts: { dir?: string; progress?: boolean } = {}): Promise<LatentModels> {
  await initNodeWasm();
  return loadLatentModels(fileLoader(opts.dir), opts.progress ? printProgress : undefined);
}
