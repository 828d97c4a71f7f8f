/**
 * Turns render recipes into pixels. The browser's render worker and the server's fallback
 * both call this, so the same recipe gives the same image wherever it is rendered.
 */
import { makeSample } from '../../shared/dataset/index.ts';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { candidateSeed, seedOf, withSeed, type RealnessPick, type RenderRecipe } from '../../shared/render/recipes.ts';
import { realnessScores } from '../../shared/render/realness.ts';
import { serveImage } from '../../shared/render/served-image.ts';
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

/**
 * Renders recipes; a recipe with a realness pick (RealnessPick) is drawn once per candidate
 * and their realness (shared/render/realness.ts: the neural D, with the palette tell if the pick says so) chooses
 * which draw is kept.
 */
export async function renderRecipes(models: { gan: LatentModels; diffusion?: DiffusionRenderer | null }, recipes: readonly RenderRecipe[]): Promise<Uint8Array[]> {
  if (!recipes.some((r) => pickOf(r))) return renderPlain(models, recipes);
  const flat: RenderRecipe[] = [];
  const spans = recipes.map((r) => {
    const from = flat.length;
    const pick = pickOf(r);
    if (!pick || (r.model !== 'gan' && r.model !== 'diffusion')) {
      flat.push(r);
      return { from, n: 1, pick: null };
    }
    const { pick: _, ...single } = r;
    const seed = seedOf(single);
    for (let k = 0; k < pick.candidates; k++) flat.push(withSeed(single, candidateSeed(seed, k)));
    return { from, n: pick.candidates, pick };
  });
  const images = await renderPlain(models, flat);
  // D scores only the candidates of recipes with a pick.
  const scored = spans.flatMap(({ from, n, pick }) => (pick ? Array.from({ length: n }, (_, k) => from + k) : []));
  // Scored as the class will see them: through the served-image pipeline, with a draw of
  // its own (the server serves the kept image again with its secret stream).
  const scores = models.gan.discriminatorLogits(
    scored.map((i) => serveImage(images[i]!, createRng(deriveSeed(seedOf(flat[i]!), 'realness serve')))),
    scored.map((i) => flat[i]!.caption),
  );
  const logit = new Map(scored.map((i, k) => [i, scores[k]!]));
  return spans.map(({ from, n, pick }) => {
    if (!pick) return images[from]!;
    const idx = Array.from({ length: n }, (_, k) => from + k);
    const logits = idx.map((i) => logit.get(i)!);
    const real = pick.palette
      ? realnessScores(
          logits,
          idx.map((i) => images[i]!),
        )
      : logits;
    let best = 0;
    for (let k = 1; k < n; k++) if (pick.keep === 'most-real' ? real[k]! > real[best]! : real[k]! < real[best]!) best = k;
    return images[from + best]!;
  });
}

function pickOf(r: RenderRecipe): RealnessPick | null {
  return (r.model === 'gan' || r.model === 'diffusion') && r.pick ? r.pick : null;
}

async function renderPlain(models: { gan: LatentModels; diffusion?: DiffusionRenderer | null }, recipes: readonly RenderRecipe[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(recipes.length);
  const gan = recipes.flatMap((r, i) => (r.model === 'gan' ? [{ r, i }] : []));
  if (gan.length) {
    // Truncation ψ scales z towards the prior's mode: the classic fidelity/variety knob.
    const z = gan.map(({ r }) => (r.z ? Float32Array.from(r.z) : models.gan.randomZ(1, r.zSeed)[0]!).map((v) => v * r.truncation));
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
