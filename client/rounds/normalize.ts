import type { RoundType } from '../../shared/rounds/registry.ts';
import type { TimestepQuestion, TimestepReveal } from '../../shared/rounds/timestep-round.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { toBytes } from '../render/pixels.ts';
import type { QuestionMessage, RevealMessage } from '../session/game-session.ts';

interface Normalizer {
  question(q: unknown): unknown;
  reveal(r: unknown): unknown;
}

/** Per round type: turn whatever the wire delivered into checked typed arrays, once, on arrival. */
const NORMALIZERS: Partial<Record<RoundType, Normalizer>> = {
  timestep: {
    question: (q) => {
      const raw = q as TimestepQuestion;
      return { ...raw, pixels: toBytes(raw.pixels, IMAGE_BYTES) } satisfies TimestepQuestion;
    },
    reveal: (r) => {
      const raw = r as TimestepReveal;
      return { ...raw, clean: toBytes(raw.clean, IMAGE_BYTES), noisy: toBytes(raw.noisy, IMAGE_BYTES) } satisfies TimestepReveal;
    },
  },
};

/** Round types without their own normalizer still get every binary field as a Uint8Array. */
function binaryToBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return toBytes(value);
  if (Array.isArray(value)) return value.map(binaryToBytes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, binaryToBytes(v)]));
  }
  return value;
}

export function normalizeQuestion(message: QuestionMessage): QuestionMessage {
  const n = NORMALIZERS[message.type];
  // The wire's shape checked into typed arrays; the round type it claims is the server's.
  return { ...message, question: n ? n.question(message.question) : binaryToBytes(message.question) } as QuestionMessage;
}

export function normalizeReveal(message: RevealMessage): RevealMessage {
  const n = NORMALIZERS[message.type];
  return { ...message, reveal: n ? n.reveal(message.reveal) : binaryToBytes(message.reveal) } as RevealMessage;
}
