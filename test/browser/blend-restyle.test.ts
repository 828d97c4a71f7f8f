import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { shot, startBrowserHarness, type BrowserHarness } from './harness.ts';

/**
 * Blend (GAN-INT) and Restyle (style encoder) in a real browser against the real server:
 * a host screen (the render worker) and two phone-sized students play two games, one with
 * Blend in guess mode and Restyle "which result", one with Blend in match mode (the slider
 * re-renders on the phone) and Restyle "which reference". Screenshots go to
 * test-output/screenshots/blend-*.png and restyle-*.png.
 */
const PHONE = [390, 844] as const;
let h: BrowserHarness;

beforeAll(async () => {
  h = await startBrowserHarness();
}, 240_000);
afterAll(async () => {
  await h?.stop();
});

function screen(page: Page, phase: string, round?: number, timeout = 120_000) {
  const roundSel = round === undefined ? '' : `[data-round="${round}"]`;
  return page.waitForSelector(`[data-testid="game-screen"][data-phase="${phase}"]${roundSel}`, { timeout });
}

async function text(page: Page, testid: string): Promise<string> {
  return (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
}

function shootOnFailure(): void {
  onTestFailed(async () => {
    for (const [i, page] of h.context.pages().entries()) {
      await shot(page, `blend-failure-${i}`).catch(() => undefined);
      const visible = await page.innerText('main').catch(() => '');
      console.error(`blend-failure-${i}: ${page.url()}\n${visible.replace(/\s+/g, ' ').slice(0, 600)}`);
    }
  });
}

/** A host with a playlist of one Blend and one Restyle round, the models loaded, and two students in. */
async function setUp(blend: { mode: string; differences: string }, restyle: { mode: string; choices: string }) {
  const host = await h.page();
  await host.goto(`${h.server.url}/host`);
  await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
  const code = await text(host, 'join-code');
  for (const input of await host.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
  for (const type of ['blend', 'restyle']) {
    await host.getByTestId(`rounds-${type}`).fill('1');
    await host.getByTestId(`timer-${type}`).fill('120');
  }
  const b = host.getByTestId('options-blend');
  await b.getByLabel('Mode').selectOption(blend.mode);
  await b.getByLabel('Captions differ in').selectOption(blend.differences);
  const r = host.getByTestId('options-restyle');
  await r.getByLabel('Question').selectOption(restyle.mode);
  await r.getByLabel('Choices').selectOption(restyle.choices);
  await expect.poll(() => text(host, 'playlist-summary')).toContain('2 rounds');
  await host.locator('[data-testid="host-models"] [data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 180_000 });
  const students: Page[] = [];
  for (const nickname of ['Ana', 'Ben']) {
    const p = await h.page(...PHONE);
    await p.goto(`${h.server.url}/join/${code}`);
    await p.getByTestId('nickname-input').fill(nickname);
    await p.getByTestId('join-button').click();
    await p.getByTestId('waiting-room').waitFor();
    students.push(p);
  }
  await expect.poll(() => host.getByTestId('player-row').count()).toBe(2);
  return { host, ana: students[0]!, ben: students[1]! };
}

/** RGB bytes of a 32×32 canvas. */
function pixels(page: Page, selector: string): Promise<number[][]> {
  return page
    .locator(selector)
    .evaluateAll((cs: HTMLCanvasElement[]) => cs.map((c) => Array.from(c.getContext('2d')!.getImageData(0, 0, 32, 32).data).filter((_, i) => i % 4 !== 3)));
}

const meanAbs = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

/** Blend reveal: the strip (drawn on this device), the guesses on the axis, and z matching the target. */
async function checkBlendReveal(page: Page, guesses: number, mine: boolean): Promise<void> {
  const strip = page.getByTestId('strip-image');
  expect(await strip.count()).toBe(11);
  await expect.poll(() => page.locator('[data-testid="strip-image"][data-drawn="true"]').count(), { timeout: 120_000 }).toBe(11);
  expect(await page.getByTestId('blend-strip').textContent()).toContain('0.5');
  expect(await page.getByTestId('guess-mark').count()).toBe(guesses);
  expect(await page.locator('.blend-mark.mine').count()).toBe(mine ? 1 : 0);
  expect(await page.getByTestId('blend-reveal').innerText()).toContain('GAN-INT');
  // Same z as the render worker: at the β nearest the truth the strip matches the served target
  // as well as anywhere on it (up to the serving noise, which can tip the choice between two
  // frames that G draws alike), and far better than at the end farther from the truth.
  const beta = Number((await text(page, 'true-beta')).replace('β = ', ''));
  const [target] = await pixels(page, '.blend-reveal-target canvas');
  const diffs = (await pixels(page, '[data-testid="strip-image"]')).map((px) => meanAbs(px, target!));
  const near = diffs[Math.round(beta * 10)]!;
  const best = Math.min(...diffs);
  const far = diffs[beta < 0.5 ? 10 : 0]!;
  const profile = `β ${beta}, distances ${diffs.map((d) => d.toFixed(1)).join(' ')}`;
  expect(near - best, profile).toBeLessThanOrEqual(0.15 * (far - best) + 1);
  expect(far - near, profile).toBeGreaterThan(0);
}

async function nextRound(host: Page, round: number, players: Page[]): Promise<void> {
  await host.getByTestId('skip-button').click();
  await screen(host, 'leaderboard', round - 1);
  await host.getByTestId('skip-button').click();
  await Promise.all(players.map((p) => screen(p, 'question', round, 240_000)));
}

async function endGame(host: Page, students: Page[]): Promise<void> {
  await host.getByTestId('end-button').click();
  await host.getByTestId('end-button').click();
  await screen(host, 'podium');
  for (const p of [...students, host]) await p.close();
}

describe('Blend and Restyle in the browser', () => {
  it('plays Blend (guess) and Restyle (which result)', { timeout: 600_000 }, async () => {
    shootOnFailure();
    const { host, ana, ben } = await setUp({ mode: 'guess', differences: '2' }, { mode: 'which-result', choices: '3' });
    await host.getByTestId('start-button').click();
    const all = [host, ana, ben];
    await Promise.all(all.map((p) => screen(p, 'question', 0, 240_000)));

    // ---- Blend, guess mode ------------------------------------------------------------
    expect(await text(host, 'round-label')).toContain('Blend');
    expect(await host.getByTestId('blend-captions').innerText()).toMatch(/t1[\s\S]*t2/);
    expect(await ana.getByTestId('blend-preview').count()).toBe(0);
    expect(await ana.content()).not.toMatch(/zSeed|data-beta/);
    await shot(host, 'blend-guess-host-question');
    // Ana by keyboard: the slider has focus; PageUp jumps 0.1, arrows 0.01; Tab to lock in, Enter.
    await expect.poll(() => ana.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('beta-slider');
    await ana.keyboard.press('PageUp');
    for (let i = 0; i < 3; i++) await ana.keyboard.press('ArrowRight');
    expect(await text(ana, 'beta-value')).toBe('0.63');
    expect(await text(ana, 'submit-answer')).toBe('Lock in β = 0.63');
    await shot(ana, 'blend-guess-student-question');
    await ana.keyboard.press('Tab');
    expect(await ana.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('submit-answer');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('answer-locked').waitFor();
    expect(await text(ana, 'answer-locked')).toContain('β = 0.63');
    await expect.poll(() => text(host, 'answered-count')).toBe('1 of 2 answered');
    await ben.getByTestId('beta-slider').fill('0.2');
    expect(await text(ben, 'beta-value')).toBe('0.20');
    await ben.getByTestId('submit-answer').click();

    await Promise.all(all.map((p) => screen(p, 'reveal', 0)));
    await checkBlendReveal(host, 2, false);
    await checkBlendReveal(ana, 2, true);
    expect(await text(ana, 'your-points')).toMatch(/You said β = 0\.63 .*\+\d+ points/);
    expect(await ana.locator('.blend-mark.mine').textContent()).toContain('Ana (you) 0.63');
    await shot(host, 'blend-guess-host-reveal');
    await shot(ana, 'blend-guess-student-reveal');

    // ---- Restyle, which result ----------------------------------------------------------
    await nextRound(host, 1, all);
    expect(await text(host, 'round-label')).toContain('Restyle');
    expect(await host.getByTestId('restyle-choice').count()).toBe(3);
    expect(await ana.getByTestId('restyle-choice').count()).toBe(3);
    expect(await ana.innerText('main')).toContain('Which result kept the style of this reference?');
    await shot(host, 'restyle-result-host-question');
    // Ana by keyboard: Tab to the second choice, Space; Tab past the third to the lock-in button, Enter.
    await ana.getByTestId('restyle-choice').first().focus();
    await ana.keyboard.press('Tab');
    await ana.keyboard.press('Space');
    expect(await ana.getByTestId('restyle-choice').nth(1).getAttribute('aria-pressed')).toBe('true');
    await ana.keyboard.press('Tab');
    await ana.keyboard.press('Tab');
    await shot(ana, 'restyle-result-student-question');
    expect(await ana.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('submit-answer');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('answer-locked').waitFor();
    // Ben first forgets to pick, then picks the first one.
    await ben.getByTestId('submit-answer').click();
    await expect.poll(() => text(ben, 'answer-status')).toContain('Pick one result');
    await ben.getByTestId('restyle-choice').first().click();
    await ben.getByTestId('submit-answer').click();

    await Promise.all(all.map((p) => screen(p, 'reveal', 1)));
    for (const p of [host, ana]) {
      expect(await p.getByTestId('restyle-row').locator('li').count()).toBe(5);
      expect(await p.getByTestId('restyle-vote').count()).toBe(3);
      expect(await p.locator('[data-testid="restyle-vote"][data-correct="true"]').count()).toBe(1);
      const votes = (await p.getByTestId('restyle-vote').allInnerTexts()).map((t) => Number(/(\d+) votes?/.exec(t)![1]));
      expect(votes.reduce((a, b) => a + b, 0)).toBe(2);
      expect(votes[0]).toBeGreaterThanOrEqual(1);
      expect(votes[1]).toBeGreaterThanOrEqual(1);
      expect(await p.getByTestId('restyle-reveal').innerText()).toContain('what the caption does not say');
    }
    expect(await text(host, 'truth-summary')).toMatch(/^Result [ABC]$/);
    expect(await text(ana, 'your-points')).toMatch(/\+\d+ points/);
    await shot(host, 'restyle-result-host-reveal');
    await shot(ana, 'restyle-result-student-reveal');
    await endGame(host, [ana, ben]);
  });

  it('plays Blend (match, live re-render on the phone) and Restyle (which reference)', { timeout: 600_000 }, async () => {
    shootOnFailure();
    const { host, ana, ben } = await setUp({ mode: 'match', differences: '1' }, { mode: 'which-reference', choices: '4' });
    await host.getByTestId('start-button').click();
    const all = [host, ana, ben];
    await Promise.all(all.map((p) => screen(p, 'question', 0, 240_000)));

    // ---- Blend, match mode ------------------------------------------------------------
    const preview = ana.getByTestId('blend-preview');
    await ana.getByTestId('model-status').waitFor();
    await expect.poll(() => preview.getAttribute('data-beta'), { timeout: 180_000 }).toBe('0.50');
    const [atHalf] = await pixels(ana, '[data-testid="blend-preview"]');
    // Keyboard: PageUp to 0.60, then a burst of arrows; only the latest β gets rendered in the end.
    await ana.getByTestId('beta-slider').focus();
    await ana.keyboard.press('PageUp');
    await expect.poll(() => preview.getAttribute('data-beta'), { timeout: 30_000 }).toBe('0.60');
    for (let i = 0; i < 8; i++) await ana.keyboard.press('ArrowLeft');
    await expect.poll(() => preview.getAttribute('data-beta'), { timeout: 30_000 }).toBe('0.52');
    await ana.keyboard.press('Home');
    await expect.poll(() => preview.getAttribute('data-beta'), { timeout: 30_000 }).toBe('0.00');
    const [atZero] = await pixels(ana, '[data-testid="blend-preview"]');
    expect(meanAbs(atHalf!, atZero!)).toBeGreaterThan(0);
    // Renders are coalesced: fewer renders than slider moves (1 + 1 + 8 + 1).
    expect(Number(await preview.getAttribute('data-renders'))).toBeLessThanOrEqual(11);
    expect(await text(ana, 'preview-beta')).toBe('β = 0.00');
    await ana.keyboard.press('End');
    await expect.poll(() => preview.getAttribute('data-beta'), { timeout: 30_000 }).toBe('1.00');
    await ana.keyboard.press('PageDown');
    await ana.keyboard.press('PageDown');
    await expect.poll(() => preview.getAttribute('data-beta'), { timeout: 30_000 }).toBe('0.80');
    await shot(ana, 'blend-match-student-question');
    await shot(host, 'blend-match-host-question');
    await ana.getByTestId('submit-answer').click();
    await ana.getByTestId('answer-locked').waitFor();
    await ben.getByTestId('beta-slider').fill('0.35');
    await ben.getByTestId('submit-answer').click();

    await Promise.all(all.map((p) => screen(p, 'reveal', 0)));
    await checkBlendReveal(ana, 2, true);
    await checkBlendReveal(host, 2, false);
    expect(await text(ana, 'your-points')).toContain('β = 0.80');
    await shot(ana, 'blend-match-student-reveal');
    await shot(host, 'blend-match-host-reveal');

    // ---- Restyle, which reference -------------------------------------------------------
    await nextRound(host, 1, all);
    expect(await ben.getByTestId('restyle-choice').count()).toBe(4);
    expect(await ben.innerText('main')).toContain('Which reference did this result come from?');
    await shot(host, 'restyle-reference-host-question');
    // Ben by keyboard: Tab to the fourth choice, Enter, Tab to lock in, Enter.
    await ben.getByTestId('restyle-choice').first().focus();
    for (let i = 0; i < 3; i++) await ben.keyboard.press('Tab');
    await ben.keyboard.press('Enter');
    expect(await ben.getByTestId('restyle-choice').nth(3).getAttribute('aria-pressed')).toBe('true');
    await shot(ben, 'restyle-reference-student-question');
    await ben.keyboard.press('Tab');
    await ben.keyboard.press('Enter');
    await ben.getByTestId('answer-locked').waitFor();
    await ana.getByTestId('restyle-choice').nth(2).click();
    await ana.getByTestId('submit-answer').click();

    await Promise.all(all.map((p) => screen(p, 'reveal', 1)));
    for (const p of [host, ben]) {
      expect(await p.getByTestId('restyle-row').locator('li').count()).toBe(5);
      expect(await p.getByTestId('restyle-vote').count()).toBe(4);
      expect(await p.locator('[data-testid="restyle-vote"][data-correct="true"]').count()).toBe(1);
    }
    expect(await text(host, 'truth-summary')).toMatch(/^Reference [ABCD]$/);
    expect(await ben.getByTestId('restyle-vote').nth(3).innerText()).toContain('you');
    await shot(host, 'restyle-reference-host-reveal');
    await shot(ben, 'restyle-reference-student-reveal');
    await endGame(host, [ana, ben]);
  });

  it('plays Blend and Restyle solo, with the fakes made in this browser', { timeout: 300_000 }, async () => {
    shootOnFailure();
    const page = await h.page(...PHONE);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${h.server.url}/solo`);
    for (const input of await page.locator('[data-testid^="rounds-"]').all()) await input.fill('0');
    await page.getByTestId('rounds-blend').fill('1');
    await page.getByTestId('rounds-restyle').fill('1');
    await page.getByTestId('options-restyle').getByLabel('Choices').selectOption('2');
    await page.getByTestId('solo-start').click();
    await screen(page, 'question', 0, 240_000);
    await page.getByTestId('beta-slider').fill('0.5');
    await page.getByTestId('submit-answer').click();
    await screen(page, 'reveal', 0);
    await checkBlendReveal(page, 1, true);
    await page.getByTestId('skip-button').click();
    await screen(page, 'leaderboard', 0);
    await page.getByTestId('skip-button').click();
    await screen(page, 'question', 1, 240_000);
    expect(await page.getByTestId('restyle-choice').count()).toBe(2);
    await page.getByTestId('restyle-choice').first().click();
    await page.getByTestId('submit-answer').click();
    await screen(page, 'reveal', 1);
    expect(await page.getByTestId('restyle-row').locator('li').count()).toBe(5);
    expect(await text(page, 'your-points')).toMatch(/\+\d+ points/);
    await shot(page, 'restyle-solo-reveal');
    expect(sockets).toEqual([]);
    await page.close();
  });
});
