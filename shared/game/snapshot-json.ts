/**
 * JSON for game snapshots (a class that survives a restart): rounds' secrets and questions
 * hold pixels and vectors as typed arrays, which plain JSON would turn into objects of
 * numbers. Typed arrays travel as `{ "$typed": name, "base64": ... }`.
 */
const TYPED = { Uint8Array, Int32Array, Float32Array, Float64Array } as const;
type TypedName = keyof typeof TYPED;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function encodeSnapshot(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    for (const name of Object.keys(TYPED) as TypedName[]) {
      if (v instanceof TYPED[name]) {
        const view = v as InstanceType<(typeof TYPED)[TypedName]>;
        return { $typed: name, base64: toBase64(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)) };
      }
    }
    return v;
  });
}

export function decodeSnapshot(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && '$typed' in v && 'base64' in v) {
      const { $typed, base64 } = v as { $typed: string; base64: string };
      const Ctor = TYPED[$typed as TypedName];
      if (!Ctor) throw new Error(`unknown typed array ${$typed}`);
      const bytes = fromBase64(base64);
      return new Ctor(bytes.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  });
}
