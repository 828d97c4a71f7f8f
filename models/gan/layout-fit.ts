/**
 * The caption → layout head of G v6 (PlaceObject): five numbers per caption — the zoom and
 * the travel range and centre of the object along x and y — set from the data set's own
 * geometry (render.ts centreRange, SIZE_RADIUS) and frozen. G v5 learnt its travel range
 * and let it shrink to ≈ 3 px for every caption (real small objects travel ± 6 px); and it
 * drew small objects small, which cost them their shape (small: 67–86% right, large: 88–97%).
 * Now the object network always draws at the large size, and small objects are shrunk.
 *
 * The head reads φ(t), not the caption, because G only ever hears φ (GAN-INT and the Blend
 * slider feed it mixtures): a ridge regression from φ to the layout over the 128 captions,
 * so a mixture of two captions gets the matching mixture of their layouts.
 */
import * as tf from '@tensorflow/tfjs';
import { CAPTION_COUNT, captionFromIndex, centreRange } from '../../shared/dataset/index.ts';
import { IMAGE_SIZE, SIZE_RADIUS, type Size } from '../../shared/dataset/vocabulary.ts';
import { LAYOUT_FIELDS } from '../tf/layers.ts';

/** [scale, halfX, halfY, shiftX, shiftY] of an object of this size, in pixels (PlaceObject). */
export function layoutOf(size: Size): number[] {
  const { lo, hi } = centreRange(size);
  const half = (hi - lo) / 2;
  const shift = (lo + hi) / 2 - IMAGE_SIZE / 2;
  return [SIZE_RADIUS[size] / Math.max(...Object.values(SIZE_RADIUS)), half, half, shift, shift];
}

/**
 * Sets G's frozen `g_layout` dense layer to the ridge regression of layoutOf(size) on the
 * caption embeddings φ [CAPTION_COUNT, d] (caption-index order); returns the largest error
 * of the fit over the captions, per field.
 */
export function fitLayoutHead(G: tf.LayersModel, phiTable: tf.Tensor2D): Record<(typeof LAYOUT_FIELDS)[number], number> {
  const X = phiTable.arraySync();
  const Y = Array.from({ length: CAPTION_COUNT }, (_, i) => layoutOf(captionFromIndex(i).size));
  const { weights, bias } = ridge(X, Y, 1e-6);
  G.getLayer('g_layout').setWeights([tf.tensor2d(weights), tf.tensor1d(bias)]);
  const worst = LAYOUT_FIELDS.map(() => 0);
  X.forEach((x, i) => {
    LAYOUT_FIELDS.forEach((_, k) => {
      const fit = bias[k]! + x.reduce((a, v, j) => a + v * weights[j]![k]!, 0);
      worst[k] = Math.max(worst[k]!, Math.abs(fit - Y[i]![k]!));
    });
  });
  return Object.fromEntries(LAYOUT_FIELDS.map((f, k) => [f, worst[k]!])) as Record<(typeof LAYOUT_FIELDS)[number], number>;
}

/**
 * min ‖X W + b − Y‖² + λ·tr(XᵀX)/d·‖W‖², on centred data (so b is not shrunk), solved
 * with Gaussian elimination with partial pivoting on the d × d normal equations.
 */
export function ridge(X: number[][], Y: number[][], lambda: number): { weights: number[][]; bias: number[] } {
  const n = X.length;
  const d = X[0]!.length;
  const m = Y[0]!.length;
  const mean = (rows: number[][], k: number) => rows.reduce((a, r) => a + r[k]!, 0) / n;
  const mx = Array.from({ length: d }, (_, k) => mean(X, k));
  const my = Array.from({ length: m }, (_, k) => mean(Y, k));
  const xc = X.map((r) => r.map((v, k) => v - mx[k]!));
  const yc = Y.map((r) => r.map((v, k) => v - my[k]!));
  // Augmented normal equations [XᵀX + λI | XᵀY].
  const A = Array.from({ length: d }, (_, a) => [
    ...Array.from({ length: d }, (_, b) => xc.reduce((s, r) => s + r[a]! * r[b]!, 0)),
    ...Array.from({ length: m }, (_, k) => xc.reduce((s, r, i) => s + r[a]! * yc[i]![k]!, 0)),
  ]);
  const trace = A.reduce((s, r, a) => s + r[a]!, 0);
  A.forEach((r, a) => (r[a]! += (lambda * trace) / d));
  for (let col = 0; col < d; col++) {
    let p = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[p]![col]!)) p = r;
    [A[col], A[p]] = [A[p]!, A[col]!];
    const pivot = A[col]![col]!;
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / pivot;
      if (f !== 0) for (let k = col; k < d + m; k++) A[r]![k]! -= f * A[col]![k]!;
    }
  }
  const weights = Array.from({ length: d }, (_, a) => Array.from({ length: m }, (_, k) => A[a]![d + k]! / A[a]![a]!));
  const bias = my.map((v, k) => v - mx.reduce((s, x, a) => s + x * weights[a]![k]!, 0));
  return { weights, bias };
}
