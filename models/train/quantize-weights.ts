/**
 * node models/train/quantize-weights.ts NAME... — re-encodes shipped weights
 * (models/weights/NAME/) as float16 in place, skipping any already quantized.
 */
import { join } from 'node:path';
import { readModelDir, writeModelDir } from '../tf/fs.ts';
import { quantizeFloat16 } from '../tf/io.ts';
import { WEIGHTS_DIR } from '../runtime/node.ts';

for (const name of process.argv.slice(2)) {
  const dir = join(WEIGHTS_DIR, name);
  const files = readModelDir(dir);
  if (files.modelJson.includes('"quantization"')) {
    console.log(`${name}: already float16`);
    continue;
  }
  const q = quantizeFloat16(files);
  writeModelDir(dir, q);
  console.log(`${name}: ${files.weightsBin.length} → ${q.weightsBin.length} bytes`);
}
