import { z } from 'zod';

/**
 * The discriminator's objective as points. A player's answer is a probability D that the
 * image is real; the lecture's V(D,G) rewards log D(x) on reals and log(1 − D(G(z))) on
 * fakes, i.e. the log of the probability given to the truth. Points are an affine map of
 * that log with no clamp, so the rule stays proper: whatever you believe, the offered
 * answer that scores best on average is your belief (or, between two offered steps, one of
 * those two). A clamp at 0 would break this (it made "99 %" the best answer for any belief
 * above 55 %). Scaled so the offered answers earn 0 to 100 per image: 100 · (1 + log₂ p / log₂ 100).
 */
export const CONFIDENCES = [0.5, 0.6, 0.75, 0.9, 0.99] as const;
/** "Not sure": p = ½ whichever way the answer points. */
export const NOT_SURE = 0.5;
const LOG_SCORE_UNIT = 100;

/** D(x): the probability a "real/fake with confidence c" answer gives to "real". */
export function answerToD(saysReal: boolean, confidence: number): number {
  return saysReal ? confidence : 1 - confidence;
}

/**
 * A proper log score in points (unrounded): 100 at p = 1 and 0 at the least probability an
 * offered answer can give the truth (`worst`), affine in log p in between and beyond.
 */
export function logPoints(pTruth: number, worst: number): number {
  return LOG_SCORE_UNIT * (1 + Math.log2(pTruth) / Math.log2(1 / worst));
}

/** A confidence the player picked from the offered steps, and nothing else. */
export function offeredStep(steps: readonly number[]) {
  return z.number().refine((c) => steps.includes(c), 'confidence is one of the offered steps');
}

/** Points for giving probability p to what turned out true: 100 at p = 1, 0 at p = 0.01 (99 % sure and wrong). */
export function logScore(pTruth: number): number {
  return logPoints(pTruth, 0.01);
}

/** The points an answer of this confidence earns on average when the truth is "as said" with probability `belief`. */
export function expectedLogScore(belief: number, confidence: number): number {
  return belief * logScore(confidence) + (1 - belief) * logScore(1 - confidence);
}

/** One term of V(D,G) = E[log D(x)] + E[log(1 − D(G(z)))], in nats, as the lecture writes it. */
export function valueTerm(isReal: boolean, d: number): number {
  const eps = 1e-6;
  return Math.log(Math.min(1 - eps, Math.max(eps, isReal ? d : 1 - d)));
}

export const LOG_SCORE_FORMULA =
  'points per image = 100 · (1 + log₂ p / log₂ 100), where p = D(x) for a real image and 1 − D(G(z)) for a fake; D is your answer as a probability of "real" (a proper score: saying what you believe pays best)';
