/** Rounds that answer image by image (Spot the fake, Judge): the payload's shape, and the check that each answer names a different image of the round. */
import { z } from 'zod';

/** At most 8 answers, each an image id (≤ 16 characters) and the round's own `fields`; nothing else. */
export function imageAnswersSchema<T extends z.ZodRawShape>(fields: T) {
  return z.object({ answers: z.array(z.object({ id: z.string().max(16), ...fields }).strict()).max(8) }).strict();
}

/** Null when every answer names a different one of `items`; else why not. */
export function checkAnsweredIds(answers: readonly { id: string }[], items: readonly { id: string }[], noun: string): string | null {
  const ids = new Set(items.map((it) => it.id));
  const seen = new Set<string>();
  for (const a of answers) {
    if (!ids.has(a.id) || seen.has(a.id)) return `An answer names an ${noun} that is not in this round.`;
    seen.add(a.id);
  }
  return null;
}
