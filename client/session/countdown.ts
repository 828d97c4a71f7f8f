import { PhaseClock } from '../../shared/game/phase-clock.ts';

/**
 * The time left in the current phase, smooth between the server's whole-second updates:
 * the server's PhaseClock, fed the authoritative numbers (in solo mode it is the authority).
 */
export class Countdown extends PhaseClock {
  /** Follows the server's whole seconds, correcting drift without jitter. */
  syncSeconds(secondsLeft: number, paused: boolean): void {
    if (paused) this.pause();
    else this.resume();
    if (Math.abs(this.remainingMs() - secondsLeft * 1000) > 1200) {
      this.set(Math.max(0, secondsLeft * 1000 - 500), this.durationMs, paused);
    }
  }
}
