/**
 * Saving and loading TF.js layers models as `model.json` + `weights.bin` without
 * tfjs-node (whose file:// handlers are not available here).
 * Platform-agnostic: serialisation produces bytes, loading takes bytes, so the browser,
 * the server and training share it. File access lives in `./fs.ts` (Node only).
 */
import * as tf from '@tensorflow/tfjs';

/** A named tensor, as optimizers' getWeights/setWeights use. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface ModelFiles {
  /** model.json contents (topology + weightsManifest pointing at weights.bin). */
  modelJson: string;
  /** weights.bin contents. */
  weightsBin: Uint8Array;
}

/** Serialises a layers model (with optional metadata kept in model.json). */
export async function serializeModel(model: tf.LayersModel, metadata: Record<string, unknown> = {}): Promise<ModelFiles> {
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const buffer = weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(weightData);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: metadata,
      };
      files = { modelJson: JSON.stringify(json), weightsBin: new Uint8Array(buffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (files === null) throw new Error('model.save did not call the save handler');
  return files;
}

/** Loads a layers model from model.json text and weights.bin bytes. */
export async function deserializeModel(files: ModelFiles): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
  const json = JSON.parse(files.modelJson) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: Record<string, unknown>;
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const bytes = files.weightsBin;
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
  return { model, metadata: json.userDefinedMetadata ?? {} };
}

export function deserializeTensors(specs: tf.io.WeightsManifestEntry[], data: Uint8Array): NamedTensor[] {
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
}

// ---- shipped weight encodings (TF.js's own quantization formats, decoded by tf.io.decodeWeights) ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half precision bits of a float32: round to nearest even; overflow → ±Inf, tiny → subnormal or ±0. */
export function float16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is correct rounding
  return sign | h;
}

export type WeightEncoding = 'float16' | 'uint8';

/**
 * Re-encodes a model's float32 weights for shipping: `encodingOf` picks, per weight,
 * float16 (half the bytes, ≈ 3 significant digits) or uint8 (a quarter: TF.js's affine
 * per-tensor quantization, v = q·scale + min, 256 levels over the tensor's range), or null
 * to keep float32. Any TF.js loader decodes both.
 */
export function quantizeWeights(files: ModelFiles, encodingOf: (w: tf.io.WeightsManifestEntry) => WeightEncoding | null): ModelFiles {
  const json = JSON.parse(files.modelJson) as { weightsManifest: { paths: string[]; weights: (tf.io.WeightsManifestEntry & { quantization?: unknown })[] }[] };
  const src = files.weightsBin;
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const group of json.weightsManifest) {
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (w.quantization !== undefined) throw new Error(`weight ${w.name} is already quantized`);
      const enc = w.dtype === 'float32' ? encodingOf(w) : null;
      const value = (i: number) => dv.getFloat32(offset + 4 * i, true);
      if (enc === 'float16') {
        const out = new Uint16Array(size);
        for (let i = 0; i < size; i++) out[i] = float16Bits(value(i));
        chunks.push(new Uint8Array(out.buffer));
        w.quantization = { dtype: 'float16' };
      } else if (enc === 'uint8') {
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < size; i++) {
          min = Math.min(min, value(i));
          max = Math.max(max, value(i));
        }
        const scale = max > min ? (max - min) / 255 : 0;
        const out = new Uint8Array(size);
        if (scale > 0) for (let i = 0; i < size; i++) out[i] = Math.round((value(i) - min) / scale);
        chunks.push(out);
        w.quantization = { dtype: 'uint8', scale, min };
      } else {
        chunks.push(src.slice(offset, offset + 4 * size));
      }
      offset += 4 * size;
    }
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const bin = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    bin.set(c, o);
    o += c.length;
  }
  return { modelJson: JSON.stringify(json), weightsBin: bin };
}

/** Every float32 weight as float16. */
export function quantizeFloat16(files: ModelFiles): ModelFiles {
  return quantizeWeights(files, () => 'float16');
}
