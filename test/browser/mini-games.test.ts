import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startBrowserHarness, type BrowserHarness } from './harness.ts';

/**
 * Mini-games (Noise schedule lab; Blend and Restyle still to come) played through the UI
 * in Chromium; screenshots go to test-output/screenshots/mini-*.png.
 */
function screen(page: Page, phase: string, round?: number) {
  const roundSel = round === undefined ? '' : `[data-round="${round}"]`;
  return page.waitForSelector(`[data-testid="game-screen"][data-phase="${phase}"]${roundSel}`, { timeout: 30_000 });
}

describe('mini-games in the browser', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  }, 240_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('plays one solo round of the noise schedule lab by keyboard', { timeout: 120_000 }, async () => {
    const page = await h.page();
    await page.goto(`${h.server.url}/`);
    await page.getByTestId('way-solo').click();
    for (const input of await page.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await page.getByTestId('rounds-noise-lab').fill('1');
    await page.getByTestId('solo-start').click();
    await screen(page, 'question', 0);
    await page.getByTestId('lab-editor').waitFor();
    await shot(page, 'mini-lab-question');
    // Drawn schedule through the keyboard: focus the second point and press arrows.
    await page.getByTestId('lab-point-1').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowDown');
    expect(await page.getByTestId('lab-kind').inputValue()).toBe('custom');
    await page.getByTestId('lab-T').fill('50');
    await page.waitForTimeout(200);
    expect(await page.getByTestId('lab-strip').locator('figcaption').last().textContent()).toBe('t=50');
    await shot(page, 'mini-lab-question-drawn');
    await page.getByTestId('submit-answer').click();
    await screen(page, 'reveal', 0);
    expect(await page.getByTestId('your-points').textContent()).toContain('points');
    await shot(page, 'mini-lab-reveal');
    await page.close();
  });

  it('a host and a student play the lab (destroy-window, set in the playlist)', { timeout: 120_000 }, async () => {
    const host = await h.page();
    await host.goto(`${h.server.url}/`);
    await host.getByTestId('way-host').click();
    await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
    const code = ((await host.getByTestId('join-code').textContent()) ?? '').trim();
    for (const input of await host.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await host.getByTestId('rounds-noise-lab').fill('1');
    await host.locator('select[id$="-noise-lab-opt-challenge"]').selectOption('destroy-window');
    const ana = await h.page(390, 844);
    await ana.goto(`${h.server.url}/join/${code}`);
    await ana.getByTestId('nickname-input').fill('Ana');
    await ana.getByTestId('join-button').click();
    await ana.getByTestId('waiting-room').waitFor();
    await host.getByTestId('start-button').click();
    await screen(ana, 'question', 0);
    await ana.getByTestId('lab-editor').waitFor();
    expect(await ana.getByTestId('lab-task').textContent()).toContain('Destroy the image');
    await ana.getByTestId('lab-kind').selectOption('cosine');
    await ana.waitForTimeout(200);
    await shot(host, 'mini-lab-host-question');
    await shot(ana, 'mini-lab-student-question');
    await ana.getByTestId('submit-answer').click();
    await screen(ana, 'reveal', 0);
    await screen(host, 'reveal', 0);
    expect(await ana.getByTestId('your-points').textContent()).toContain('points');
    await shot(host, 'mini-lab-host-reveal');
    await shot(ana, 'mini-lab-student-reveal');
    await host.close();
    await ana.close();
  });
});
