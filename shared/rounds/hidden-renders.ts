/**
 * The rule "a render worker does not judge what it rendered", once for every round whose
 * images are a mix of data-set images and render jobs (Spot the fake, Judge). A device
 * that rendered a job has seen its recipe, so that image is left out of its question and
 * an answer about it is refused.
 */

/** One image of a round: from the data set (`job` null) or from render job `job`. */
interface RenderedItem {
  id: string;
  job: number | null;
}

/** The ids a device that rendered `hiddenJobs` may see and answer. */
function visibleIds(items: readonly RenderedItem[], hiddenJobs: ReadonlySet<number>): Set<string> {
  return new Set(items.filter((it) => it.job === null || !hiddenJobs.has(it.job)).map((it) => it.id));
}

/** `shown` without the images this device rendered. */
export function withoutHidden<T extends { id: string }>(shown: readonly T[], items: readonly RenderedItem[], hiddenJobs: ReadonlySet<number>): T[] {
  if (hiddenJobs.size === 0) return [...shown];
  const visible = visibleIds(items, hiddenJobs);
  return shown.filter((it) => visible.has(it.id));
}

/** Null when every answer names a different image this device was shown; else why not. */
export function checkAnsweredIds(answers: readonly { id: string }[], items: readonly RenderedItem[], hiddenJobs: ReadonlySet<number>, noun: string): string | null {
  const visible = visibleIds(items, hiddenJobs);
  const seen = new Set<string>();
  for (const a of answers) {
    if (!visible.has(a.id) || seen.has(a.id)) return `An answer names an ${noun} that is not in this round.`;
    seen.add(a.id);
  }
  return null;
}
