import { IMAGE_SIZE, CHANNELS } from '../dataset/vocabulary.ts';

/** Exact byte length of every image that travels: 32×32 RGB. */
export const IMAGE_BYTES = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;

export const FAKE_SOURCES = ['gan', 'diffusion'] as const;
export type FakeSource = (typeof FAKE_SOURCES)[number];
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

/**
 * How a fake is made: enough for any device with the shipped weights to produce the same
 * image. Recipes only ever go to the assigned render worker, never to a judging player.
 */
export type RenderRecipe =
  | { model: 'gan'; caption: string; zSeed: number; truncation: number }
  | { model: 'diffusion'; caption: string; seed: number; steps: number; guidance: number }
  /** GAN-INT: G(z, β φ(caption) + (1 − β) φ(caption2)). */
  | { model: 'gan-int'; caption: string; caption2: string; beta: number; zSeed: number }
  /** Style transfer: G(S(x), φ(caption)) with x the data-set image of `referenceSeed`. */
  | { model: 'restyle'; referenceSeed: number; caption: string };

/**
 * Difficulty is a real knob of each model: the GAN's truncation ψ (z scaled towards the
 * mode: small ψ gives cleaner, more typical fakes) and the diffusion sampler's step count
 * (few DDIM steps leave visible artefacts).
 */
export function recipeFor(source: FakeSource, difficulty: Difficulty, caption: string, seed: number): RenderRecipe {
  if (source === 'gan') {
    const truncation = { easy: 1.6, medium: 1.0, hard: 0.6 }[difficulty];
    return { model: 'gan', caption, zSeed: seed, truncation };
  }
  const steps = { easy: 4, medium: 12, hard: 50 }[difficulty];
  return { model: 'diffusion', caption, seed, steps, guidance: 3 };
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
