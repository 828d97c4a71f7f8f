/**
 * Simple statistics of an image's bytes that a page script could compute to tell a real
 * from a fake without looking at it, and how well each separates them (ROC AUC, in the
 * cheater's favour: a statistic that ranks fakes high and one that ranks them low are
 * equally useful to the cheater, so the AUC is max(A, 1 − A)).
 */
import { CHANNELS, IMAGE_SIZE, type Rgb } from '../../shared/dataset/vocabulary.ts';
import { PALETTE, paletteDistance } from '../../shared/render/realness.ts';

const pixelAt = (px: Uint8Array, i: number): Rgb => [px[i * CHANNELS]!, px[i * CHANNELS + 1]!, px[i * CHANNELS + 2]!];

/** Share of pixels exactly equal to a palette colour. */
export function exactPaletteFraction(px: Uint8Array): number {
  const keys = new Set(PALETTE.map(([r, g, b]) => (r << 16) | (g << 8) | b));
  let hits = 0;
  const count = px.length / CHANNELS;
  for (let i = 0; i < count; i++) {
    const [r, g, b] = pixelAt(px, i);
    if (keys.has((r << 16) | (g << 8) | b)) hits++;
  }
  return hits / count;
}

/**
 * Noise energy of the background: the mean squared second difference along the one-pixel
 * border, which the data set keeps clear of objects and shadows (patterns lift it by
 * PATTERN_LIFT at most).
 */
export function backgroundNoiseEnergy(px: Uint8Array): number {
  const n = IMAGE_SIZE;
  const ring: number[] = [];
  for (let x = 0; x < n; x++) ring.push(x);
  for (let y = 1; y < n; y++) ring.push(y * n + n - 1);
  for (let x = n - 2; x >= 0; x--) ring.push((n - 1) * n + x);
  for (let y = n - 2; y > 0; y--) ring.push(y * n);
  let sum = 0;
  for (let k = 0; k < ring.length; k++) {
    const a = pixelAt(px, ring[(k + ring.length - 1) % ring.length]!);
    const b = pixelAt(px, ring[k]!);
    const c = pixelAt(px, ring[(k + 1) % ring.length]!);
    for (let ch = 0; ch < CHANNELS; ch++) sum += (a[ch]! - 2 * b[ch]! + c[ch]!) ** 2;
  }
  return sum / (ring.length * CHANNELS);
}

export const PIXEL_STATISTICS = {
  'exact palette fraction': exactPaletteFraction,
  'background noise energy': backgroundNoiseEnergy,
  'colour distance to the palette': paletteDistance,
} as const;

/** P(score of a random positive > score of a random negative), ties counted half (Mann–Whitney). */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
  const all = [...positives.map((v) => ({ v, pos: true })), ...negatives.map((v) => ({ v, pos: false }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.v === all[i]!.v) j++;
    const midRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k]!.pos) rankSum += midRank;
    i = j;
  }
  const p = positives.length;
  const q = negatives.length;
  return (rankSum - (p * (p + 1)) / 2) / (p * q);
}

/** How well a statistic separates the two sets, whichever way it points. */
export const separation = (positives: readonly number[], negatives: readonly number[]) => {
  const a = rocAuc(positives, negatives);
  return Math.max(a, 1 - a);
};

/**
 * A logistic regression over standardised features (gradient descent on the mean log loss
 * with a little L2), fitted on one half and scored on the other, both ways: the held-out
 * AUC of the best a cheater could do by combining the statistics.
 */
export function combinedAuc(fakes: readonly number[][], reals: readonly number[][]): number {
  const half = <T>(xs: readonly T[], k: number) => xs.filter((_, i) => i % 2 === k);
  const aucs = [0, 1].map((k) => {
    const model = fitLogistic(half(fakes, k), half(reals, k));
    return rocAuc(half(fakes, 1 - k).map(model), half(reals, 1 - k).map(model));
  });
  return Math.max(0.5, (aucs[0]! + aucs[1]!) / 2);
}

function fitLogistic(positives: readonly number[][], negatives: readonly number[][]): (x: readonly number[]) => number {
  const rows = [...positives.map((x) => ({ x, y: 1 })), ...negatives.map((x) => ({ x, y: 0 }))];
  const d = rows[0]!.x.length;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r.x[j]!, 0) / rows.length);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r.x[j]! - mean[j]!) ** 2, 0) / rows.length) || 1);
  const z = (x: readonly number[]) => x.map((v, j) => (v - mean[j]!) / sd[j]!);
  const w = new Array<number>(d + 1).fill(0);
  const predict = (x: readonly number[]) => {
    const s = z(x).reduce((acc, v, j) => acc + v * w[j]!, w[d]!);
    return 1 / (1 + Math.exp(-s));
  };
  for (let step = 0; step < 500; step++) {
    const grad = new Array<number>(d + 1).fill(0);
    for (const r of rows) {
      const e = predict(r.x) - r.y;
      z(r.x).forEach((v, j) => (grad[j]! += e * v));
      grad[d]! += e;
    }
    for (let j = 0; j <= d; j++) w[j]! -= 0.5 * (grad[j]! / rows.length + (j < d ? 1e-3 * w[j]! : 0));
  }
  return predict;
}
