/** Prints each shipped model's parameter count and weight size (for the README). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeWasm } from '../tf/node-wasm.ts';
import { loadModel } from '../tf/fs.ts';
import { WEIGHTS_DIR } from '../runtime/node.ts';
import '../tf/layers.ts';

await initNodeWasm();
let total = 0;
for (const name of readdirSync(WEIGHTS_DIR).sort()) {
  const dir = join(WEIGHTS_DIR, name);
  const bytes = statSync(join(dir, 'weights.bin')).size + statSync(join(dir, 'model.json')).size;
  total += bytes;
  const { model, metadata } = await loadModel(dir);
  console.log(`| ${name} | ${model.countParams().toLocaleString('en')} | ${(bytes / 1024).toFixed(0)} KB | ${metadata.trainedSteps ?? ''} |`);
  model.dispose();
}
console.log(`total ${(total / 1024 / 1024).toFixed(2)} MB`);
