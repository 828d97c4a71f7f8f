/**
 * Counts down the current phase and can be paused. Time is read from a monotonic clock
 * so a slow tick never shortens or stretches a student's answer window.
 */
export class PhaseClock {
  private remaining = 0;
  private duration = 0;
  private runningSince: number | null = null;
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  start(durationMs: number, paused: boolean): void {
    this.duration = durationMs;
    this.remaining = durationMs;
    this.runningSince = paused ? null : this.now();
  }

  pause(): void {
    if (this.runningSince === null) return;
    this.remaining = this.remainingMs();
    this.runningSince = null;
  }

  resume(): void {
    if (this.runningSince === null) this.runningSince = this.now();
  }

  remainingMs(): number {
    const running = this.runningSince === null ? 0 : this.now() - this.runningSince;
    return Math.max(0, this.remaining - running);
  }

  /** Time spent in the phase so far, pauses excluded. */
  elapsedMs(): number {
    return this.duration - this.remainingMs();
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }
}
