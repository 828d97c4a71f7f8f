/**
 * npm run eval:diffusion [-- --n 256 --n-ddpm 32 --seed N --only ddim50,ddim50-w0]
 * Prints the diffusion model's evaluation table (models/weights/diffusion-*) and exits
 * non-zero when a figure falls below its bar.
 */
import { DIFFUSION_EVAL_DEFAULTS, evaluateDiffusion, formatDiffusionTable } from './diffusion-evaluate.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const onlyIdx = argv.indexOf('--only');
const t0 = performance.now();
const rows = await evaluateDiffusion(
  {
    n: opt('--n', DIFFUSION_EVAL_DEFAULTS.n),
    nDdpm: opt('--n-ddpm', DIFFUSION_EVAL_DEFAULTS.nDdpm),
    seed: opt('--seed', DIFFUSION_EVAL_DEFAULTS.seed),
    only: onlyIdx >= 0 ? argv[onlyIdx + 1]!.split(',') : null,
  },
  (s) => process.stderr.write(`${s} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`),
);
console.log(formatDiffusionTable(rows));
const failed = rows.filter((r) => !r.pass);
console.log(
  failed.length === 0
    ? `\nall bars hold (${((performance.now() - t0) / 1000).toFixed(1)} s)`
    : `\n${failed.length} figure(s) below their bar: ${failed.map((r) => r.config.id).join('; ')}`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
