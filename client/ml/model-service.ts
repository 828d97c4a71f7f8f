/**
 * The one object scenes talk to for model work: loads once (lazily), says which backend
 * it chose and how fast one image is, and runs the models. Light on import; the heavy
 * modules arrive with the first `ready()`.
 */
import type { JudgeResult } from '../../models/runtime/latent-models.ts';
import type { FakeRenderer, NeuralOpponents, RenderRecipe } from '../../shared/render/recipes.ts';
import type { BackendReport } from './backends.ts';
import type { DiffusionModel } from '../../models/diffusion/runtime.ts';
import { loadBrowserDiffusion, loadBrowserModels, type BrowserDiffusion, type BrowserModels, type LoadOptions, type ModelLoadProgress } from './load-models.ts';

export type { JudgeResult };

export type ModelStatus =
  | { state: 'idle' }
  | { state: 'loading'; progress: ModelLoadProgress | null }
  | { state: 'ready'; backend: BackendReport; msPerImage: number; downloadedBytes: number }
  | { state: 'error'; message: string };

/** Latent vectors, or a seed to draw them from (reproducible on every device). */
type Latents = readonly Float32Array[] | number;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export class ModelService {
  private readonly options: LoadOptions;
  private loading: Promise<BrowserModels> | null = null;
  private models: BrowserModels | null = null;
  private current: ModelStatus = { state: 'idle' };
  private readonly listeners = new Set<(s: ModelStatus) => void>();
  private measuredMs: number | null = null;
  private diffusionLoading: Promise<BrowserDiffusion> | null = null;
  private diffusionLoaded: BrowserDiffusion | null = null;

  constructor(options: LoadOptions = {}) {
    this.options = options;
  }

  get status(): ModelStatus {
    return this.current;
  }

  /** Calls `listener` now and on every change; returns the unsubscribe function. */
  subscribe(listener: (s: ModelStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  private set(status: ModelStatus): void {
    this.current = status;
    for (const l of this.listeners) l(status);
  }

  /** Starts loading (once; again after a failure) and resolves when the models can run. */
  async ready(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = null;
      this.set({ state: 'error', message: error instanceof Error ? error.message : String(error) });
      throw error;
    });
    await this.loading;
  }

  private async load(): Promise<BrowserModels> {
    this.set({ state: 'loading', progress: null });
    const models = await loadBrowserModels((progress) => this.set({ state: 'loading', progress }), this.options);
    // ms per image: one generator image, warm (the first call compiles / uploads weights).
    const caption = 'a small red circle';
    models.gan.generate([caption], 0);
    const times: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const t0 = performance.now();
      models.gan.generate([caption], i);
      times.push(performance.now() - t0);
    }
    this.measuredMs = Math.max(0.1, median(times));
    this.models = models;
    this.set({ state: 'ready', backend: models.backend, msPerImage: this.measuredMs, downloadedBytes: models.downloadedBytes });
    return models;
  }

  private async gan() {
    await this.ready();
    return this.models!.gan;
  }

  /** The active TF.js backend once ready. */
  get backend(): string | null {
    return this.models?.backend.chosen ?? null;
  }

  get backendReport(): BackendReport | null {
    return this.models?.backend ?? null;
  }

  /** Measured warm time of one generator image, in ms. */
  get msPerImage(): number | null {
    return this.measuredMs;
  }

  /** True once the diffusion model has loaded (see `diffusion()`). */
  get hasDiffusion(): boolean {
    return this.diffusionLoaded !== null;
  }

  /**
   * The diffusion model (DDPM/DDIM samplers, step-by-step views), loaded on first call on
   * the backend already chosen; rejects when its weights are not shipped.
   */
  async diffusion(): Promise<DiffusionModel> {
    return (await this.diffusionRenderer()).model;
  }

  private async diffusionRenderer(): Promise<BrowserDiffusion> {
    await this.ready();
    this.diffusionLoading ??= (this.models!.diffusion ? Promise.resolve(this.models!.diffusion) : loadBrowserDiffusion(undefined, this.options.baseUrl)).then(
      (d) => (this.diffusionLoaded = d),
      (error: unknown) => {
        this.diffusionLoading = null;
        throw error;
      },
    );
    return this.diffusionLoading;
  }

  /** G(z, φ(t)) per caption, 32×32 RGB bytes each. */
  async generate(captions: readonly string[], z: Latents = 0): Promise<Uint8Array[]> {
    return (await this.gan()).generate(captions, z);
  }

  /** GAN-INT: G(z, β φ(t1) + (1 − β) φ(t2)). */
  async interpolate(t1: string, t2: string, beta: number, z: Float32Array | number = 0): Promise<Uint8Array> {
    return (await this.gan()).interpolate(t1, t2, beta, z);
  }

  /** The style of `x` (S(x)) with a new caption. */
  async restyle(x: Uint8Array, caption: string): Promise<Uint8Array> {
    return (await this.gan()).restyle(x, caption);
  }

  /** The CLIP pair's verdict on an image and a caption. */
  async judge(image: Uint8Array, caption: string): Promise<JudgeResult> {
    return (await this.gan()).judge(image, caption);
  }

  async judgeMany(images: readonly Uint8Array[], captions: readonly string[]): Promise<JudgeResult[]> {
    return (await this.gan()).judgeMany(images, captions);
  }

  /** D(x, φ(t)): the probability that x is real and matches t. */
  async discriminate(image: Uint8Array, caption: string): Promise<number> {
    return (await this.gan()).discriminate(image, caption);
  }

  async discriminateMany(images: readonly Uint8Array[], captions: readonly string[]): Promise<number[]> {
    return (await this.gan()).discriminateMany(images, captions);
  }

  /** Recipes → pixels exactly as the server's fallback renders them. */
  async renderRecipes(recipes: readonly RenderRecipe[]): Promise<Uint8Array[]> {
    await this.ready();
    const diffusion = recipes.some((r) => r.model === 'diffusion') ? await this.diffusionRenderer() : null;
    const { renderRecipes } = await import('../../models/runtime/render-recipes.ts');
    return renderRecipes({ gan: this.models!.gan, diffusion }, recipes);
  }

  /**
   * The game engine's view (shared/render/recipes.ts), the same mapping as the server's
   * (server/render/server-models.ts): solo mode passes this to the rule books.
   */
  asGameModels(): FakeRenderer & NeuralOpponents {
    return {
      render: (recipes) => this.renderRecipes(recipes),
      discriminate: (images, captions) => this.discriminateMany(images, captions),
      judge: async (images, captions) => (await this.judgeMany(images, captions)).map((r) => r.probability),
    };
  }
}

let shared: ModelService | null = null;

/** The page's one ModelService (models load once, whichever scene asks first). */
export function getModelService(): ModelService {
  shared ??= new ModelService();
  return shared;
}
