import type { ResultRow } from '../../shared/game/engine.ts';

const REPORT_COLUMNS = ['round', 'round_type', 'player_id', 'nickname', 'answer', 'truth', 'points', 'time_to_answer_s'] as const;

/** One row per player per round, as spreadsheets expect (RFC 4180, CRLF). */
export function resultsToCsv(rows: readonly ResultRow[]): string {
  const lines = [REPORT_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [r.roundIndex + 1, r.roundType, r.playerId, r.nickname, r.answer, r.truth, r.points, r.elapsedMs === null ? '' : (r.elapsedMs / 1000).toFixed(2)]
        .map((value) => csvField(typeof value === 'string' ? safeText(value) : value))
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * No text cell may run as a formula in the teacher's spreadsheet: a nickname like
 * "=HYPERLINK(...)", a player id starting with "-", an answer starting with "+". Numbers
 * (round, points, seconds) stay numbers.
 */
function safeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
