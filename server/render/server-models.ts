import type { FakeRenderer, NeuralOpponents, RenderRecipe } from '../../shared/render/recipes.ts';
import type { LatentModels } from '../../models/runtime/latent-models.ts';

/**
 * The server's own copy of the game's models (TF.js on the WASM backend in Node), loaded
 * on first use so a lobby that never needs a fake never pays for it.
 */
export function lazyServerModels(): FakeRenderer & NeuralOpponents {
  let loading: Promise<LatentModels> | null = null;
  const gan = () =>
    (loading ??= import('../../models/runtime/node.ts')
      .then((m) => m.loadNodeModels())
      .catch((err: unknown) => {
        loading = null; // let a later round try again instead of failing forever
        throw err;
      }));
  return {
    async render(recipes: readonly RenderRecipe[]) {
      const { renderRecipes } = await import('../../models/runtime/render-recipes.ts');
      return renderRecipes({ gan: await gan(), diffusion: null }, recipes);
    },
    async discriminate(images, captions) {
      return (await gan()).discriminateMany(images, captions);
    },
    async judge(images, captions) {
      // The CLIP pair's softmax over all 128 captions: how sure the judge is that this caption is the one.
      return (await gan()).judgeMany(images, captions).map((r) => r.probability);
    },
  };
}
