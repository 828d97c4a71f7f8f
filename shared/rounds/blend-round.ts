import { z } from 'zod';
import type { RoundDraws } from '../random.ts';
import type { RenderRecipe } from '../render/recipes.ts';
import { captionChanging, randomCaption } from './caption-pairs.ts';
import { serveImage } from '../render/served-image.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';

/**
 * "Blend": GAN-INT's text-embedding interpolation. The image is G(z, β φ(t1) + (1 − β) φ(t2));
 * players guess β, or drag a slider that re-renders on their own device until it matches.
 */
export const BLEND_MODES = ['guess', 'match'] as const;
type BlendMode = (typeof BLEND_MODES)[number];
const BLEND_TOLERANCE = 0.5;
const BLEND_MAX = 1000;
/** β values of the interpolation strip shown at the reveal. */
const BLEND_STRIP = Array.from({ length: 11 }, (_, i) => i / 10);

const blendOptionsSchema = z
  .object({
    mode: z.enum(BLEND_MODES),
    /** How many caption attributes differ between t1 and t2. */
    differences: z.number().int().min(1).max(3),
  })
  .strict();
type BlendOptions = z.infer<typeof blendOptionsSchema>;

interface BlendSecret {
  beta: number;
  caption1: string;
  caption2: string;
  zSeed: number;
  mode: BlendMode;
  target: Uint8Array;
}
interface BlendQuestion {
  kind: 'blend';
  mode: BlendMode;
  caption1: string;
  caption2: string;
  pixels: Uint8Array;
  /**
   * Match mode only: the z the target was drawn with, so the player's device can re-render
   * G(z, β φ(t1) + (1 − β) φ(t2)) live as the slider moves. β itself never leaves the server.
   */
  zSeed?: number;
}
interface BlendAnswer {
  beta: number;
}
export interface BlendReveal {
  kind: 'blend';
  mode: BlendMode;
  beta: number;
  caption1: string;
  caption2: string;
  target: Uint8Array;
  /** Enough for any device to render the whole strip now that the answer is out. */
  zSeed: number;
  strip: readonly number[];
  guesses: { playerId: string; nickname: string; beta: number; points: number }[];
}

export function blendScore(truth: number, guess: number): number {
  return Math.round(BLEND_MAX * Math.max(0, 1 - Math.abs(guess - truth) / BLEND_TOLERANCE));
}

function draw(draws: RoundDraws, options: BlendOptions) {
  const rng = draws.stream('blend');
  const first = randomCaption(rng);
  const caption2 = captionChanging(rng, first.attributes, options.differences);
  // A continuous β away from the ends, where the image is just one caption: no grid of
  // candidates a device could render and compare.
  const beta = 0.1 + 0.8 * rng.next();
  return { caption1: first.caption, caption2, beta, zSeed: draws.stream('z').int(0, 0x7fffffff) };
}

export const blendRound = defineRound<BlendSecret, BlendQuestion, BlendAnswer, BlendReveal, BlendOptions>({
  type: 'blend',
  title: 'Blend',
  blurb: 'GAN-INT: the image was made from β·φ(t1) + (1 − β)·φ(t2). How much of each caption is in it?',
  optionsSchema: blendOptionsSchema,
  defaultOptions: { mode: 'guess', differences: 1 },
  answerSchema: z.object({ beta: z.number().min(0).max(1) }).strict(),
  formula: `points = round(${BLEND_MAX} · max(0, 1 − |β̂ − β| / ${BLEND_TOLERANCE}))`,

  renderJobs(draws, options): RenderRecipe[] {
    const d = draw(draws, options);
    return [{ model: 'gan-int', caption: d.caption1, caption2: d.caption2, beta: d.beta, zSeed: d.zSeed }];
  },

  prepare(draws, options, renders) {
    const d = draw(draws, options);
    const rendered = renders[0];
    if (!rendered) throw new Error('blend: the target was not rendered');
    // Served with hidden per-round noise: G(z, β) on a device never reproduces it exactly.
    const target = serveImage(rendered, draws.stream('serve'));
    const question: BlendQuestion = { kind: 'blend', mode: options.mode, caption1: d.caption1, caption2: d.caption2, pixels: target };
    if (options.mode === 'match') question.zSeed = d.zSeed;
    return { secret: { ...d, mode: options.mode, target }, question };
  },

  score(secret, answer): ScoreBreakdown {
    const points = blendScore(secret.beta, answer.beta);
    return { points, accuracy: points, speedBonus: 0 };
  },

  reveal(secret, answers) {
    return {
      kind: 'blend',
      mode: secret.mode,
      beta: secret.beta,
      caption1: secret.caption1,
      caption2: secret.caption2,
      target: secret.target,
      zSeed: secret.zSeed,
      strip: BLEND_STRIP,
      guesses: answers.map((a) => ({ playerId: a.playerId, nickname: a.nickname, beta: a.answer.beta, points: a.points })),
    };
  },

  formatAnswer: (answer) => answer.beta.toFixed(3),
  formatTruth: (secret) => secret.beta.toFixed(2),
});
