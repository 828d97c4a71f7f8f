import { IMAGE_SIZE } from '../../shared/dataset/vocabulary.ts';

/**
 * Binary fields cross the wire through msgpack, which may hand back a Uint8Array, an
 * ArrayBuffer, another typed view, or (through JSON) a plain array or index-keyed object.
 * Everything that draws pixels goes through here first.
 */
export function toBytes(value: unknown, expectedLength?: number): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) bytes = value;
  else if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  else if (Array.isArray(value)) bytes = Uint8Array.from(value, (v) => Number(v) & 0xff);
  else if (value && typeof value === 'object') {
    const values = Object.values(value as Record<string, unknown>);
    bytes = Uint8Array.from(values, (v) => Number(v) & 0xff);
  } else throw new Error('expected image bytes');
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new Error(`expected ${expectedLength} image bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** RGB bytes (row-major, 3 per pixel) → RGBA ImageData for a canvas. */
export function rgbToImageData(rgb: Uint8Array, size = IMAGE_SIZE, out?: ImageData): ImageData {
  const image = out ?? new ImageData(size, size);
  const data = image.data;
  for (let p = 0, i = 0; p < size * size; p++, i += 3) {
    data[p * 4] = rgb[i]!;
    data[p * 4 + 1] = rgb[i + 1]!;
    data[p * 4 + 2] = rgb[i + 2]!;
    data[p * 4 + 3] = 255;
  }
  return image;
}
