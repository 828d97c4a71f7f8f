import { pino, type Logger } from 'pino';

/** Structured logs (JSON lines) so a teacher's terminal and a log file read the same. */
export function createLogger(quiet: boolean): Logger {
  return pino({ level: quiet ? 'warn' : 'info', base: undefined });
}
export type { Logger };
