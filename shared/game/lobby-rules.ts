/** Lobby limits that the server enforces and the client explains. */
export const JOIN_CODE_LENGTH = 6;
/** No 0/O, 1/I/L: a code read off a projector must not be ambiguous. */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEFAULT_MAX_PLAYERS = 200;
/** A student who reloads or drops keeps their seat (and score) this long. */
export const RECONNECT_SECONDS = 60;
export const NICKNAME_MAX = 20;

export function generateJoinCode(random: () => number): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) {
    code += JOIN_CODE_ALPHABET[Math.floor(random() * JOIN_CODE_ALPHABET.length)];
  }
  return code;
}

/** Accepts what people type ("ab c-d e f") and returns the canonical code, or null. */
export function normalizeJoinCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== JOIN_CODE_LENGTH) return null;
  for (const ch of code) if (!JOIN_CODE_ALPHABET.includes(ch)) return null;
  return code;
}
