/** Every refusal the server can send, with the sentence a player or host reads. */
export const ERRORS = {
  bad_message: 'That message was not understood.',
  unknown_message: 'Unknown action.',
  not_host: 'Only the host can do that.',
  wrong_phase: 'That is not possible right now.',
  not_answering: 'Answers are closed for this round.',
  already_answered: 'You already answered this round.',
  wrong_round: 'That answer is for a different round.',
  paused: 'The game is paused.',
  no_player: 'You are not a player in this lobby.',
  no_such_player: 'There is no such player.',
  no_such_lobby: 'No class with that code. Check the code on the host screen.',
  lobby_locked: 'This class is locked. Ask your teacher to unlock it.',
  lobby_full: 'This class is full.',
  nickname_invalid: 'Please enter a nickname.',
  nickname_offensive: 'Please choose a different nickname.',
  nickname_taken: 'That nickname is already taken in this lobby.',
  bad_host_secret: 'This browser is not the host of that class.',
  game_over: 'The game is over.',
  no_players: 'Wait until at least one student has joined.',
  generator_turn: 'You are the generator this round: your fakes are out there.',
  not_generator: 'You have no fake to pick this round.',
  render_unknown_job: 'No such render job is open.',
  render_not_yours: 'That render job belongs to another device.',
  render_bad_pixels: 'A rendered image must be exactly 32×32 RGB bytes.',
  render_late: 'That render arrived after its deadline.',
  render_duplicate: 'That render job was already delivered.',
  render_too_fast: 'Too many uploads; slow down.',
  // Appended last: join refusals are numbered by position (errorNumber).
  render_failed: 'The images for the next round could not be made, so the game ends here. Results so far are saved.',
  too_many_requests: 'Too many tries from this device. Wait a minute, then try again.',
  server_full: 'This server is running as many classes as it can. Try again later.',
  not_allowed: 'Classes are joined by their code only.',
  rendered_round: 'Your device drew this round’s images, so you sit this round out (you get the class average).',
  removed_by_host: 'The host removed you from this class. Ask the host to let you back in.',
  flooding: 'This device sent too many messages at once. Wait a few seconds: it reconnects by itself.',
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorMessage {
  code: ErrorCode;
  message: string;
}

/** Thrown by rule code; the room turns it into an `error` message to one client. */
export class GameError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERRORS[code]);
    this.code = code;
  }
}

const CODES = Object.keys(ERRORS) as ErrorCode[];
/** Join refusals travel as numbers (Colyseus matchmaking errors); 4400 + position here. */
export function errorNumber(code: ErrorCode): number {
  return 4400 + CODES.indexOf(code);
}
export function errorCodeFromNumber(n: number): ErrorCode | null {
  return CODES[n - 4400] ?? null;
}
