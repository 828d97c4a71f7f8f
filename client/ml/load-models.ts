/**
 * Downloads the shipped weights from the server (`/models/<name>/model.json|weights.bin`)
 * with byte-level progress while the backends are measured, then builds the models on the
 * chosen backend. Light on import: TF.js and the runtime are loaded by `import()` only when
 * `loadBrowserModels` is called, so the landing page stays small.
 */
import type { LatentModels } from '../../models/runtime/latent-models.ts';
import type { WeightsLoader } from '../../models/runtime/weights-loader.ts';
import type { DiffusionRenderer } from '../../models/runtime/render-recipes.ts';
import type { DiffusionModel } from '../../models/diffusion/runtime.ts';
import type { BackendReport, PickOptions } from './backends.ts';

export const MODELS_URL = '/models/';

export interface ModelLoadProgress {
  phase: 'download' | 'build' | 'ready';
  loadedBytes: number;
  /** sum of the Content-Length of the files whose headers have arrived */
  totalBytes: number;
  filesDone: number;
  filesTotal: number;
  /** 0..1 over the whole load (download ≈ 90 %, building ≈ 10 %) */
  fraction: number;
}

/** The diffusion model, and the recipe renderer's view of it (one DDIM sample per caption). */
export interface BrowserDiffusion extends DiffusionRenderer {
  model: DiffusionModel;
}

export interface BrowserModels {
  gan: LatentModels;
  /** only when asked for with `diffusion: true` (null if its weights are not shipped) */
  diffusion: BrowserDiffusion | null;
  backend: BackendReport;
  /** bytes of weights fetched (model.json + weights.bin of every model) */
  downloadedBytes: number;
}

export interface LoadOptions extends PickOptions {
  /** run on this backend without measuring the others (benchmarks) */
  backend?: string;
  baseUrl?: string;
  /** also load the diffusion model (≈ what the Noise schedule rounds need); default false */
  diffusion?: boolean;
}

class ByteCounter {
  loaded = 0;
  total = 0;
  filesDone = 0;
  filesTotal = 0;
  private readonly report: () => void;
  constructor(report: () => void) {
    this.report = report;
  }

  /** Fetches one file, counting its bytes as they arrive. */
  async fetch(url: string): Promise<Uint8Array> {
    this.filesTotal += 1;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? 0);
    this.total += length;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    if (!reader) {
      const all = new Uint8Array(await res.arrayBuffer());
      chunks.push(all);
      size = all.length;
      this.loaded += size;
    } else {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        size += value.length;
        this.loaded += value.length;
        this.report();
      }
    }
    if (!length) this.total += size;
    this.filesDone += 1;
    this.report();
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export async function loadBrowserModels(onProgress?: (p: ModelLoadProgress) => void, options: LoadOptions = {}): Promise<BrowserModels> {
  const base = options.baseUrl ?? MODELS_URL;
  let phase: ModelLoadProgress['phase'] = 'download';
  let built = 0;
  let shown = 0; // never backwards: the total grows as more files' headers arrive
  const emit = () => {
    const download = counter.filesTotal ? (counter.total ? counter.loaded / counter.total : counter.filesDone / counter.filesTotal) : 0;
    const fraction = phase === 'ready' ? 1 : Math.min(0.9, 0.9 * download) + 0.1 * built;
    shown = Math.max(shown, Math.min(1, fraction));
    onProgress?.({ phase, loadedBytes: counter.loaded, totalBytes: counter.total, filesDone: counter.filesDone, filesTotal: counter.filesTotal, fraction: shown });
  };
  const counter = new ByteCounter(emit);
  emit();

  const [backends, runtime] = await Promise.all([import('./backends.ts'), import('../../models/runtime/latent-models.ts')]);
  const files = runtime.MODEL_NAMES.flatMap((name) => [`${name}/model.json`, `${name}/weights.bin`]);
  // Download everything while the backends are measured (network and CPU overlap).
  const bytes = files.map((f) => counter.fetch(base + f));
  bytes.forEach((p) => p.catch(() => undefined)); // surfaced by the Promise.all below
  const backendReport = options.backend
    ? backends.useBackend(options.backend).then((): BackendReport => ({ chosen: options.backend!, timingsMs: {}, failed: {}, cached: false }))
    : backends.pickBackend(options);
  const [downloaded, backend] = await Promise.all([Promise.all(bytes), backendReport]);
  const byPath = new Map(files.map((f, i) => [f, downloaded[i]!]));

  phase = 'build';
  emit();
  const memory: WeightsLoader = async (path) => {
    const b = byPath.get(path);
    if (!b) throw new Error(`weights file ${path} was not downloaded`);
    return b;
  };
  const gan = await runtime.loadLatentModels(memory, (p) => {
    built = p.fraction;
    emit();
  });
  byPath.clear();

  let diffusion: BrowserDiffusion | null = null;
  if (options.diffusion) {
    try {
      diffusion = await loadDiffusionOn((path) => counter.fetch(base + path));
    } catch (error) {
      console.warn('The diffusion model could not be loaded', error);
    }
  }
  phase = 'ready';
  emit();
  return { gan, diffusion, backend, downloadedBytes: counter.loaded };
}

async function loadDiffusionOn(loader: WeightsLoader): Promise<BrowserDiffusion> {
  const [{ loadDiffusionModel }, { diffusionRenderer }] = await Promise.all([import('../../models/diffusion/runtime.ts'), import('../../models/runtime/render-recipes.ts')]);
  const model = await loadDiffusionModel(loader);
  return { model, ...diffusionRenderer(model) };
}

/**
 * The diffusion model alone, on the backend already chosen (call after loadBrowserModels).
 * Progress is in bytes, as for the other models.
 */
export async function loadBrowserDiffusion(onProgress?: (p: { loadedBytes: number; totalBytes: number }) => void, baseUrl = MODELS_URL): Promise<BrowserDiffusion> {
  const counter = new ByteCounter(() => onProgress?.({ loadedBytes: counter.loaded, totalBytes: counter.total }));
  return loadDiffusionOn((path) => counter.fetch(baseUrl + path));
}
