/**
 * Counts down the current phase and can be paused. Time is read from a monotonic clock so a
 * slow tick never shortens or stretches a student's answer window. The server's rooms run
 * one per lobby; the browser runs one too (client/session/countdown.ts): authoritative in
 * solo mode, smoothing the server's whole seconds in a lobby.
 */
export class PhaseClock {
  private remaining = 0;
  private duration = 0;
  private runningSince: number | null = null;
  protected readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** A new phase of `durationMs`, running unless `paused`. */
  start(durationMs: number, paused: boolean): void {
    this.set(durationMs, durationMs, paused);
  }

  /** A phase of `durationMs` that has `remainingMs` left (a client joining mid-phase). */
  set(remainingMs: number, durationMs: number, paused: boolean): void {
    this.duration = Math.max(durationMs, remainingMs);
    this.remaining = Math.max(0, remainingMs);
    this.runningSince = paused ? null : this.now();
  }

  get durationMs(): number {
    return this.duration;
  }

  get paused(): boolean {
    return this.runningSince === null;
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

  /** Share of the phase left, 1 → 0. */
  fraction(): number {
    return this.duration > 0 ? Math.min(1, this.remainingMs() / this.duration) : 0;
  }
}
