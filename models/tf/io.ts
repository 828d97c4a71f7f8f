/**
 * Saving and loading TF.js layers models as `model.json` + `weights.bin` without
 * tfjs-node (whose file:// handlers are not available here).
 * Platform-agnostic: serialisation produces bytes, loading takes bytes, so the browser,
 * the server and training share it. File access lives in `./fs.ts` (Node only).
 */
import * as tf from '@tensorflow/tfjs';

/** A named tensor, as optimizers' getWeights/setWeights use. */
export interface NamedTensor {
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
export async function serializeModel(
  model: tf.LayersModel,
  metadata: Record<string, unknown> = {},
): Promise<ModelFiles> {
  let files: ModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      const buffer =
        weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(weightData);
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
export async function deserializeModel(
  files: ModelFiles,
): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
  const json = JSON.parse(files.modelJson) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: Record<string, unknown>;
  };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const bytes = files.weightsBin;
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
  );
  return { model, metadata: json.userDefinedMetadata ?? {} };
}

/** Named tensors (e.g. optimizer state) to bytes + a JSON spec list. */
export async function serializeTensors(
  named: NamedTensor[],
): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(named);
  const buf = tf.io.CompositeArrayBuffer.join(data);
  return { specs, data: new Uint8Array(buf) };
}

export function deserializeTensors(specs: tf.io.WeightsManifestEntry[], data: Uint8Array): NamedTensor[] {
  const buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const map = tf.io.decodeWeights(buf, specs);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name]! }));
}

// ---- float16 weights (TF.js's own quantization format, decoded by tf.io.decodeWeights) ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half precision bits of a float32, rounded to nearest. */
export function float16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / NaN
  if (exp >= 31) return sign | 0x7c00; // overflow → inf
  if (exp <= 0) {
    if (exp < -10) return sign; // underflow → ±0
    const m = mant | 0x800000;
    const shift = 14 - exp;
    let h = m >>> shift;
    if ((m >>> (shift - 1)) & 1) h++;
    return sign | h;
  }
  let h = sign | (exp << 10) | (mant >>> 13);
  if (mant & 0x1000) h++; // carry into the exponent is correct rounding
  return h;
}

/**
 * Re-encodes a model's float32 weights as float16 (weightsManifest entries get
 * `quantization: {dtype: 'float16'}`): half the bytes, loaded by any TF.js loader.
 */
export function quantizeFloat16(files: ModelFiles): ModelFiles {
  const json = JSON.parse(files.modelJson) as { weightsManifest: { paths: string[]; weights: (tf.io.WeightsManifestEntry & { quantization?: unknown })[] }[] };
  const src = files.weightsBin;
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const group of json.weightsManifest) {
    for (const w of group.weights) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (w.quantization !== undefined) throw new Error(`weight ${w.name} is already quantized`);
      if (w.dtype === 'float32') {
        const out = new Uint16Array(size);
        for (let i = 0; i < size; i++) out[i] = float16Bits(dv.getFloat32(offset + 4 * i, true));
        chunks.push(new Uint8Array(out.buffer));
        w.quantization = { dtype: 'float16' };
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
