import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { freePort, kill9, type ServerProcess, startProcess } from '../support/server-process.ts';
import { type Browser, openBrowser, shot } from './harness.ts';

/**
 * A class survives `kill -9` in the browser: the server runs as its own process, is killed
 * mid-question, and a new process starts on the same port and data. The host's page and a
 * student's page that stayed open come back to the same code by themselves; a student whose
 * tab was elsewhere opens the class again and takes their seat back. The answer given before
 * the crash is kept, the round plays on to the podium, and every page works under the CSP.
 */
const PHONE = [390, 844] as const;
let browser: Browser;
let dataDir: string;
let port: number;
const running: ServerProcess[] = [];

beforeAll(async () => {
  browser = await openBrowser();
  dataDir = mkdtempSync(join(tmpdir(), 'latent-arena-browser-restart-'));
  port = await freePort();
}, 240_000);
afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    for (const p of running) await kill9(p);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

async function start(): Promise<ServerProcess> {
  const p = await startProcess(port, dataDir);
  running.push(p);
  return p;
}

function screen(page: Page, phase: string, round?: number, timeout = 60_000) {
  const roundSel = round === undefined ? '' : `[data-round="${round}"]`;
  return page.waitForSelector(`[data-testid="game-screen"][data-phase="${phase}"]${roundSel}`, { timeout });
}

async function text(page: Page, testid: string): Promise<string> {
  return (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
}

describe('a class survives a restart, in the browser', () => {
  it('host and students continue the same round after kill -9 and a new process', { timeout: 300_000 }, async () => {
    onTestFailed(async () => {
      for (const [i, page] of browser.context.pages().entries()) {
        await shot(page, `restart-failure-${i}`).catch(() => undefined);
        const visible = await page.innerText('main').catch(() => '');
        console.error(`restart-failure-${i}: ${page.url()}\n${visible.replace(/\s+/g, ' ').slice(0, 500)}`);
      }
    });
    const first = await start();
    const url = first.url;
    const host = await browser.page();
    await host.goto(`${url}/host`);
    await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
    const code = await text(host, 'join-code');
    for (const input of await host.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await host.getByTestId('rounds-timestep').fill('2');
    await host.getByTestId('timer-timestep').fill('120');
    await expect.poll(() => text(host, 'playlist-summary')).toContain('2 rounds');
    const [ana, ben] = [await browser.page(...PHONE), await browser.page(...PHONE)];
    for (const [page, nickname] of [
      [ana, 'Ana'],
      [ben, 'Ben'],
    ] as const) {
      await page.goto(`${url}/join/${code}`);
      await page.getByTestId('nickname-input').fill(nickname);
      await page.getByTestId('join-button').click();
      await page.getByTestId('waiting-room').waitFor();
    }
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(2);
    await host.getByTestId('start-button').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'question', 0)));
    await ana.getByTestId('guess-number').fill('50');
    await ana.getByTestId('submit-answer').click();
    await ana.getByTestId('answer-locked').waitFor();
    await expect.poll(() => text(host, 'answered-count')).toBe('1 of 2 answered');
    // Ben's phone is on another app while the server goes down.
    await ben.goto('about:blank');

    await kill9(first);
    for (const page of [host, ana]) {
      await expect.poll(() => page.getByTestId('connection-status').isVisible(), { timeout: 30_000 }).toBe(true);
      expect(await text(page, 'connection-status')).toContain('reconnecting');
    }
    await shot(host, 'restart-host-reconnecting');
    await shot(ana, 'restart-student-reconnecting');

    await start();
    // The pages that stayed open are back on the same question by themselves.
    for (const page of [host, ana]) {
      await screen(page, 'question', 0, 120_000);
      await expect.poll(() => page.getByTestId('connection-status').isVisible(), { timeout: 120_000 }).toBe(false);
    }
    await expect.poll(() => text(host, 'answered-count'), { timeout: 30_000 }).toBe('1 of 2 answered');
    expect(await text(host, 'round-label')).toContain('Round 1 of 2');
    // The failed attempts on the way back are not errors to put on the projector.
    for (const page of [host, ana]) expect(await page.locator('.toast-error').count()).toBe(0);
    expect(await text(ana, 'answer-locked')).toContain('t = 50');
    expect(host.url()).toContain(`/host/${code}`);
    await shot(host, 'restart-host-back');
    // Ben opens the class again: his seat is back (the old server's token means nothing now; his seat key does).
    await ben.goto(`${url}/play/${code}`);
    await screen(ben, 'question', 0);
    await ben.getByTestId('answer-form').waitFor();
    await ben.getByTestId('guess-number').fill('650');
    await ben.getByTestId('submit-answer').click();

    await Promise.all([host, ana, ben].map((p) => screen(p, 'reveal', 0)));
    expect(await text(ana, 'your-points')).toContain('You guessed 50');
    expect(await text(ben, 'your-points')).toContain('You guessed 650');
    expect(await host.getByTestId('guess-marker').count()).toBe(2);
    await host.getByTestId('skip-button').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'leaderboard', 0)));
    expect(await host.getByTestId('leaderboard-row').count()).toBe(2);
    await host.getByTestId('skip-button').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'question', 1)));
    await host.getByTestId('end-button').click();
    await host.getByTestId('end-button').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'podium')));
    const podium = await text(host, 'podium');
    for (const name of ['Ana', 'Ben']) expect(podium).toContain(name);
    await shot(host, 'restart-host-podium');
    for (const p of [host, ana, ben]) await p.close();
  });
});
