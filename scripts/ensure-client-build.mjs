// `npm start` must work on a fresh clone without a separate build step, yet not rebuild
// (≈ 30 s on two cores) when nothing the client bundles has changed since the last build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const built = join(root, 'dist/client/index.html');
// All of models/ but what the bundle never holds: the client imports the runtime, and the
// runtime imports the custom layers (models/tf) and the diffusion sampler, so a new layer
// with an old bundle would fail to load the new weights ("Unknown layer").
const sources = ['client', 'shared', 'assets', 'models', 'vite.config.ts', 'package-lock.json'];
const notBundled = new Set(['models/weights', 'models/checkpoints', 'models/samples', 'models/logs'].map((p) => join(root, p)));

function newestMtime(path) {
  if (!existsSync(path) || notBundled.has(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const changedAt = Math.max(...sources.map((s) => newestMtime(join(root, s))));
if (builtAt >= changedAt && process.argv[2] !== '--force') {
  console.log('Client build is up to date.');
} else {
  console.log('Building the client…');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, which would make Vite emit a development bundle.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  process.exit(result.status ?? 1);
}
