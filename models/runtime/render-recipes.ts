/**
 * Turns render recipes into pixels. The browser's render worker and the server's fallback
 * both call this, so the same recipe gives the same image wherever it is rendered.
 */
import { makeSample } from '../../shared/dataset/index.ts';
import type { RenderRecipe } from '../../shared/render/recipes.ts';
import type { DiffusionModel } from '../diffusion/runtime.ts';
import type { LatentModels } from './latent-models.ts';

/** A diffusion sampler for recipes of model 'diffusion' (Models II); absent until loaded. */
export interface DiffusionRenderer {
  sampleCaptions(captions: readonly string[], opts: { seed: number; steps: number; guidance: number }): Promise<Uint8Array[]>;
}

/** The one call from a diffusion recipe to the model (browser worker, server fallback, evaluation): one recipe, one image everywhere. */
export function diffusionRenderer(model: Pick<DiffusionModel, 'sample'>): DiffusionRenderer {
  return { sampleCaptions: async (captions, { seed, steps, guidance }) => (await model.sample({ captions, seed, steps, guidance })).images };
}

export async function renderRecipes(models: { gan: LatentModels; diffusion?: DiffusionRenderer | null }, recipes: readonly RenderRecipe[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(recipes.length);
  const gan = recipes.flatMap((r, i) => (r.model === 'gan' ? [{ r, i }] : []));
  if (gan.length) {
    // Truncation ψ scales z towards the prior's mode: the classic fidelity/variety knob.
    const z = gan.map(({ r }) => models.gan.randomZ(1, r.zSeed)[0]!.map((v) => v * r.truncation));
    const images = models.gan.generate(
      gan.map(({ r }) => r.caption),
      z,
    );
    gan.forEach(({ i }, k) => (out[i] = images[k]!));
  }
  for (const [i, r] of recipes.entries()) {
    switch (r.model) {
      case 'gan':
        break;
      case 'gan-int':
        out[i] = models.gan.interpolate(r.caption, r.caption2, r.beta, models.gan.randomZ(1, r.zSeed)[0]!);
        break;
      case 'restyle':
        out[i] = models.gan.restyle(makeSample(r.referenceSeed).pixels, r.caption);
        break;
      case 'diffusion':
        if (!models.diffusion) throw new Error('the diffusion model is not loaded');
        out[i] = (await models.diffusion.sampleCaptions([r.caption], { seed: r.seed, steps: r.steps, guidance: r.guidance }))[0]!;
        break;
    }
  }
  return out;
}
