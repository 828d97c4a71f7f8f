/**
 * npm run calibrate:d [-- --n 1500 --seed N --weights DIR]
 * Fits Platt scaling of the shipped discriminator's logit on the `val` split (served reals
 * against served GAN fakes, as D meets them in a round) and writes it into the
 * discriminator's model.json metadata; its weights are not touched. `npm run eval:models`
 * then judges the calibration on the `test` split (part g).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SEED } from '../data/stream.ts';
import { applyPlatt, calibrationFigures, fitPlatt } from '../eval/calibration.ts';
import { dLogits } from '../eval/d-calibration.ts';
import { loadNodeModels } from '../runtime/node.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const n = Number(opt('--n', '1500'));
const seed = Number(opt('--seed', String(DEFAULT_SEED)));
const dir = opt('--weights', join(import.meta.dirname, '../weights'));
const gan = await loadNodeModels({ dir });
process.stderr.write(`D on ${2 * n} served images of the val split…\n`);
const { logits, labels } = await dLogits(gan, 'val', n, seed);
const platt = fitPlatt(logits, labels);
const before = calibrationFigures(
  logits.map((l) => applyPlatt(l, { a: 1, b: 0 })),
  labels,
);
const after = calibrationFigures(
  logits.map((l) => applyPlatt(l, platt)),
  labels,
);
const file = join(dir, 'discriminator/model.json');
const json = JSON.parse(readFileSync(file, 'utf8')) as { userDefinedMetadata?: Record<string, unknown> };
json.userDefinedMetadata = { ...json.userDefinedMetadata, calibration: { a: platt.a, b: platt.b, fittedOn: `val split, ${2 * n} served images, seed ${seed}` } };
writeFileSync(file, JSON.stringify(json));
gan.dispose();
const f = (x: { accuracy: number; logLoss: number; ece: number }) => `accuracy ${x.accuracy.toFixed(3)}, log loss ${x.logLoss.toFixed(3)}, ECE ${x.ece.toFixed(3)}`;
console.log(`Platt a = ${platt.a.toFixed(4)}, b = ${platt.b.toFixed(4)} (written to ${file})`);
console.log(`val, before: ${f(before)}`);
console.log(`val, after:  ${f(after)}`);
