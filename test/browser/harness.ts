import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../server/app.ts';
import type { ServerConfig } from '../../server/config.ts';

const root = resolve(import.meta.dirname, '../..');
const SCREENSHOTS = join(root, 'test-output/screenshots');

/** Builds the client unless dist/client is newer than every source it bundles. */
function ensureClientBuild(): void {
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle.
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = spawnSync(process.execPath, [join(root, 'scripts/ensure-client-build.mjs'), ...(process.env.FORCE_CLIENT_BUILD ? ['--force'] : [])], {
    cwd: root,
    encoding: 'utf8',
    env,
  });
  if (result.status !== 0) throw new Error(`client build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface BrowserHarness {
  server: RunningServer;
  context: BrowserContext;
  page(width?: number, height?: number): Promise<Page>;
  stop(): Promise<void>;
}

export interface Browser {
  context: BrowserContext;
  page(width?: number, height?: number): Promise<Page>;
  /** Closes Chromium; throws if any page broke the Content-Security-Policy. */
  close(): Promise<void>;
}

/** Debian's Chromium with a throw-away profile; every page's console errors are logged. */
export async function openBrowser(): Promise<Browser> {
  ensureClientBuild();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'latent-arena-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
  });
  // The client must work under the server's Content-Security-Policy: a page it blocks fails the file.
  const cspViolations: string[] = [];
  return {
    context,
    async page(width = 1280, height = 800) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      page.on('pageerror', (error) => console.error(`[page error] ${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        console.error(`[console error] ${page.url()}: ${message.text()}`);
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
      if (cspViolations.length) throw new Error(`the page broke the Content-Security-Policy:\n${cspViolations.join('\n')}`);
    },
  };
}

/** The real server on an ephemeral port with a throw-away database, and Debian's Chromium. */
export async function startBrowserHarness(overrides: Partial<ServerConfig> = {}): Promise<BrowserHarness> {
  const browser = await openBrowser();
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-arena-browser-data-'));
  const server = await startServer({ port: 0, dataDir, quiet: true, clientDir: join(root, 'dist/client'), ...overrides });
  return {
    server,
    context: browser.context,
    page: browser.page,
    async stop() {
      try {
        await browser.close();
      } finally {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Waits until the canvas has drawn the current screen (scenes mark #stage ready). */
export async function stageReady(page: Page, scene: string, timeout = 15_000): Promise<void> {
  await page.waitForSelector(`#stage[data-scene="${scene}"][data-ready="true"]`, { state: 'attached', timeout });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
