/**
 * Builds the model harness page (index.html + main.ts here) into dist/models-harness unless
 * that build is newer than every source it bundles. The real server serves it as its client
 * directory, with /models and /wasm as in production.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const HARNESS_DIR = join(root, 'dist/models-harness');
const SOURCES = ['bench/models-harness', 'client/ml', 'models/runtime', 'models/tf', 'models/diffusion', 'shared', 'package-lock.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((m, e) => Math.max(m, newest(join(path, e))), stat.mtimeMs);
}

export function ensureModelsHarness(force = false): string {
  const built = join(HARNESS_DIR, 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (!force && builtAt >= Math.max(...SOURCES.map((s) => newest(join(root, s))))) return HARNESS_DIR;
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle.
  const result = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(import.meta.dirname, 'vite.config.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`model harness build failed:\n${result.stdout}\n${result.stderr}`);
  return HARNESS_DIR;
}
