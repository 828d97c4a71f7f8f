/**
 * One figure of an evaluation table, its bar, and the table printer. A figure measured by
 * two rulers carries both readings; its value, and the bar, are the worse of the two.
 */
export interface EvalRow {
  id: string;
  metric: string;
  /** the figure; with two readings, the worse of them */
  value: number;
  /** [ruler A, ruler B] when two rulers measured the figure */
  readings?: readonly [number, number];
  /** pass when value ≥ bar ('min'), value ≤ bar ('max') or |value − bar| ≤ tolerance ('within'); null = reported only */
  bar: number | null;
  direction: 'min' | 'max' | 'within';
  tolerance?: number;
  /** how the table prints it (default: percent, except ids d and f and losses) */
  format?: 'percent' | 'number';
  pass: boolean;
}

function passes(value: number, bar: number | null, direction: EvalRow['direction'], tolerance = 0): boolean {
  if (bar === null) return true;
  if (direction === 'min') return value >= bar;
  if (direction === 'max') return value <= bar;
  return Math.abs(value - bar) <= tolerance;
}

export function row(id: string, metric: string, value: number, bar: number | null, direction: 'min' | 'max' = 'min'): EvalRow {
  return { id, metric, value, bar, direction, pass: passes(value, bar, direction) };
}

/** A figure read by two rulers: the bar holds only if it holds under both. */
export function twoRulerRow(
  id: string,
  metric: string,
  readings: readonly [number, number],
  bar: number | null,
  direction: EvalRow['direction'] = 'min',
  extra: { tolerance?: number; format?: EvalRow['format'] } = {},
): EvalRow {
  const [a, b] = readings;
  const worse = direction === 'min' ? Math.min(a, b) : direction === 'max' ? Math.max(a, b) : Math.abs(a - (bar ?? 0)) >= Math.abs(b - (bar ?? 0)) ? a : b;
  return { id, metric, value: worse, readings, bar, direction, ...extra, pass: passes(worse, bar, direction, extra.tolerance) };
}

export function formatTable(rows: readonly EvalRow[]): string {
  const lines = ['| | metric | ruler A | ruler B | value | bar | |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    // Shares print as percentages; KIDs, AUCs, ratios and losses (in nats) as numbers.
    const pct = r.format ? r.format === 'percent' : r.id !== 'd' && r.id !== 'f' && !/nats|calibration error/.test(r.metric);
    const fmt = (v: number) => (pct ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
    const fmtBar = (v: number) => (pct ? `${(v * 100).toFixed(0)}%` : String(Number(v.toFixed(3))));
    const bar = r.bar === null ? '' : r.direction === 'within' ? `${fmtBar(r.bar)} ± ${fmtBar(r.tolerance ?? 0)}` : `${r.direction === 'min' ? '≥' : '≤'} ${fmtBar(r.bar)}`;
    const [a, b] = r.readings ? r.readings.map(fmt) : ['', ''];
    lines.push(`| ${r.id} | ${r.metric} | ${a} | ${b} | ${fmt(r.value)} | ${bar} | ${r.bar === null ? '' : r.pass ? 'pass' : 'FAIL'} |`);
  }
  return lines.join('\n');
}

/** What ruler A and ruler B are, printed under every table with two-ruler rows. */
export const RULER_LEGEND =
  'Ruler A: the CNN attribute classifier (models/classifier). Ruler B: hand-made features with nearest neighbours (models/eval/ruler). ' +
  'For rotation, A reads the outline’s harmonic phase and B the best-overlapping template (both hand-made; the CNN does not read rotation). ' +
  'Both are fitted on real images only and never used in training; a bar holds only under both.';
