/**
 * Captions follow CAPTION_TEMPLATE exactly; everything here is driven by the template and
 * CAPTION_VALUES, so adding an attribute does not mean rewriting these functions.
 */
import type { CaptionAttributes } from './sample.ts';
import { CAPTION_ATTRIBUTES, CAPTION_TEMPLATE, CAPTION_VALUES, MAX_TOKENS, PAD_TOKEN, TOKENS, type CaptionAttributeName } from './vocabulary.ts';

type TemplateWord = { literal: string } | { slot: CaptionAttributeName };

const TEMPLATE: readonly TemplateWord[] = CAPTION_TEMPLATE.split(' ').map((word) => {
  const m = /^\{(\w+)\}$/.exec(word);
  if (!m) return { literal: word };
  const slot = m[1] as CaptionAttributeName;
  if (!CAPTION_ATTRIBUTES.includes(slot)) throw new Error(`unknown slot ${word} in CAPTION_TEMPLATE`);
  return { slot };
});

const TOKEN_INDEX = new Map(TOKENS.map((t, i) => [t, i]));

/** Number of distinct captions: the product of the attributes' value counts. */
export const CAPTION_COUNT = CAPTION_ATTRIBUTES.reduce((n, a) => n * CAPTION_VALUES[a].length, 1);

export function captionOf(attrs: CaptionAttributes): string {
  return TEMPLATE.map((w) => ('literal' in w ? w.literal : attrs[w.slot])).join(' ');
}

/** Case-insensitive, ignores surrounding and repeated whitespace; null if outside the grammar. */
export function parseCaption(text: string): CaptionAttributes | null {
  const words = text.trim().toLowerCase().split(/\s+/);
  if (words.length !== TEMPLATE.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < TEMPLATE.length; i++) {
    const w = TEMPLATE[i]!;
    const word = words[i]!;
    if ('literal' in w) {
      if (word !== w.literal) return null;
    } else {
      if (!(CAPTION_VALUES[w.slot] as readonly string[]).includes(word)) return null;
      out[w.slot] = word;
    }
  }
  return out as unknown as CaptionAttributes;
}

/** Word indices into TOKENS, padded with PAD_TOKEN to MAX_TOKENS. Throws on unknown words. */
export function tokenize(caption: string): number[] {
  const words = caption
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length > MAX_TOKENS) throw new Error(`caption has more than ${MAX_TOKENS} words: "${caption}"`);
  const ids = words.map((w) => {
    const id = TOKEN_INDEX.get(w);
    if (id === undefined || id === PAD_TOKEN) throw new Error(`word not in TOKENS: "${w}"`);
    return id;
  });
  while (ids.length < MAX_TOKENS) ids.push(PAD_TOKEN);
  return ids;
}

/** The inverse of tokenize: padding dropped, words joined by single spaces. */
export function detokenize(tokens: readonly number[]): string {
  return tokens
    .filter((t) => t !== PAD_TOKEN)
    .map((t) => {
      const word = TOKENS[t];
      if (word === undefined) throw new Error(`token id out of range: ${t}`);
      return word;
    })
    .join(' ');
}

/**
 * Mixed-radix index in CAPTION_ATTRIBUTES order (size most significant, shape least), so
 * index = (sizeIndex × 8 + colourIndex) × 8 + shapeIndex.
 */
export function captionIndex(attrs: CaptionAttributes): number {
  let index = 0;
  for (const a of CAPTION_ATTRIBUTES) {
    const values = CAPTION_VALUES[a] as readonly string[];
    const v = values.indexOf(attrs[a]);
    if (v < 0) throw new Error(`unknown ${a}: ${String(attrs[a])}`);
    index = index * values.length + v;
  }
  return index;
}

export function captionFromIndex(index: number): CaptionAttributes {
  if (!Number.isInteger(index) || index < 0 || index >= CAPTION_COUNT) {
    throw new Error(`caption index out of range: ${index}`);
  }
  const out: Record<string, string> = {};
  for (let i = CAPTION_ATTRIBUTES.length - 1; i >= 0; i--) {
    const a = CAPTION_ATTRIBUTES[i]!;
    const values = CAPTION_VALUES[a];
    out[a] = values[index % values.length]!;
    index = Math.floor(index / values.length);
  }
  return out as unknown as CaptionAttributes;
}

/** All captions in captionIndex order. */
export function allCaptions(): CaptionAttributes[] {
  return Array.from({ length: CAPTION_COUNT }, (_, i) => captionFromIndex(i));
}
