import { describe, expect, it } from 'vitest';
import { PhaseClock } from '../../shared/game/phase-clock.ts';
import { Countdown } from '../../client/session/countdown.ts';

function fakeTime() {
  const t = { now: 1000 };
  return { t, now: () => t.now };
}

describe('PhaseClock (the server rooms and the solo session run the same clock)', () => {
  it('counts down, excludes pauses from the elapsed time, and expires', () => {
    const { t, now } = fakeTime();
    const c = new PhaseClock(now);
    c.start(10_000, false);
    t.now += 3000;
    expect(c.remainingMs()).toBe(7000);
    c.pause();
    t.now += 60_000;
    expect(c.remainingMs()).toBe(7000);
    expect(c.elapsedMs()).toBe(3000);
    expect(c.paused).toBe(true);
    c.resume();
    t.now += 2000;
    expect(c.elapsedMs()).toBe(5000);
    expect(c.fraction()).toBeCloseTo(0.5);
    expect(c.expired()).toBe(false);
    t.now += 5000;
    expect(c.expired()).toBe(true);
    expect(c.remainingMs()).toBe(0);
  });

  it('a phase can start paused, and a late joiner can be set mid-phase', () => {
    const { t, now } = fakeTime();
    const c = new PhaseClock(now);
    c.start(5000, true);
    t.now += 10_000;
    expect(c.remainingMs()).toBe(5000);
    c.set(2000, 20_000, false);
    expect(c.durationMs).toBe(20_000);
    expect(c.elapsedMs()).toBe(18_000);
    expect(c.fraction()).toBeCloseTo(0.1);
  });
});

describe("Countdown follows the server's whole seconds", () => {
  it('keeps its smooth local time within 1.2 s of the server, and jumps when further off', () => {
    const { t, now } = fakeTime();
    const c = new Countdown(now);
    c.start(20_000, false);
    t.now += 1500;
    c.syncSeconds(19, false); // local 18.5 s: close enough, no jump
    expect(c.remainingMs()).toBe(18_500);
    c.syncSeconds(12, false); // 6.5 s off: jumps to just under the server's second
    expect(c.remainingMs()).toBe(11_500);
    c.syncSeconds(12, true); // the server paused
    t.now += 5000;
    expect(c.remainingMs()).toBe(11_500);
    expect(c.durationMs).toBe(20_000);
  });
});
