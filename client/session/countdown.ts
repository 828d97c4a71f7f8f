/**
 * The time left in the current phase, smooth between the server's whole-second updates.
 * Pausing freezes it; the session feeds it the authoritative numbers.
 */
export class Countdown {
  durationMs = 0;
  private endsAt = 0;
  private frozenMs: number | null = 0;
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  set(remainingMs: number, durationMs: number, paused: boolean): void {
    this.durationMs = Math.max(durationMs, remainingMs);
    if (paused) this.frozenMs = remainingMs;
    else {
      this.frozenMs = null;
      this.endsAt = this.now() + remainingMs;
    }
  }

  get paused(): boolean {
    return this.frozenMs !== null;
  }

  pause(): void {
    if (this.frozenMs === null) this.frozenMs = this.remainingMs();
  }

  resume(): void {
    if (this.frozenMs === null) return;
    this.endsAt = this.now() + this.frozenMs;
    this.frozenMs = null;
  }

  remainingMs(): number {
    return this.frozenMs ?? Math.max(0, this.endsAt - this.now());
  }

  /** Share of the phase left, 1 → 0. */
  fraction(): number {
    return this.durationMs > 0 ? Math.min(1, this.remainingMs() / this.durationMs) : 0;
  }

  /** Follows the server's whole seconds, correcting drift without jitter. */
  syncSeconds(secondsLeft: number, paused: boolean): void {
    if (paused) this.pause();
    else this.resume();
    const local = this.remainingMs();
    if (Math.abs(local - secondsLeft * 1000) > 1200) {
      const ms = Math.max(0, secondsLeft * 1000 - 500);
      if (paused) this.frozenMs = ms;
      else this.endsAt = this.now() + ms;
    }
  }
}
