import type { FakeRenderer, NeuralOpponents, RenderRecipe } from '../../shared/render/recipes.ts';

/**
 * The server's own copy of the game's models (TF.js on the WASM backend in Node), loaded
 * on first use so a lobby that never needs a fake never pays for it.
 */
export function lazyServerModels(): FakeRenderer & NeuralOpponents {
  let loading: Promise<FakeRenderer & NeuralOpponents> | null = null;
  const models = () => (loading ??= import('../../models/runtime/node.ts').then((m) => m.loadNodeRuntime()));
  return {
    async render(recipes: readonly RenderRecipe[]) {
      return (await models()).render(recipes);
    },
    async discriminate(images, captions) {
      return (await models()).discriminate(images, captions);
    },
    async judge(images, captions) {
      return (await models()).judge(images, captions);
    },
  };
}
