/**
 * npm run eval:models [-- --n 1000 --served-n 400 --seed N --weights DIR]
 * Prints the evaluation table of the shipped weights (models/weights/, or DIR laid out the
 * same way, to compare candidates), with (f) the pixel statistics of served reals against
 * served fakes, (g) the calibrated neural D, and exits non-zero when a figure falls below its bar.
 */
import { evaluateModels, formatTable, EVAL_DEFAULTS } from './evaluate.ts';
import { evaluateServedImages } from './served-images.ts';
import { evaluateDCalibration } from './d-calibration.ts';
import { loadNodeModels } from '../runtime/node.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const t0 = performance.now();
const weightsAt = argv.indexOf('--weights');
const weightsDir = weightsAt >= 0 ? argv[weightsAt + 1] : undefined;
if (weightsAt >= 0 && !weightsDir) throw new Error('--weights needs a directory');
const progress = (s: string) => process.stderr.write(`${s} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
const seed = opt('--seed', EVAL_DEFAULTS.seed);
const rows = [
  ...(await evaluateModels({ n: opt('--n', EVAL_DEFAULTS.n), seed, ...(weightsDir ? { weightsDir } : {}) }, progress)),
  ...(await evaluateServedImages({ n: opt('--served-n', 400), seed, weightsDir: weightsDir ?? EVAL_DEFAULTS.weightsDir }, progress)),
];
{
  const gan = await loadNodeModels({ dir: weightsDir ?? EVAL_DEFAULTS.weightsDir });
  rows.push(...(await evaluateDCalibration(gan, { n: opt('--d-n', 1000), seed })));
  gan.dispose();
  progress('(g) calibrated D done');
}
console.log(formatTable(rows));
const failed = rows.filter((r) => !r.pass);
console.log(
  failed.length === 0
    ? `\nall bars hold (${((performance.now() - t0) / 1000).toFixed(1)} s)`
    : `\n${failed.length} figure(s) below their bar: ${failed.map((r) => r.metric.trim()).join('; ')}`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
