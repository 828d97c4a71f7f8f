/**
 * The generator plays back, with the shipped models: a simulated class of five students,
 * each answering as the neural D does (its calibrated probability, plus a student's own
 * noise, rounded to the offered confidences), plays six adversarial Spot-the-fake rounds.
 * G's search (shared/rounds/adversary.ts) sees only their answers; the fool rate must rise.
 */
import { describe, expect, it } from 'vitest';
import { simulateAdversarialClass } from '../support/adversarial-class.ts';

/** Simulated classes: each its own seed (round draws, students' noise). */
const CLASSES = 6;

describe('the generator that plays back, against simulated classes', () => {
  it('fools a class more as the rounds go on (six rounds, five students who answer as the neural D; six classes)', async () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const gains: number[] = [];
    const byRound: number[][] = [];
    for (let c = 1; c <= CLASSES; c++) {
      const history = await simulateAdversarialClass(c);
      expect(history.map((h) => h.round)).toEqual([1, 2, 3, 4, 5, 6]);
      const fool = history.map((h) => h.foolRate!);
      byRound.push(fool);
      gains.push(mean(fool.slice(-2)) - mean(fool.slice(0, 2)));
    }
    const perRound = byRound[0]!.map((_, r) => mean(byRound.map((f) => f[r]!)));
    console.log(
      `fool rate by round, mean of ${CLASSES} classes: ${perRound.map((f) => `${(f * 100).toFixed(0)}%`).join(', ')}; gain per class: ${gains.map((g) => g.toFixed(2)).join(', ')}`,
    );
    // Rounds 5–6 against rounds 1–2, on average over the classes (measured over 12 classes: +0.17).
    expect(mean(gains)).toBeGreaterThan(0.08);
    expect(perRound[5]!).toBeGreaterThan(perRound[0]!);
  }, 300_000);
});
