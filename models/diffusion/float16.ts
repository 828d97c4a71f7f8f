/**
 * Ships weights as IEEE float16 (TF.js's own `quantization: { dtype: 'float16' }` in the
 * weights manifest, which tf.loadLayersModel decodes back to float32): half the bytes,
 * ≈ 3 significant digits, plenty for inference.
 */
import type { ModelFiles } from '../tf/io.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → float16 bits, round to nearest even; overflow → ±Inf, tiny → subnormal/0. */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

interface Spec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

/** Rewrites a float32 model.json + weights.bin pair as float16. */
export function toFloat16(files: ModelFiles): ModelFiles {
  const json = JSON.parse(files.modelJson) as { weightsManifest: { paths: string[]; weights: Spec[] }[] };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const src = new Float32Array(files.weightsBin.buffer.slice(files.weightsBin.byteOffset, files.weightsBin.byteOffset + files.weightsBin.byteLength) as ArrayBuffer);
  const out = new Uint16Array(src.length);
  for (const s of specs) {
    if (s.dtype !== 'float32' || s.quantization) throw new Error(`toFloat16: weight ${s.name} is not plain float32`);
    s.quantization = { dtype: 'float16' };
  }
  for (let i = 0; i < src.length; i++) out[i] = toHalf(src[i]!);
  json.weightsManifest = [{ paths: ['weights.bin'], weights: specs }];
  return { modelJson: JSON.stringify(json), weightsBin: new Uint8Array(out.buffer) };
}
