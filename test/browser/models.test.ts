/**
 * The browser model runtime (client/ml) in Chromium against the real server: the shipped
 * weights load over HTTP (/models, /wasm), the backend is chosen by measuring, and the
 * models give well-formed, sensible outputs that match the Node runtime. Driven through
 * the dedicated model harness page (bench/models-harness), never through game globals.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureModelsHarness } from '../../bench/models-harness/build.ts';
import type { ModelsHarness } from '../../bench/models-harness/main.ts';
import { DEFAULT_SEED, sampleAt } from '../../models/data/stream.ts';
import { DIFFUSION_DIRS, loadDiffusionModel } from '../../models/diffusion/runtime.ts';
import { MODEL_NAMES, type LatentModels } from '../../models/runtime/latent-models.ts';
import { fileLoader, loadNodeModels } from '../../models/runtime/node.ts';
import { renderRecipes } from '../../models/runtime/render-recipes.ts';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { RenderRecipe } from '../../shared/render/recipes.ts';

const root = resolve(import.meta.dirname, '../..');
const weightsDir = join(root, 'models/weights');
const missing = MODEL_NAMES.filter((n) => !existsSync(join(weightsDir, n, 'weights.bin')));
if (missing.length) console.warn(`test/browser/models.test.ts skipped: models/weights lacks ${missing.join(', ')}`);
const hasDiffusion = [DIFFUSION_DIRS.eps, DIFFUSION_DIRS.decoder].every((d) => existsSync(join(weightsDir, d, 'weights.bin')));

const ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];
const CAPTIONS = ['a small red circle', 'a large blue star', 'a small green heart', 'a large white ring', 'a large yellow cross', 'a small orange triangle'];

type Harness = { modelsHarness: ModelsHarness };

let server: RunningServer;
let context: BrowserContext;
let page: Page;
let node: LatentModels;
let dataDir = '';
let profile = '';
const requestsBeforeLoad: string[] = [];
const consoleLines: string[] = [];

function checkImage(img: readonly number[]): void {
  expect(img.length).toBe(32 * 32 * 3);
  expect(img.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
  expect(Math.max(...img) - Math.min(...img)).toBeGreaterThan(40); // a shape on a background, not a flat field
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const heldOut = (n: number, from = 0) => Array.from({ length: n }, (_, i) => sampleAt(DEFAULT_SEED, 'test', from + i));

describe.skipIf(missing.length > 0)('the browser model runtime (Chromium, real server, shipped weights)', () => {
  beforeAll(async () => {
    const clientDir = ensureModelsHarness();
    dataDir = mkdtempSync(join(tmpdir(), 'latent-arena-models-data-'));
    profile = mkdtempSync(join(tmpdir(), 'latent-arena-models-profile-'));
    server = await startServer({ port: 0, dataDir, quiet: true, clientDir });
    context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
    page = await context.newPage();
    page.on('request', (r) => requestsBeforeLoad.push(new URL(r.url()).pathname));
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    await page.goto(server.url);
    await page.waitForSelector('body[data-harness="ready"]', { state: 'attached' });
    node = await loadNodeModels();
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await server?.close();
    node?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads lazily over HTTP, measures the backends, keeps the fastest and says so', { timeout: 90_000 }, async () => {
    // Nothing heavy before the models are asked for: no TF.js chunk, no weights, no wasm.
    expect(requestsBeforeLoad.filter((p) => /tfjs|^\/models\/|^\/wasm\//.test(p))).toEqual([]);
    const r = await page.evaluate(() => (window as unknown as Harness).modelsHarness.load({ fresh: true }));

    const { chosen, timingsMs, failed } = r.backend;
    expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(chosen);
    expect(Object.keys(timingsMs)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(failed[chosen]).toBeUndefined();
    const usable = Object.entries(timingsMs).filter(([n]) => !(n in failed));
    expect(timingsMs[chosen]).toBe(Math.min(...usable.map(([, t]) => t)));
    expect(r.msPerImage).toBeGreaterThan(0);

    // Every shipped file came over HTTP, byte for byte, with a progress that reached 100 %.
    const onDisk = MODEL_NAMES.reduce((s, n) => s + statSync(join(weightsDir, n, 'model.json')).size + statSync(join(weightsDir, n, 'weights.bin')).size, 0);
    expect(r.downloadedBytes).toBe(onDisk);
    expect(r.fetched.models).toBe(onDisk);
    expect(r.fractions.length).toBeGreaterThan(MODEL_NAMES.length);
    expect(r.fractions.every((f, i) => i === 0 || f >= r.fractions[i - 1]!)).toBe(true);
    expect(r.fractions.at(-1)).toBe(1);
    if (chosen === 'wasm') expect(r.fetched.wasm).toBeGreaterThan(100_000);

    // The status widget: an accessible line naming the backend and its speed.
    expect(r.widget.state).toBe('ready');
    expect(r.widget.text).toMatch(new RegExp(`^Models ready · backend: ${chosen} \\(\\d+ ms per image\\)$`));
    const status = page.getByTestId('model-status');
    expect(await status.getByRole('status').textContent()).toBe(r.widget.text);
    expect(await status.locator('progress').isHidden()).toBe(true);
  });

  it('generate, interpolate and restyle give 32×32 RGB images that match the Node runtime', { timeout: 60_000 }, async () => {
    const imgs = await page.evaluate((c) => (window as unknown as Harness).modelsHarness.generate(c, 7), CAPTIONS);
    expect(imgs.length).toBe(CAPTIONS.length);
    imgs.forEach(checkImage);
    // Same seed, same image: in the browser, again, and in Node (the server's fallback renderer).
    expect(await page.evaluate((c) => (window as unknown as Harness).modelsHarness.generate(c, 7), CAPTIONS)).toEqual(imgs);
    const fromNode = node.generate(CAPTIONS, 7);
    imgs.forEach((img, i) => expect(maxDiff(img, fromNode[i]!)).toBeLessThanOrEqual(2));
    // Different captions give different pictures.
    expect(maxDiff(imgs[0]!, imgs[1]!)).toBeGreaterThan(40);

    const blend = await page.evaluate(() => (window as unknown as Harness).modelsHarness.interpolate('a small red circle', 'a large blue square', 0.5, 1));
    checkImage(blend);
    expect(maxDiff(blend, node.interpolate('a small red circle', 'a large blue square', 0.5, 1))).toBeLessThanOrEqual(2);

    const [ref] = heldOut(1);
    const restyled = await page.evaluate(([x, c]) => (window as unknown as Harness).modelsHarness.restyle(x, c), [Array.from(ref!.pixels), 'a large orange triangle'] as const);
    checkImage(restyled);
    expect(maxDiff(restyled, node.restyle(ref!.pixels, 'a large orange triangle'))).toBeLessThanOrEqual(2);
  });

  it('the judge ranks the true caption of a held-out image first most of the time', { timeout: 60_000 }, async () => {
    const samples = heldOut(32);
    const results = await page.evaluate(([images, captions]) => (window as unknown as Harness).modelsHarness.judge(images, captions), [
      samples.map((s) => Array.from(s.pixels)),
      samples.map((s) => s.caption),
    ] as const);
    expect(results.length).toBe(32);
    for (const r of results) {
      expect(r.similarity).toBeGreaterThanOrEqual(-1);
      expect(r.similarity).toBeLessThanOrEqual(1);
      expect(r.probability).toBeGreaterThan(0);
      expect(r.probability).toBeLessThanOrEqual(1);
    }
    const top1 = results.filter((r, i) => r.rank === 1 && r.best === samples[i]!.caption).length / results.length;
    expect(top1).toBeGreaterThanOrEqual(0.8);
  });

  it('the discriminator scores real images above random noise', { timeout: 60_000 }, async () => {
    const samples = heldOut(16, 100);
    let state = 12345;
    const next = () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state >>> 24;
    };
    const noise = samples.map(() => Array.from({ length: 3072 }, next));
    const captions = samples.map((s) => s.caption);
    const [real, fake] = await page.evaluate(
      async ([r, n, c]) => {
        const h = (window as unknown as Harness).modelsHarness;
        return [await h.discriminate(r, c), await h.discriminate(n, c)];
      },
      [samples.map((s) => Array.from(s.pixels)), noise, captions] as const,
    );
    for (const p of [...real, ...fake]) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(real)).toBeGreaterThan(mean(fake));
    expect(real.filter((p, i) => p > fake[i]!).length).toBeGreaterThanOrEqual(12);
  });

  it('a render worker offers itself, then uploads exactly the pixels of each job, paced, without revealing recipes', { timeout: 60_000 }, async () => {
    const recipes: RenderRecipe[] = [
      ...CAPTIONS.map((caption, i): RenderRecipe => ({ model: 'gan', caption, zSeed: 40 + i, truncation: [0.6, 1, 1.6][i % 3]! })),
      ...CAPTIONS.slice(0, 4).map((caption, i): RenderRecipe => ({ model: 'gan-int', caption, caption2: CAPTIONS[5 - i]!, beta: 0.25 * i, zSeed: 50 + i })),
      { model: 'restyle', referenceSeed: 77, caption: 'a small blue square' },
      { model: 'restyle', referenceSeed: 78, caption: 'a large pink crescent' },
    ];
    const jobs = recipes.map((recipe, i) => ({ jobId: `job-${i}`, recipe }));
    const before = consoleLines.length;
    const round = await page.evaluate(([j]) => (window as unknown as Harness).modelsHarness.renderRound(j, 8000, true), [jobs] as const);

    const [ready, ...results] = round.sent;
    expect(ready!.type).toBe('render:ready');
    const offer = ready!.payload as unknown as { backend: string; msPerImage: number; volunteer: boolean };
    expect(offer.volunteer).toBe(true);
    expect(offer.msPerImage).toBeGreaterThan(0);
    expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(offer.backend);

    expect(round.summary).toMatchObject({ uploaded: recipes.length, skipped: 0 });
    expect(results.map((r) => r.type)).toEqual(recipes.map(() => 'render:result'));
    expect(results.map((r) => (r as { jobId: string }).jobId).sort()).toEqual(jobs.map((j) => j.jobId).sort());
    const expected = await renderRecipes({ gan: node }, recipes);
    for (const r of results as { jobId: string; isBytes: boolean; pixels: number[] }[]) {
      expect(r.isBytes).toBe(true);
      checkImage(r.pixels);
      expect(maxDiff(r.pixels, expected[Number(r.jobId.slice(4))]!)).toBeLessThanOrEqual(2);
    }
    // Never more than 10 uploads in any second (the server's limit).
    const at = results.map((r) => r.at);
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(10);
    expect(round.stillListening).toBe(false); // stop() unsubscribed
    // Nothing about the recipes reached the console or the page.
    const logged = consoleLines.slice(before).join('\n');
    const shown = (await page.textContent('body')) ?? '';
    for (const r of recipes) {
      expect(logged).not.toContain(r.caption);
      expect(shown).not.toContain(r.caption);
    }
  });

  it('a job past the deadline is left to the server', { timeout: 30_000 }, async () => {
    const jobs = [{ jobId: 'late', recipe: { model: 'gan', caption: 'a small red circle', zSeed: 1, truncation: 1 } satisfies RenderRecipe }];
    const round = await page.evaluate(([j]) => (window as unknown as Harness).modelsHarness.renderRound(j, 100, false), [jobs] as const);
    expect(round.summary).toMatchObject({ uploaded: 0, skipped: 1 });
    expect(round.sent.map((s) => s.type)).toEqual(['render:ready']);
  });

  it.skipIf(!hasDiffusion)('diffusion loads on demand and renders a recipe as the Node runtime does', { timeout: 90_000 }, async () => {
    const recipe: RenderRecipe = { model: 'diffusion', caption: 'a large red star', seed: 5, steps: 12, guidance: 3 };
    const [img] = await page.evaluate((r) => (window as unknown as Harness).modelsHarness.renderRecipes([r]), recipe);
    checkImage(img!);
    const dm = await loadDiffusionModel(fileLoader(weightsDir));
    try {
      const [expected] = (await dm.sample({ captions: [recipe.caption], seed: recipe.seed, steps: recipe.steps, guidance: recipe.guidance })).images;
      expect(maxDiff(img!, expected!)).toBeLessThanOrEqual(2);
    } finally {
      dm.dispose();
    }
  });
});
