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

  it('a host and two students play the lab sample challenge: on-device sampling, then the class rates', { timeout: 240_000 }, async () => {
    const host = await h.page();
    await host.goto(`${h.server.url}/`);
    await host.getByTestId('way-host').click();
    await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
    const code = ((await host.getByTestId('join-code').textContent()) ?? '').trim();
    for (const input of await host.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await host.getByTestId('rounds-noise-lab').fill('1');
    await host.getByTestId('timer-noise-lab').fill('120');
    await host.locator('select[id$="-noise-lab-opt-challenge"]').selectOption('sample');
    const students: Page[] = [];
    for (const [name, w, hh] of [
      ['Ana', 390, 1400],
      ['Ben', 1280, 1100],
    ] as const) {
      const p = await h.page(w, hh);
      await p.goto(`${h.server.url}/join/${code}`);
      await p.getByTestId('nickname-input').fill(name);
      await p.getByTestId('join-button').click();
      await p.getByTestId('waiting-room').waitFor();
      students.push(p);
    }
    const [ana, ben] = students as [Page, Page];
    await host.getByTestId('start-button').click();
    for (const p of students) {
      await screen(p, 'question', 0);
      await p.getByTestId('lab-sampler-tool').waitFor();
    }
    expect(await ana.getByTestId('lab-task').textContent()).toMatch(/Draw “a .+” with the diffusion model/);
    expect(await ana.getByTestId('submit-answer').isDisabled()).toBe(true);

    // Ana, by keyboard: a cosine schedule, 12 DDIM steps, Sample, lock in.
    await ana.getByTestId('lab-kind').focus();
    await ana.getByTestId('lab-kind').selectOption('cosine');
    await ana.getByTestId('lab-steps').fill('12');
    await ana.getByTestId('lab-sample-button').focus();
    await ana.keyboard.press('Enter');
    await ana.waitForSelector('[data-testid="lab-sample-live"][data-sampled="1"]', { timeout: 120_000 });
    expect(await ana.getByTestId('lab-sample-strip').locator('canvas').count()).toBe(6);
    // It says where the model works, and labels its x̂₀ frames as decoded.
    expect(await ana.getByTestId('lab-latent-note').innerText()).toContain('latent space');
    expect(await ana.getByTestId('lab-sample-strip').locator('figcaption').first().innerText()).toMatch(/^D\(x̂₀\) @ t=/);
    expect(await ana.getByTestId('lab-sample-status').textContent()).toMatch(/Done: DDIM with 12 steps/);
    // Ben: a schedule that is too fast (drawn, ᾱ gone early) and DDPM over a short T.
    await ben.getByTestId('lab-point-0').focus();
    for (let i = 0; i < 12; i++) await ben.keyboard.press('Shift+ArrowDown');
    await ben.getByTestId('lab-T').fill('40');
    await ben.getByTestId('lab-sampler').selectOption('ddpm');
    expect(await ben.getByTestId('lab-steps').inputValue()).toBe('40');
    await ben.getByTestId('lab-sample-button').click();
    await ben.waitForTimeout(600);
    await shot(ben, 'lab-sample-question');
    await ben.waitForSelector('[data-testid="lab-sample-live"][data-sampled="1"]', { timeout: 120_000 });
    // Background tabs may drop their canvases' pixels (Chromium canvas hibernation): screenshot each in front.
    await host.bringToFront();
    await host.evaluate(() => window.scrollTo(0, 0));
    await shot(host, 'lab-sample-host-question');
    await ana.bringToFront();
    const blank = await ana.evaluate(
      () =>
        [...document.querySelectorAll<HTMLCanvasElement>('canvas.lab-x')].filter((c) =>
          c
            .getContext('2d')!
            .getImageData(0, 0, 32, 32)
            .data.every((v) => v === 0),
        ).length,
    );
    expect(blank).toBe(0);
    await ana.getByTestId('lab-sample-live').scrollIntoViewIfNeeded();
    await ana.waitForTimeout(300);
    await shot(ana, 'lab-sample-student-question');
    await ana.getByTestId('submit-answer').focus();
    await ana.keyboard.press('Enter');
    await ana.getByTestId('answer-locked').waitFor();
    await ben.getByTestId('submit-answer').click();

    for (const p of [host, ana, ben]) await screen(p, 'reveal', 0);
    await host.getByTestId('lab-sample-reveal').waitFor();
    expect(await host.getByTestId('lab-sample-entry').count()).toBe(2);
    const benEntry = ana.locator('[data-testid="lab-sample-entry"][data-player="Ben"]');
    expect(await benEntry.getByTestId('lab-sample-notes').textContent()).toMatch(/Too fast|DDPM over only T = 40/);
    // No buttons to rate yourself.
    expect(await ana.locator('[data-testid="lab-sample-entry"][data-player="Ana"]').getByTestId('lab-rate-group').count()).toBe(0);
    // Ana rates Ben by keyboard; Ben rates Ana with the mouse; the host sees the tallies live.
    await benEntry.getByTestId('rate-2').focus();
    await ana.keyboard.press('Enter');
    await ben.locator('[data-testid="lab-sample-entry"][data-player="Ana"]').getByTestId('rate-5').click();
    await host.waitForFunction(() => [...document.querySelectorAll('[data-testid="lab-rating-tally"]')].every((el) => /from 1 rating/.test(el.textContent ?? '')), undefined, {
      timeout: 10_000,
    });
    expect(await benEntry.getByTestId('rate-2').getAttribute('aria-pressed')).toBe('true');
    expect(await ana.getByTestId('lab-my-rating').textContent()).toMatch(/5\.0 ★ from 1 rating/);
    await host.bringToFront();
    await host.evaluate(() => window.scrollTo(0, 0));
    await shot(host, 'lab-sample-reveal');
    await ana.bringToFront();
    await shot(ana, 'lab-sample-student-reveal');
    // Everyone rated everything: the reveal ends within seconds; the leaderboard has the rating points.
    await screen(host, 'leaderboard', 0);
    await host.close();
    await ana.close();
    await ben.close();
  });

  it('plays the lab sample challenge solo: the neural judge rates', { timeout: 180_000 }, async () => {
    const page = await h.page(1280, 1100);
    await page.goto(`${h.server.url}/`);
    await page.getByTestId('way-solo').click();
    for (const input of await page.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await page.getByTestId('rounds-noise-lab').fill('1');
    await page.getByTestId('timer-noise-lab').fill('120');
    await page.locator('select[id$="-noise-lab-opt-challenge"]').selectOption('sample');
    await page.getByTestId('solo-start').click();
    await screen(page, 'question', 0);
    await page.getByTestId('lab-steps').fill('8');
    await page.getByTestId('lab-sample-button').click();
    await page.waitForSelector('[data-testid="lab-sample-live"][data-sampled="1"]', { timeout: 120_000 });
    await page.getByTestId('submit-answer').click();
    await screen(page, 'reveal', 0);
    await page.getByTestId('lab-sample-reveal').waitFor();
    expect(await page.getByTestId('lab-my-rating').textContent()).toMatch(/★ from the neural judge/);
    expect(await page.getByTestId('lab-sample-notes').textContent()).toMatch(/Too few steps: 8 DDIM steps/);
    await shot(page, 'lab-sample-solo-reveal');
    await page.close();
  });
});
