/**
 * Renders a contact sheet of the procedural data set to test-output/dataset-sheet.png, to
 * check by eye that every shape and colour reads at 32×32 and when projected.
 *
 *   node_modules/.bin/node scripts/dataset-sheet.ts [seed] [--grid]
 *
 * Default: 16 × 8 random samples. --grid: all 128 captions in captionIndex order (a row per
 * size and colour, a column per shape), each with a random style.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { allCaptions, IMAGE_SIZE, makeBatch, renderImage, sampleStyle } from '../shared/dataset/index.ts';
import { createRng } from '../shared/random.ts';

const COLS = 16;
const ROWS = 8;
const SCALE = 4;
const GAP = 4;

const args = process.argv.slice(2);
const grid = args.includes('--grid');
const seed = Number(args.find((a) => !a.startsWith('--')) ?? 1);

const images: Uint8Array[] = grid
  ? (() => {
      const rng = createRng(seed);
      // Shapes across (8 columns), so pairs of grid rows share one sheet row.
      return allCaptions().map((c) => renderImage(c, sampleStyle(rng)));
    })()
  : makeBatch(seed, COLS * ROWS).map((s) => s.pixels);

const cell = IMAGE_SIZE * SCALE + GAP;
const width = COLS * cell + GAP;
const height = ROWS * cell + GAP;
const data = new Uint8Array(width * height * 3).fill(90);
images.forEach((img, k) => {
  const ox = GAP + (k % COLS) * cell;
  const oy = GAP + Math.floor(k / COLS) * cell;
  for (let y = 0; y < IMAGE_SIZE * SCALE; y++) {
    for (let x = 0; x < IMAGE_SIZE * SCALE; x++) {
      const src = (Math.floor(y / SCALE) * IMAGE_SIZE + Math.floor(x / SCALE)) * 3;
      const dst = ((oy + y) * width + ox + x) * 3;
      data[dst] = img[src]!;
      data[dst + 1] = img[src + 1]!;
      data[dst + 2] = img[src + 2]!;
    }
  }
});

mkdirSync('test-output', { recursive: true });
const file = grid ? 'test-output/dataset-grid.png' : 'test-output/dataset-sheet.png';
writeFileSync(file, encode({ width, height, data, channels: 3, depth: 8 }));
console.log(`wrote ${file} (${images.length} images, seed ${seed})`);
