import { IMAGE_SIZE, CHANNELS } from '../dataset/vocabulary.ts';
import { deriveSeed } from '../random.ts';

/** Exact byte length of every image that travels: 32×32 RGB. */
export const IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;

/** Length of the GAN's latent z (models/gan/networks.ts builds G with it). */
export const GAN_Z_DIM = 32;

export const FAKE_SOURCES = ['gan', 'diffusion'] as const;
export type FakeSource = (typeof FAKE_SOURCES)[number];
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/**
 * How a fake is made: enough for any device with the shipped weights to produce the same
 * image. Recipes only ever go to the assigned render worker, never to a judging player.
 */
export type RenderRecipe =
  /** G(ψ·z, φ(caption)), z drawn from zSeed, or given (the adversarial search's z). */
  | { model: 'gan'; caption: string; zSeed: number; truncation: number; z?: number[]; pick?: RealnessPick }
  | { model: 'diffusion'; caption: string; seed: number; steps: number; guidance: number; pick?: RealnessPick }
  /** GAN-INT: G(z, β φ(caption) + (1 − β) φ(caption2)). */
  | { model: 'gan-int'; caption: string; caption2: string; beta: number; zSeed: number }
  /** Style transfer: G(S(x), φ(caption)) with x the data-set image of `referenceSeed`. */
  | { model: 'restyle'; referenceSeed: number; caption: string };

/**
 * Which of several draws of the same recipe is kept: the renderer draws `candidates` of them
 * (the recipe's own seed first, then candidateSeed's), scores each by realness (the neural
 * D's logit on a served copy, what the class will see, optionally with the colours' distance
 * to the palette: shared/render/realness.ts), and keeps the least or the most real.
 */
export interface RealnessPick {
  candidates: number;
  keep: 'least-real' | 'most-real';
  /** whether the palette tell counts beside D (realness.ts); absent: D alone */
  palette?: boolean;
}

/** The seed of candidate k of a recipe drawn with `seed` (candidate 0 is the recipe's own). */
export function candidateSeed(seed: number, k: number): number {
  return k === 0 ? seed : deriveSeed(seed, `candidate ${k}`);
}

/**
 * Difficulty picks fakes by how real they look (the neural D, with the palette tell for the
 * GAN): "easy" keeps the least real of several draws, "hard" the most real, "medium" a single draw. For diffusion the sampler's
 * step count adds to it (few DDIM steps leave visible artefacts); each diffusion draw costs
 * a full sampling run, so it draws fewer candidates. eval:models (part f) prints, per level,
 * how well the neural D and simple pixel statistics catch the fakes.
 */
export const DIFFICULTY_PICK: Readonly<Record<FakeSource, Readonly<Record<Difficulty, RealnessPick | null>>>> = {
  gan: { easy: { candidates: 10, keep: 'least-real', palette: true }, medium: null, hard: { candidates: 10, keep: 'most-real', palette: true } },
  // D alone: at 4 steps diffusion's colours already drift off the palette as far as the
  // fair-play bar allows (a byte statistic's AUC ≤ 0.75); the palette tell took "easy" past it.
  diffusion: { easy: { candidates: 3, keep: 'least-real' }, medium: null, hard: { candidates: 3, keep: 'most-real' } },
};
const DIFFUSION_STEPS: Readonly<Record<Difficulty, number>> = { easy: 4, medium: 12, hard: 50 };

export function recipeFor(source: FakeSource, difficulty: Difficulty, caption: string, seed: number): RenderRecipe {
  const pick = DIFFICULTY_PICK[source][difficulty];
  if (source === 'gan') return { model: 'gan', caption, zSeed: seed, truncation: 1, ...(pick ? { pick } : {}) };
  return { model: 'diffusion', caption, seed, steps: DIFFUSION_STEPS[difficulty], guidance: 3, ...(pick ? { pick } : {}) };
}

/** Renders recipes into pixels: the browser runtime, the Node runtime, or a test double. */
export interface FakeRenderer {
  render(recipes: readonly RenderRecipe[]): Promise<Uint8Array[]>;
}

/**
 * The game's neural opponents. `discriminate` is the matching-aware GAN discriminator's
 * probability that an image is real given its caption; `judge` the CLIP pair's
 * caption–image similarity turned into a probability that they match.
 */
export interface NeuralOpponents {
  discriminate(images: readonly Uint8Array[], captions: readonly string[]): Promise<number[]>;
  judge(images: readonly Uint8Array[], captions: readonly string[]): Promise<number[]>;
}

/** A recipe's own random draw (the seed withSeed replaces). */
export function seedOf(recipe: RenderRecipe): number {
  switch (recipe.model) {
    case 'gan':
    case 'gan-int':
      return recipe.zSeed;
    case 'diffusion':
      return recipe.seed;
    case 'restyle':
      return recipe.referenceSeed;
  }
}

/** The same fake with another random draw (z for the GAN, the noise for diffusion): a generator player's candidates. */
export function withSeed(recipe: RenderRecipe, seed: number): RenderRecipe {
  switch (recipe.model) {
    case 'gan':
    case 'gan-int':
      return { ...recipe, zSeed: seed };
    case 'diffusion':
      return { ...recipe, seed };
    case 'restyle':
      return { ...recipe, referenceSeed: seed };
  }
}
