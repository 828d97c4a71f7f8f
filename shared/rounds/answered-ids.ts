/** The check "each answer names a different image of this round", for rounds that answer image by image (Spot the fake, Judge). */

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
