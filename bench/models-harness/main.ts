/**
 * The model harness page: the browser model runtime (client/ml) driven from Playwright
 * through `window.modelsHarness`, for `npm run bench:models` and test/browser/models.test.ts.
 * Not part of the game: it is built separately and nothing here is reachable from the client.
 * Images cross page.evaluate as plain number arrays.
 */
import { allCaptions, captionOf } from '../../shared/dataset/index.ts';
import type { RenderRecipe } from '../../shared/render/recipes.ts';
import { loadBrowserModels } from '../../client/ml/load-models.ts';
import { ModelService } from '../../client/ml/model-service.ts';
import { mountModelStatus } from '../../client/ml/model-status.ts';
import { startRenderWorker } from '../../client/ml/render-worker.ts';

let service: ModelService | null = null;
const models = () => {
  if (!service) throw new Error('call modelsHarness.load() first');
  return service;
};
const bytes = (xs: readonly number[]) => Uint8Array.from(xs);
const plain = (xs: readonly Uint8Array[]) => xs.map((x) => Array.from(x));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Bytes the page fetched, by kind (Resource Timing; the server sends no compression). */
function fetched(): { models: number; wasm: number; js: number } {
  const out = { models: 0, wasm: 0, js: 0 };
  for (const e of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
    const path = new URL(e.name).pathname;
    const size = e.encodedBodySize;
    if (path.startsWith('/models/')) out.models += size;
    else if (path.startsWith('/wasm/')) out.wasm += size;
    else if (path.endsWith('.js')) out.js += size;
  }
  return out;
}

export interface BenchFigures {
  backend: string;
  loadMs: number;
  gen16FirstMs: number | null;
  gen16WarmMs: number | null;
  gen1FirstMs: number | null;
  gen1WarmMs: number | null;
  blend1WarmMs: number | null;
  downloadedBytes: number;
  /** dataSync gives the same values as data() on this backend; when not, nothing else is measured */
  syncReadOk: boolean;
  fetched: { models: number; wasm: number; js: number };
  diffusion: null | { one50FirstMs: number; one50WarmMs: number; four50FirstMs: number; four50WarmMs: number | null };
}

