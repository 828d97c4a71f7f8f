/**
 * The one pixel codec: 32×32 RGB bytes (the data set's row-major layout) ↔ values in
 * [−1, 1], the range every model here is trained on (DDPM's convention). The diffusion
 * maths, the models' runtime and the training data all go through it.
 */
import { IMAGE_BYTES } from './recipes.ts';

/** 0..255 → [−1, 1], the data range the models are trained on (DDPM's convention). */
export function pixelsToSigned(pixels: Uint8Array | Uint8ClampedArray, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(pixels.length);
  if (y.length !== pixels.length) throw new Error('pixelsToSigned: output length differs from input');
  for (let i = 0; i < pixels.length; i++) y[i] = pixels[i]! / 127.5 - 1;
  return y;
}

/** [−1, 1] → 0..255, clipping what lies outside (noised or sampled values do). */
export function signedToPixels(x: Float32Array, out?: Uint8Array): Uint8Array {
  const y = out ?? new Uint8Array(x.length);
  if (y.length !== x.length) throw new Error('signedToPixels: output length differs from input');
  for (let i = 0; i < x.length; i++) {
    const v = (x[i]! + 1) * 127.5;
    // NaN fails both comparisons and would become 0; make that explicit.
    y[i] = v > 0 ? (v < 255 ? Math.round(v) : 255) : 0;
  }
  return y;
}

/** n images → one buffer of n × IMAGE_BYTES values in [−1, 1]; throws on a wrong-sized image. */
export function imagesToSigned(images: readonly Uint8Array[]): Float32Array {
  const out = new Float32Array(images.length * IMAGE_BYTES);
  images.forEach((img, i) => {
    if (img.length !== IMAGE_BYTES) throw new Error(`image ${i} has ${img.length} bytes, expected ${IMAGE_BYTES} (32×32 RGB)`);
    pixelsToSigned(img, out.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES));
  });
  return out;
}

/** n images back to back in [−1, 1] → n RGB byte images (clipped). */
export function signedToImages(values: Float32Array, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => signedToPixels(values.subarray(i * IMAGE_BYTES, (i + 1) * IMAGE_BYTES)));
}
