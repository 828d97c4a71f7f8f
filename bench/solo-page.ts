import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../server/app.ts';

interface SoloPageOptions {
  /** names the temporary data and profile folders (latent-arena-<name>-…) */
  name: string;
  /** the round type to play solo (one round of it, every other type set to 0) */
  round: string;
  /** the round's timer in seconds */
  timerSec: number;
  /** host options to set on the solo form before starting (e.g. Blend's match mode) */
  configure?(page: Page): Promise<void>;
}

/**
 * The fps benches' set-up: a fresh server on a free port over a temporary data folder,
 * headless Chromium with a temporary profile, one 1280×800 page that starts a solo game of
 * one round of `round`. Runs `measure` on the page, then closes and deletes everything.
 */
export async function withSoloPage<T>(o: SoloPageOptions, measure: (page: Page) => Promise<T>): Promise<T> {
  const root = resolve(import.meta.dirname, '..');
  const dataDir = mkdtempSync(join(tmpdir(), `latent-arena-${o.name}-`));
  const profile = mkdtempSync(join(tmpdir(), `latent-arena-${o.name}-profile-`));
  const server = await startServer({ port: 0, dataDir, quiet: true, clientDir: join(root, 'dist/client') });
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--no-first-run'] });
  try {
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/`);
    await page.getByTestId('way-solo').click();
    for (const input of await page.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await page.getByTestId(`rounds-${o.round}`).fill('1');
    await page.getByTestId(`timer-${o.round}`).fill(String(o.timerSec));
    await o.configure?.(page);
    await page.getByTestId('solo-start').click();
    return await measure(page);
  } finally {
    await context.close().catch(() => undefined);
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
