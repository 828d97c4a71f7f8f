import { captionOf, CAPTION_ATTRIBUTES, CAPTION_VALUES, makeSample, type CaptionAttributeName, type CaptionAttributes } from '../dataset/index.ts';
import type { Rng } from '../random.ts';

/** A caption that differs from `attrs` in exactly `changes` attributes, chosen `among` those given (default: all). */
export function captionChanging(rng: Rng, attrs: CaptionAttributes, changes: number, among: readonly CaptionAttributeName[] = CAPTION_ATTRIBUTES): string {
  const keys = rng.shuffle(among).slice(0, changes);
  const next = { ...attrs } as Record<string, string>;
  for (const key of keys) next[key] = rng.pick((CAPTION_VALUES[key] as readonly string[]).filter((v) => v !== next[key]));
  return captionOf(next as unknown as CaptionAttributes);
}

/** A random data-set caption. */
export function randomCaption(rng: Rng): { caption: string; attributes: CaptionAttributes } {
  const sample = makeSample(rng.int(0, 0x7fffffff));
  return { caption: sample.caption, attributes: sample.attributes };
}
