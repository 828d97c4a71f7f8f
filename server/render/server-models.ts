import type { FakeRenderer, NeuralOpponents, RenderRecipe } from '../../shared/render/recipes.ts';
import type { LatentModels } from '../../models/runtime/latent-models.ts';
import type { DiffusionRenderer } from '../../models/runtime/render-recipes.ts';

/** Loads once; a failure is forgotten so a later round can try again instead of failing forever. */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = null;
      throw err;
    }));
}

/**
 * The server's own copy of the game's models (TF.js on the WASM backend in Node), loaded
 * on first use so a lobby that never needs a fake never pays for it. The diffusion model
 * loads only when a diffusion fake has to be rendered here.
 */
export function lazyServerModels(weightsDir?: string): FakeRenderer & NeuralOpponents {
  const gan = lazy<LatentModels>(async () => (await import('../../models/runtime/node.ts')).loadNodeModels({ dir: weightsDir }));
  const diffusion = lazy<DiffusionRenderer>(async () => {
    const [{ initNodeWasm }, { fileLoader }, { loadDiffusionModel }, { diffusionRenderer }] = await Promise.all([
      import('../../models/tf/node-wasm.ts'),
      import('../../models/runtime/node.ts'),
      import('../../models/diffusion/runtime.ts'),
      import('../../models/runtime/render-recipes.ts'),
    ]);
    await initNodeWasm();
    return diffusionRenderer(await loadDiffusionModel(fileLoader(weightsDir)));
  });
  return {
    async render(recipes: readonly RenderRecipe[]) {
      const { renderRecipes } = await import('../../models/runtime/render-recipes.ts');
      const needsDiffusion = recipes.some((r) => r.model === 'diffusion');
      return renderRecipes({ gan: await gan(), diffusion: needsDiffusion ? await diffusion() : null }, recipes);
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
