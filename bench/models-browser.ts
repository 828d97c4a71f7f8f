/**
 * `npm run bench:models`: the shipped models in Chromium, per TF.js backend, the way the
 * browser tests run them: the model harness page (bench/models-harness, built with Vite)
 * served by the real server, weights fetched over HTTP from /models, wasm from /wasm.
 * Prints first-call and warm (median) latencies of the generator for 16 images and for one
 * (the Blend slider wants one image within 33 ms on wasm), the diffusion sampler when its
 * weights are shipped (one 50-step DDIM image, target < 0.5 s on wasm; a batch of 4), the
 * bytes downloaded, and ratios against wasm measured in the same run. Asserts nothing.
 *
 *   BENCH_BACKENDS=wasm,webgl  BENCH_REPS=5  npm run bench:models
 */
import '../scripts/check-node.mjs';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { MODEL_NAMES } from '../models/runtime/latent-models.ts';
import { startServer } from '../server/app.ts';
import type { BenchFigures, ModelsHarness } from './models-harness/main.ts';
import { ensureModelsHarness } from './models-harness/build.ts';

const root = resolve(import.meta.dirname, '..');
const BACKENDS = ['wasm', 'webgpu', 'webgl', 'cpu'];
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
];

type Row = BenchFigures;

const ms = (v: number | null | undefined) => (v == null ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const ratio = (v: number | null | undefined, base: number | null | undefined) => (v == null || !base ? '–' : `${(v / base).toFixed(2)}×`);
const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ')} |`;
  return [line(head), `|${w.map((n, i) => (i === 0 ? ':' : '') + '-'.repeat(n + 1) + (i === 0 ? '' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

async function harnessPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-harness="ready"]', { state: 'attached' });
  return page;
}

interface BenchModelsOptions {
  backends?: string[];
  reps?: number;
  /** measure the diffusion sampler (default: when its weights are shipped) */
  diffusion?: boolean;
  /** lets a caller adjust the browser context before pages open (e.g. tracing) */
  prepare?: (context: BrowserContext) => Promise<void>;
}

async function benchModelsBrowser(options: BenchModelsOptions = {}): Promise<void> {
  const backends = options.backends ?? BACKENDS;
  const reps = options.reps ?? 5;
  const diffusion = options.diffusion ?? ['diffusion-eps', 'diffusion-decoder'].every((d) => existsSync(join(root, 'models/weights', d, 'weights.bin')));

  console.log('bench:models: building the model harness page…');
  const clientDir = ensureModelsHarness();
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-arena-bench-data-'));
  const profile = mkdtempSync(join(tmpdir(), 'latent-arena-bench-profile-'));
  const server = await startServer({ port: 0, dataDir, quiet: true, clientDir });
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  await options.prepare?.(context);
  try {
    // The choice the game makes (fresh measurement, all candidates).
    const choicePage = await harnessPage(context, server.url);
    const choice = await choicePage.evaluate(() => (window as unknown as { modelsHarness: ModelsHarness }).modelsHarness.choose());
    await choicePage.close();
    const timings = Object.entries(choice.timingsMs)
      .map(([n, t]) => `${n} ${t.toFixed(1)} ms`)
      .join(', ');
    const failed = Object.entries(choice.failed)
      .map(([n, r]) => `${n} (${r})`)
      .join(', ');
    console.log(`backend choice: ${choice.chosen} · warm-up medians: ${timings}${failed ? ` · left out: ${failed}` : ''}`);

    const rows = new Map<string, Row | string>();
    for (const backend of backends) {
      process.stdout.write(`  ${backend}… `);
      const t0 = Date.now();
      const page = await harnessPage(context, server.url);
      try {
        const row = await page.evaluate(
          ({ backend, reps, diffusion }) => (window as unknown as { modelsHarness: ModelsHarness }).modelsHarness.bench({ backend, reps, diffusion }),
          { backend, reps, diffusion },
        );
        rows.set(backend, row);
        console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 120);
        rows.set(backend, message);
        console.log(`failed: ${message}`);
      } finally {
        await page.close();
      }
    }

    const ok = (b: string) => (typeof rows.get(b) === 'object' ? (rows.get(b) as Row) : null);
    const base = ok('wasm');
    console.log('\nGenerator G(z, φ(t)) in Chromium, 32×32 RGB (first call = first after loading; warm = median)');
    console.log(
      table(
        ['backend', 'load', 'G×16 first', 'G×16 warm', 'vs wasm', 'G×1 first', 'G×1 warm', 'vs wasm', 'Blend×1 warm', 'sync read'],
        backends.map((b) => {
          const r = ok(b);
          if (!r) return [b, 'failed', '', '', '', '', '', '', '', ''];
          return [
            b,
            ms(r.loadMs),
            ms(r.gen16FirstMs),
            ms(r.gen16WarmMs),
            ratio(r.gen16WarmMs, base?.gen16WarmMs),
            ms(r.gen1FirstMs),
            ms(r.gen1WarmMs),
            ratio(r.gen1WarmMs, base?.gen1WarmMs),
            ms(r.blend1WarmMs),
            r.syncReadOk ? 'ok' : 'WRONG*',
          ];
        }),
      ),
    );
    if (backends.some((b) => ok(b) && !ok(b)!.syncReadOk)) {
      console.log(
        '* dataSync returns wrong values on this backend here (and loses the device), so the runtime cannot use it: not measured further, and the client never chooses it.',
      );
    }
    for (const b of backends) if (!ok(b)) console.log(`${b} failed: ${rows.get(b)}`);
    if (base) console.log(`Blend slider: one image on wasm ${ms(base.blend1WarmMs)} (interpolate) / ${ms(base.gen1WarmMs)} (generate); target ≤ 33 ms.`);

    const diff = backends.filter((b) => ok(b)?.diffusion);
    if (diff.length) {
      const d0 = base?.diffusion;
      console.log('\nDiffusion, DDIM 50 steps, guidance 3 (batched conditional + unconditional)');
      console.log(
        table(
          ['backend', '×1 first', '×1 warm', 'vs wasm', '×4 first', '×4 warm', 'vs wasm'],
          diff.map((b) => {
            const d = ok(b)!.diffusion!;
            return [
              b,
              ms(d.one50FirstMs),
              ms(d.one50WarmMs),
              ratio(d.one50WarmMs, d0?.one50WarmMs),
              ms(d.four50FirstMs),
              ms(d.four50WarmMs),
              ratio(d.four50WarmMs, d0?.four50WarmMs),
            ];
          }),
        ),
      );
      if (d0) console.log(`One 50-step image on wasm: ${ms(d0.one50WarmMs)}; target < 0.5 s.`);
    } else {
      console.log('\nDiffusion: no shipped diffusion weights (models/weights/diffusion-*), not measured.');
    }

    const any = backends.map(ok).find((r) => r);
    if (any) {
      const wasmBytes = backends.map(ok).find((r) => r && r.fetched.wasm > 0)?.fetched.wasm ?? 0;
      console.log(
        `\nDownload: model weights ${kb(any.downloadedBytes)} (${any.downloadedBytes} bytes fetched${diffusion ? ', incl. diffusion' : ''}); ` +
          `wasm binary ${kb(wasmBytes)}; page JS ${kb(any.fetched.js)} (uncompressed).`,
      );
    }
  } finally {
    await context.close().catch(() => undefined);
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const missing = MODEL_NAMES.filter((n) => !existsSync(join(root, 'models/weights', n, 'weights.bin')));
  if (missing.length) {
    console.error(`bench:models: models/weights lacks ${missing.join(', ')}: train them first.`);
    process.exit(1);
  }
  const backends = process.env.BENCH_BACKENDS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const reps = process.env.BENCH_REPS ? Number(process.env.BENCH_REPS) : undefined;
  await benchModelsBrowser({ ...(backends ? { backends } : {}), ...(reps ? { reps } : {}) });
  process.exit(0);
}
