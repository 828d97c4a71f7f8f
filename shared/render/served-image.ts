/**
 * The one pipeline every judged image goes through before a player sees it, real or fake:
 * the light degradations of a real camera (a little lens blur, exposure and white-balance
 * drift, sensor noise, 8-bit quantisation), with the strength of each drawn per image.
 *
 * Why: the data set's reals are exact renders (flat palette colours, noiseless
 * backgrounds), the models' fakes are not, and a page script counting exact palette
 * pixels would tell them apart without looking. After this pipeline neither kind has exact
 * palette pixels or a clean background, and the spread of the drawn strengths is wider
 * than what separates the kinds (`npm run eval:models` measures how far that holds).
 * On the server the draws come from the round's secret streams, so a served image is
 * also never the exact output a device could recompute from a recipe or the weights.
 */
import { CHANNELS, IMAGE_SIZE } from '../dataset/vocabulary.ts';
import type { Rng } from '../random.ts';

/** Ranges of the per-image draws: each is visible only as "a slightly different photo". */
export const SERVED_RANGES = {
  /** Share of a 3×3 binomial blur mixed into the image. */
  blur: [0.2, 0.7],
  /** Per-channel gain (white balance and exposure) around 1. */
  gain: 0.06,
  /** Offset in 0..255 steps, the same on every channel (black level). */
  offset: 6,
  /** Standard deviation of the sensor noise, in 0..255 steps. */
  noise: [2, 8],
} as const;

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * rng.next();

/** A served copy of a 32×32 RGB image; `pixels` is not changed. */
export function serveImage(pixels: Uint8Array, rng: Rng): Uint8Array {
  const n = IMAGE_SIZE;
  const blur = uniform(rng, SERVED_RANGES.blur);
  const gains = Array.from({ length: CHANNELS }, () => 1 + SERVED_RANGES.gain * (2 * rng.next() - 1));
  const offset = SERVED_RANGES.offset * (2 * rng.next() - 1);
  const sigma = uniform(rng, SERVED_RANGES.noise);
  const at = (x: number, y: number, c: number) => pixels[(Math.min(n - 1, Math.max(0, y)) * n + Math.min(n - 1, Math.max(0, x))) * CHANNELS + c]!;
  const out = new Uint8Array(pixels.length);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      // Luminance noise shared by the channels plus a smaller chroma part, as in a sensor.
      const shared = rng.normal();
      for (let c = 0; c < CHANNELS; c++) {
        const centre = at(x, y, c);
        const blurred =
          (4 * centre +
            2 * (at(x - 1, y, c) + at(x + 1, y, c) + at(x, y - 1, c) + at(x, y + 1, c)) +
            at(x - 1, y - 1, c) +
            at(x + 1, y - 1, c) +
            at(x - 1, y + 1, c) +
            at(x + 1, y + 1, c)) /
          16;
        const v = ((1 - blur) * centre + blur * blurred) * gains[c]! + offset + sigma * (0.8 * shared + 0.6 * rng.normal());
        out[(y * n + x) * CHANNELS + c] = v > 0 ? (v < 255 ? Math.round(v) : 255) : 0;
      }
    }
  }
  return out;
}
