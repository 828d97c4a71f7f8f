import { remove as withoutConfusables } from 'confusables';
import { BLOCKED_ANYWHERE, BLOCKED_WHOLE } from './blocked-words.ts';
import { NICKNAME_MAX } from './lobby-rules.ts';

type NicknameResult = { ok: true; nickname: string } | { ok: false; code: 'nickname_invalid' | 'nickname_offensive' | 'nickname_taken'; message: string };

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/**
 * What a name looks like, whatever characters spell it: compatibility forms folded (NFKC:
 * "Ｃｌｅａｎ" and the Roman numeral "ⅼ" become "Clean", "l"), then look-alikes from other
 * scripts mapped to Latin (Unicode's confusables: Cyrillic "С" is "C"), then case.
 */
export function lookAlikeKey(text: string): string {
  return withoutConfusables(text.normalize('NFKC')).toLocaleLowerCase();
}

/** Folds look-alikes, case, accents and leetspeak so "F\u00fcck", "Fцck" and "5h1t" meet the list. */
function fold(text: string): string {
  return lookAlikeKey(text)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[013457@$!]/g, (c) => LEET[c] ?? c);
}

export function isOffensive(nickname: string): boolean {
  const folded = fold(nickname);
  const squashed = folded.replace(/[^a-z]/g, '');
  if (BLOCKED_ANYWHERE.some((w) => squashed.includes(w.replace(/[^a-z]/g, '')))) return true;
  const words = folded.split(/[^a-z]+/).filter(Boolean);
  const spaced = ` ${words.join(' ')} `;
  return BLOCKED_WHOLE.some((w) => spaced.includes(` ${w} `) || squashed === w.replace(/[^a-z]/g, ''));
}

/** Same rule for the join form, the server and the host's rename. */
export function validateNickname(raw: unknown, taken: Iterable<string>): NicknameResult {
  if (typeof raw !== 'string') return { ok: false, code: 'nickname_invalid', message: 'Please enter a nickname.' };
  // Control and invisible format characters would make two names look alike on screen.
  const nickname = raw
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  const length = [...nickname].length;
  if (length < 1) return { ok: false, code: 'nickname_invalid', message: 'Please enter a nickname.' };
  if (length > NICKNAME_MAX) {
    return { ok: false, code: 'nickname_invalid', message: `Nicknames are at most ${NICKNAME_MAX} characters.` };
  }
  if (isOffensive(nickname)) {
    return { ok: false, code: 'nickname_offensive', message: 'Please choose a different nickname.' };
  }
  const key = lookAlikeKey(nickname);
  for (const other of taken) {
    if (lookAlikeKey(other) === key) {
      return { ok: false, code: 'nickname_taken', message: `"${nickname}" is already taken in this lobby.` };
    }
  }
  return { ok: true, nickname };
}