const harness = {
  /** What the game does: ModelService + the status widget. */
  async load(options: { fresh?: boolean; candidates?: string[] } = {}) {
    service = new ModelService({ fresh: options.fresh ?? true, ...(options.candidates ? { candidates: options.candidates } : {}) });
    const fractions: number[] = [];
    service.subscribe((s) => {
      if (s.state === 'loading' && s.progress) fractions.push(s.progress.fraction);
    });
    const widget = mountModelStatus(document.getElementById('status')!, service);
    const t0 = performance.now();
    await service.ready();
    const status = service.status;
    return {
      loadMs: performance.now() - t0,
      backend: service.backendReport!,
      msPerImage: service.msPerImage!,
      hasDiffusion: service.hasDiffusion,
      downloadedBytes: status.state === 'ready' ? status.downloadedBytes : 0,
      fractions,
      widget: { text: widget.element.textContent ?? '', state: widget.element.dataset.state ?? '' },
      fetched: fetched(),
    };
  },
  async generate(captions: string[], seed: number) {
    return plain(await models().generate(captions, seed));
  },
  async interpolate(t1: string, t2: string, beta: number, seed: number) {
    return Array.from(await models().interpolate(t1, t2, beta, seed));
  },
  async restyle(image: number[], caption: string) {
    return Array.from(await models().restyle(bytes(image), caption));
  },
  async judge(images: number[][], captions: string[]) {
    return models().judgeMany(images.map(bytes), captions);
  },
  async discriminate(images: number[][], captions: string[]) {
    return models().discriminateMany(images.map(bytes), captions);
  },
  async renderRecipes(recipes: RenderRecipe[]) {
    return plain(await models().renderRecipes(recipes));
  },
  /** A render worker over a loopback channel: what it sends for one round of jobs. */
  async renderRound(jobs: { jobId: string; recipe: RenderRecipe }[], deadlineMs: number, volunteer: boolean) {
    const sent: { type: string; payload: Record<string, unknown>; at: number }[] = [];
    const handlers = new Map<string, (p: unknown) => void>();
    const t0 = performance.now();
    let done: (s: { uploaded: number; skipped: number }) => void = () => undefined;
    const finished = new Promise<{ uploaded: number; skipped: number }>((resolve) => (done = resolve));
    const worker = startRenderWorker(
      {
        send: (type, payload) => sent.push({ type, payload: payload as Record<string, unknown>, at: performance.now() - t0 }),
        onMessage: (type, cb) => {
          handlers.set(type, cb as (p: unknown) => void);
          return () => handlers.delete(type);
        },
      },
      { volunteer, models: models(), onRound: done },
    );
    await worker.offered;
    (handlers.get('render:jobs') as ((p: unknown) => void) | undefined)?.({ round: 0, deadlineMs, jobs });
    const summary = await finished;
    worker.stop();
    return {
      summary,
      sent: sent.map(({ type, payload, at }) =>
        type === 'render:result'
          ? { type, at, jobId: payload.jobId, isBytes: payload.pixels instanceof Uint8Array, pixels: Array.from(payload.pixels as Uint8Array) }
          : { type, at, payload },
      ),
      stillListening: handlers.has('render:jobs'),
    };
  },
  /** The backend choice alone, on a fresh measurement. */
  async choose() {
    const { pickBackend } = await import('../../client/ml/backends.ts');
    return pickBackend({ fresh: true });
  },
  /** Latency figures on one given backend (no choice), for bench:models. */
  async bench({ backend, reps = 5, diffusion: withDiffusion = false }: { backend: string; reps?: number; diffusion?: boolean }): Promise<BenchFigures> {
    const t0 = performance.now();
    const m = await loadBrowserModels(undefined, { backend, diffusion: withDiffusion });
    const loadMs = performance.now() - t0;
    // The runtime reads results synchronously; where that is broken (and breaks the device) nothing else is valid.
    const { syncReadbackWorks } = await import('../../client/ml/backends.ts');
    if (!(await syncReadbackWorks())) {
      const none = { gen16FirstMs: null, gen16WarmMs: null, gen1FirstMs: null, gen1WarmMs: null, blend1WarmMs: null };
      return { backend, loadMs, ...none, downloadedBytes: m.downloadedBytes, syncReadOk: false, fetched: fetched(), diffusion: null };
    }
    const caps = allCaptions().map(captionOf);
    const caps16 = Array.from({ length: 16 }, (_, i) => caps[(i * 37) % caps.length]!);
    let diffusion: BenchFigures['diffusion'] = null;
    if (m.diffusion) {
      const d = m.diffusion;
      const timeAsync = async (f: () => Promise<unknown>) => {
        const s = performance.now();
        await f();
        return performance.now() - s;
      };
      const opts = (seed: number) => ({ seed, steps: 50, guidance: 3 });
      const one50FirstMs = await timeAsync(() => d.sampleCaptions([caps16[0]!], opts(1)));
      // Emulated GPUs take many seconds per sample: fewer repetitions when slow.
      const n = one50FirstMs > 4000 ? 1 : 3;
      const ones: number[] = [];
      for (let i = 0; i < n; i++) ones.push(await timeAsync(() => d.sampleCaptions([caps16[i + 1]!], opts(2 + i))));
      const four50FirstMs = await timeAsync(() => d.sampleCaptions(caps16.slice(0, 4), opts(9)));
      const four50WarmMs = four50FirstMs > 8000 ? null : await timeAsync(() => d.sampleCaptions(caps16.slice(4, 8), opts(10)));
      diffusion = { one50FirstMs, one50WarmMs: median(ones), four50FirstMs, four50WarmMs };
    }
    const time = (f: () => unknown) => {
      const s = performance.now();
      f();
      return performance.now() - s;
    };
    const warm = (f: (i: number) => unknown, n = reps) => median(Array.from({ length: n }, (_, i) => time(() => f(i))));
    const gen16FirstMs = time(() => m.gan.generate(caps16, 1));
    const gen16WarmMs = warm((i) => m.gan.generate(caps16, 10 + i));
    const gen1FirstMs = time(() => m.gan.generate([caps16[0]!], 100));
    const gen1WarmMs = warm((i) => m.gan.generate([caps16[i % 16]!], 200 + i), reps * 2);
    m.gan.interpolate(caps16[0]!, caps16[1]!, 0.5, 7);
    const blend1WarmMs = warm((i) => m.gan.interpolate(caps16[0]!, caps16[1]!, (i + 1) / (reps * 2 + 1), 7), reps * 2);
    return {
      backend,
      loadMs,
      gen16FirstMs,
      gen16WarmMs,
      gen1FirstMs,
      gen1WarmMs,
      blend1WarmMs,
      downloadedBytes: m.downloadedBytes,
      syncReadOk: true,
      fetched: fetched(),
      diffusion,
    };
  },
};

export type ModelsHarness = typeof harness;
(window as unknown as { modelsHarness: ModelsHarness }).modelsHarness = harness;
document.body.dataset.harness = 'ready';
