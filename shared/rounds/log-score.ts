/**
 * The discriminator's objective as points. A player's answer is a probability D that the
 * image is real; the lecture's V(D,G) rewards log D(x) on reals and log(1 − D(G(z))) on
 * fakes, i.e. the log of the probability given to the truth. Shifted so that an honest
 * "I don't know" (p = 0.5) earns 100, confident and right nearly 200, and clamped at 0 so
 * one overconfident miss costs at most what the answer could have won.
 */
export const CONFIDENCES = [0.6, 0.75, 0.9, 0.99] as const;
const LOG_SCORE_UNIT = 100;

/** D(x): the probability a "real/fake with confidence c" answer gives to "real". */
export function answerToD(saysReal: boolean, confidence: number): number {
  return saysReal ? confidence : 1 - confidence;
}

/** Points for giving probability p to what turned out true. */
export function logScore(pTruth: number): number {
  return Math.max(0, Math.round(LOG_SCORE_UNIT * (2 + Math.log2(pTruth))));
}

/** One term of V(D,G) = E[log D(x)] + E[log(1 − D(G(z)))], in nats, as the lecture writes it. */
export function valueTerm(isReal: boolean, d: number): number {
  const eps = 1e-6;
  return Math.log(Math.min(1 - eps, Math.max(eps, isReal ? d : 1 - d)));
}

export const LOG_SCORE_FORMULA =
  'points per image = max(0, 100 · (2 + log₂ p)), where p = D(x) for a real image and 1 − D(G(z)) for a fake; D is your answer as a probability of "real"';
