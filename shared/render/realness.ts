/**
 * How real a candidate fake looks, for difficulty's pick among draws of one recipe: an
 * ensemble of the neural D with the simplest byte tell a fake has, colours off the data
 * set's palette. Pure logic: the browser's render worker, the server's fallback and the
 * evaluation all rank candidates here.
 */
import { BACKGROUNDS, CHANNELS, COLOURS, PATTERN_LIFT, type Rgb } from '../dataset/vocabulary.ts';

/** Every colour the data set paints flat: object colours, backgrounds and pattern marks. */
export const PALETTE: readonly Rgb[] = [
  ...COLOURS.map((c) => c.rgb),
  ...BACKGROUNDS.map((b) => b.rgb),
  ...BACKGROUNDS.map((b) => b.rgb.map((v) => v + PATTERN_LIFT) as unknown as Rgb),
];

/** Mean distance (0..255 units, RGB Euclidean) from each pixel to its nearest palette colour. */
export function paletteDistance(px: Uint8Array): number {
  const count = px.length / CHANNELS;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const [r, g, b] = [px[i * CHANNELS]!, px[i * CHANNELS + 1]!, px[i * CHANNELS + 2]!];
    let best = Infinity;
    for (const q of PALETTE) best = Math.min(best, (r - q[0]) ** 2 + (g - q[1]) ** 2 + (b - q[2]) ** 2);
    sum += Math.sqrt(best);
  }
  return sum / count;
}

const standardised = (xs: readonly number[]): number[] => {
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length) || 1;
  return xs.map((v) => (v - mean) / sd);
};

/**
 * The realness of each of one recipe's candidates: D's logit (on a served copy) minus the
 * raw image's palette distance, each standardised over the candidates so that neither
 * dominates by its units. Picking by D alone left the byte statistics where they were (D's
 * taste and the palette drift of G's colours are nearly independent).
 */
export function realnessScores(logits: readonly number[], images: readonly Uint8Array[]): number[] {
  if (logits.length !== images.length) throw new Error(`realnessScores: ${logits.length} logits for ${images.length} images`);
  const d = standardised(logits);
  const p = standardised(images.map(paletteDistance));
  return d.map((v, i) => v - p[i]!);
}
