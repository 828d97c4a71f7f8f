import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { judgePoints } from '../../shared/rounds/judge-round.ts';
import { logScore } from '../../shared/rounds/log-score.ts';
import { ROUND_TYPE_NAMES } from '../../shared/rounds/registry.ts';
import { shot, startBrowserHarness, type BrowserHarness } from './harness.ts';

/**
 * The GAN rounds in a real browser against the real server: a host screen (which loads
 * the models and is the render worker for real) and three phone-sized students play one
 * "Spot the fake" round and one "Judge" round through the UI, then a Spot-the-fake round
 * with a generator team of one (who reloads the page mid-pick). Screenshots go to
 * test-output/screenshots/gan-*.png.
 */
const PHONE = [390, 844] as const;
let h: BrowserHarness;

beforeAll(async () => {
  // Picks end when every G has sent them; the long window only covers the reload below on a busy machine.
  h = await startBrowserHarness({ generatorPickMs: 90_000 });
});
afterAll(async () => {
  await h?.stop();
});

function screen(page: Page, phase: string, round?: number, timeout = 60_000) {
  const roundSel = round === undefined ? '' : `[data-round="${round}"]`;
  return page.waitForSelector(`[data-testid="game-screen"][data-phase="${phase}"]${roundSel}`, { timeout });
}

async function text(page: Page, testid: string): Promise<string> {
  return (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
}

async function join_(page: Page, code: string, nickname: string): Promise<void> {
  await page.goto(`${h.server.url}/join/${code}`);
  await page.getByTestId('nickname-input').fill(nickname);
  await page.getByTestId('join-button').click();
  await page.getByTestId('waiting-room').waitFor();
}

/** Nothing on a student's screen may say which image is real before the reveal. */
async function expectNoTruth(page: Page): Promise<void> {
  expect(await page.locator('[data-truth]').count()).toBe(0);
  const visible = await page.innerText('main');
  expect(visible).not.toMatch(/from the data set|made by G|made by diffusion|was real|a fake made|Neural D|weight 0\.5/i);
  const html = await page.content();
  expect(html).not.toMatch(/data-truth|zSeed|truncation/);
}

function points(line: string): number {
  const match = /\+([\d,]+) points/.exec(line);
  return match ? Number(match[1]!.replace(/,/g, '')) : -1;
}

function shootOnFailure(): void {
  onTestFailed(async () => {
    for (const [i, page] of h.context.pages().entries()) {
      await shot(page, `gan-failure-${i}`).catch(() => undefined);
      const visible = await page.innerText('main').catch(() => '');
      console.error(`gan-failure-${i}: ${page.url()}\n${visible.replace(/\s+/g, ' ').slice(0, 600)}`);
    }
  });
}

async function hostWithModels(): Promise<{ host: Page; code: string }> {
  const host = await h.page();
  await host.goto(`${h.server.url}/host`);
  await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
  const code = await text(host, 'join-code');
  return { host, code };
}

describe('GAN rounds in the browser', () => {
  it('plays Spot the fake and Judge with the host screen as render worker', { timeout: 400_000 }, async () => {
    shootOnFailure();
    const { host, code } = await hostWithModels();

    // ---- playlist: per-type options through the options hook --------------------------
    await host.getByTestId('rounds-timestep').fill('0');
    await host.getByTestId('rounds-spot-fake').fill('1');
    await host.getByTestId('timer-spot-fake').fill('90');
    await host.getByTestId('rounds-judge').fill('1');
    await host.getByTestId('timer-judge').fill('90');
    const sf = host.getByTestId('options-spot-fake');
    expect(await sf.getByLabel('Images').inputValue()).toBe('4');
    expect(await sf.getByLabel('Generator team').inputValue()).toBe('0');
    await sf.getByLabel('Difficulty').selectOption('easy');
    await host.getByTestId('options-judge').getByLabel('Images').fill('4');
    await expect.poll(() => text(host, 'playlist-summary')).toContain('2 rounds');
    // The diffusion weights ship, so that fake source is offered.
    await expect.poll(() => sf.locator('option[value="diffusion"]').isDisabled()).toBe(false);

    // The host screen loads the models (it renders the fakes) and says so.
    await host.locator('[data-testid="host-models"] [data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 180_000 });
    expect(await text(host, 'host-models')).toMatch(/Models ready · backend: \w+/);

    const ana = await h.page(...PHONE);
    const ben = await h.page(...PHONE);
    const cleo = await h.page(...PHONE);
    await join_(ana, code, 'Ana');
    await join_(ben, code, 'Ben');
    await join_(cleo, code, 'Cleo');
    // Volunteering is offered and off by default.
    expect(await ana.getByTestId('volunteer').isChecked()).toBe(false);
    expect(await ana.getByLabel('Volunteer this device to render images').isVisible()).toBe(true);
    await shot(ana, 'gan-01-waiting-volunteer');
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(3);
    await shot(host, 'gan-02-host-lobby-options');

    // ---- Spot the fake --------------------------------------------------------------
    await host.getByTestId('start-button').click();
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'question', 0)));
    expect(await text(host, 'round-label')).toContain('Spot the fake');
    expect(await host.getByTestId('gan-item').count()).toBe(4);
    for (const p of [ana, ben, cleo]) {
      expect(await p.getByTestId('gan-item').count()).toBe(4);
      await expectNoTruth(p);
    }
    // Images are drawn crisp: 32×32 canvases with non-blank pixels.
    const drawn = await ana.locator('canvas.gan-image').evaluateAll((cs: HTMLCanvasElement[]) =>
      cs.map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, 32, 32).data;
        let sum = 0;
        for (let i = 0; i < d.length; i += 4) sum += d[i]! + d[i + 1]! + d[i + 2]!;
        return { w: c.width, rendering: getComputedStyle(c).imageRendering, sum };
      }),
    );
    expect(drawn).toHaveLength(4);
    for (const c of drawn) {
      expect(c.w).toBe(32);
      expect(c.rendering).toMatch(/pixelated|crisp-edges/);
      expect(c.sum).toBeGreaterThan(0);
    }
    await shot(host, 'gan-03-host-spot-question');

    // Ana answers with the keyboard only: per image, Tab to the real/fake group, pick, Tab to the confidence steps, raise it.
    await ana.getByTestId('say-real').first().focus();
    for (let i = 0; i < 4; i++) {
      if (i % 2 === 0)
        await ana.keyboard.press('Space'); // Real
      else await ana.keyboard.press('ArrowRight'); // Fake
      await ana.keyboard.press('Tab'); // → confidence (75 % is checked)
      await ana.keyboard.press('ArrowRight'); // → 90 %
      await ana.keyboard.press('Tab'); // → next image, or the submit button
    }
    const anaChecked = await ana.locator('input:checked').evaluateAll((xs: HTMLInputElement[]) => xs.map((x) => x.value));
    expect(anaChecked).toEqual(['real', '0.9', 'fake', '0.9', 'real', '0.9', 'fake', '0.9']);
    await shot(ana, 'gan-04-student-spot-question');
    await ana.keyboard.press('Enter');
    await ana.getByTestId('answer-locked').waitFor();
    expect(await text(ana, 'answer-locked')).toContain('Answer locked in');
    await expect.poll(() => text(host, 'answered-count')).toBe('1 of 3 answered');

    // Ben first forgets one image and is told which; then answers everything "real, 99 %".
    const benItems = ben.getByTestId('gan-item');
    for (let i = 0; i < 3; i++) await benItems.nth(i).locator('label', { hasText: 'Real' }).click();
    await ben.getByTestId('submit-answer').click();
    await expect.poll(() => text(ben, 'answer-status')).toContain('image 4');
    await benItems.nth(3).locator('label', { hasText: 'Real' }).click();
    for (let i = 0; i < 4; i++) await benItems.nth(i).locator('label', { hasText: '99 %' }).click();
    await ben.getByTestId('submit-answer').click();
    await ben.getByTestId('answer-locked').waitFor();
    await expectNoTruth(ben);
    // Cleo says "fake, 60 %" to everything.
    const cleoItems = cleo.getByTestId('gan-item');
    for (let i = 0; i < 4; i++) {
      await cleoItems.nth(i).locator('label', { hasText: 'Fake' }).click();
      await cleoItems.nth(i).locator('label', { hasText: '60 %' }).click();
    }
    await cleo.getByTestId('submit-answer').click();

    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'reveal', 0)));
    for (const p of [host, ana]) {
      expect(await p.getByTestId('reveal-item').count()).toBe(4);
      expect(await p.locator('[data-truth="fake"]').count()).toBe(2);
      expect(await p.locator('[data-truth="real"]').count()).toBe(2);
    }
    expect(await text(host, 'truth-summary')).toBe('2 fakes, 2 real');
    expect(await text(host, 'formula')).toContain('log₂ p');
    expect(await text(host, 'formula')).toContain('D(G(z))');
    expect(await host.getByTestId('spot-fake-reveal').innerText()).toContain('−log 4 = −1.39');
    expect(await text(host, 'class-value')).toMatch(/^−?\d+\.\d\d$/);
    expect(await host.getByTestId('neural-d').count()).toBe(4);
    // The server's trained discriminator answered beside the class.
    for (const line of await host.getByTestId('neural-d').allInnerTexts()) expect(line).toMatch(/D = \d+ %/);
    expect(await text(host, 'neural-value')).toMatch(/^−?\d+\.\d\d$/);
    // Ben said "real" to every image: the two fakes fooled him; Cleo called both reals fake.
    const fooled = await host.locator('[data-truth="fake"] .gan-fooled').allInnerTexts();
    for (const line of fooled) expect(line).toContain('Ben');
    const calledFake = await host.locator('[data-truth="real"] .gan-fooled').allInnerTexts();
    for (const line of calledFake) expect(line).toContain('Cleo');
    // Scores follow the log rule, 100 · (1 + log₂ p / log₂ 100), rounded once per answer.
    const anaLine = await text(ana, 'your-points');
    expect(anaLine).toMatch(/of 4 right: \+\d+ points/);
    const benPoints = points(await text(ben, 'your-points'));
    // Ben: two reals at 99 % → 99.78 each; two fakes at 99 % → 0.
    expect(benPoints).toBe(Math.round(2 * logScore(0.99) + 2 * logScore(0.01)));
    expect(benPoints).toBe(200);
    const cleoPoints = points(await text(cleo, 'your-points'));
    // Cleo: fakes at 60 % → 88.92 each; reals → p = 0.4 → 80.10 each.
    expect(cleoPoints).toBe(338);
    // The reveal's table shows why honesty pays.
    expect(await host.getByTestId('honesty-table').count()).toBe(1);
    await host.locator('details.honesty summary').click();
    await host.getByTestId('honesty-table').scrollIntoViewIfNeeded();
    // Each row's best answer is its own belief: the bold cell sits on the diagonal.
    const best = await host
      .locator('[data-testid="honesty-table"] tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].findIndex((td) => td.classList.contains('best'))));
    expect(best).toEqual([0, 1, 2, 3, 4]);
    await shot(host, 'gan-05b-host-honesty-table');
    await shot(host, 'gan-05-host-spot-reveal');
    await shot(ana, 'gan-06-student-spot-reveal');

    await host.getByTestId('skip-button').click();
    await Promise.all([host, ana].map((p) => screen(p, 'leaderboard', 0)));
    await host.getByTestId('skip-button').click();

    // ---- Judge ----------------------------------------------------------------------
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'question', 1)));
    expect(await text(host, 'round-label')).toContain('Judge');
    for (const p of [ana, ben, cleo]) {
      expect(await p.getByTestId('gan-item').count()).toBe(4);
      await expectNoTruth(p);
    }
    await shot(host, 'gan-07-host-judge-question');
    // Ana with the keyboard: first verdict with Space, the others with arrows.
    await ana.getByTestId('verdict-match').first().focus();
    await ana.keyboard.press('Space');
    for (let i = 1; i < 4; i++) {
      await ana.keyboard.press('Tab'); // → how sure (75 % is checked)
      await ana.keyboard.press('Tab'); // → the next item's verdicts
      await ana.keyboard.press('ArrowDown'); // → "Real, wrong caption"
    }
    expect(await ana.locator('input:checked').evaluateAll((xs: HTMLInputElement[]) => xs.map((x) => x.value))).toEqual(
      ['match', 'mismatch', 'mismatch', 'mismatch'].flatMap((v) => [v, '0.75']),
    );
    await shot(ana, 'gan-08-student-judge-question');
    await ana.getByTestId('submit-answer').click();
    await ana.getByTestId('answer-locked').waitFor();
    for (const [p, verdict] of [
      [ben, 'Real & matches'],
      [cleo, 'Fake'],
    ] as const) {
      const items = p.getByTestId('gan-item');
      for (let i = 0; i < 4; i++) await items.nth(i).locator('label', { hasText: verdict }).click();
      await p.getByTestId('submit-answer').click();
    }
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'reveal', 1)));
    expect(await host.getByTestId('reveal-item').count()).toBe(4);
    const truths = await host.getByTestId('reveal-item').evaluateAll((xs) => xs.map((x) => x.getAttribute('data-truth')));
    for (const v of ['match', 'mismatch', 'fake']) expect(truths).toContain(v);
    expect(await text(host, 'formula')).toContain('log₂ 200');
    expect(await host.getByTestId('judge-reveal').innerText()).toContain('L_CLS');
    expect(await host.getByTestId('neural-judge').count()).toBe(4);
    for (const line of await host.getByTestId('neural-judge').allInnerTexts()) expect(line).toMatch(/CLIP match \d+ %, D real \d+ %/);
    // Everyone at the default 75 %: p = 0.75 on a right verdict (94.57 points), 0.125 on a wrong one (60.75).
    const count = (v: string) => truths.filter((t) => t === v).length;
    const judged = (right: number) => Math.round(right * judgePoints(0.75) + (4 - right) * judgePoints(0.125));
    expect(points(await text(ben, 'your-points'))).toBe(judged(count('match')));
    expect(points(await text(cleo, 'your-points'))).toBe(judged(count('fake')));
    expect(points(await text(ana, 'your-points'))).toBe(judged((truths[0] === 'match' ? 1 : 0) + truths.slice(1).filter((t) => t === 'mismatch').length));
    await shot(host, 'gan-09-host-judge-reveal');
    await shot(cleo, 'gan-10-student-judge-reveal');

    await host.getByTestId('end-button').click();
    await host.getByTestId('end-button').click();
    await screen(host, 'podium');
    for (const p of [ana, ben, cleo]) await p.close();
    await host.close();
  });

  it('lets one generator player pick the fakes', { timeout: 300_000 }, async () => {
    shootOnFailure();
    const { host, code } = await hostWithModels();
    await host.getByTestId('rounds-timestep').fill('0');
    await host.getByTestId('rounds-spot-fake').fill('1');
    await host.getByTestId('timer-spot-fake').fill('90');
    await host.getByTestId('options-spot-fake').getByLabel('Generator team').fill('1');
    await expect.poll(() => text(host, 'playlist-summary')).toContain('1 round');
    await host.locator('[data-testid="host-models"] [data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 180_000 });
    const players = [await h.page(...PHONE), await h.page(...PHONE), await h.page(...PHONE)];
    for (const [i, p] of players.entries()) await join_(p, code, ['Ana', 'Ben', 'Cleo'][i]!);
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(3);
    await host.getByTestId('start-button').click();

    // Exactly one student becomes G and sees candidates drawn on their own device.
    await expect.poll(async () => (await Promise.all(players.map((p) => p.getByTestId('generator-title').count()))).reduce((a, b) => a + b, 0), { timeout: 120_000 }).toBe(1);
    const gIndex = (await Promise.all(players.map((p) => p.getByTestId('generator-title').count()))).indexOf(1);
    const g = players[gIndex]!;
    const others = players.filter((p) => p !== g);
    for (const p of [host, ...others]) expect(await p.getByTestId('preparing').innerText()).toContain('Generating images');
    const slots = g.getByTestId('generator-slot');
    const slotCount = await slots.count();
    expect(slotCount).toBe(2); // 4 images, 2 fakes, one G
    await expect.poll(() => g.getByTestId('candidate').count(), { timeout: 60_000 }).toBe(slotCount * 4);
    // Phones reload mid-round: the seat comes back, and so do the candidates to pick from.
    await g.reload();
    await g.getByTestId('generator-title').waitFor({ timeout: 60_000 });
    await expect.poll(() => g.getByTestId('candidate').count(), { timeout: 60_000 }).toBe(slotCount * 4);
    await shot(g, 'gan-11-generator-pick');
    await shot(others[0]!, 'gan-12-student-preparing');
    // Picks by keyboard: focus the first candidate of each slot, arrow to the third.
    for (let s = 0; s < slotCount; s++) {
      await slots.nth(s).getByTestId('candidate').first().focus();
      await g.keyboard.press('ArrowRight');
      await g.keyboard.press('ArrowRight');
      await expect.poll(() => slots.nth(s).locator('.gan-slot-status').textContent()).toContain('Picked: z3');
    }
    await g.getByTestId('send-picks').click();

    await Promise.all([host, ...players].map((p) => screen(p, 'question', 0, 90_000)));
    await g.getByTestId('generator-question').waitFor();
    expect(await text(host, 'answered-count')).toBe('0 of 2 answered'); // G does not answer
    expect(await g.getByTestId('answer-form').count()).toBe(0);
    expect(await g.getByTestId('my-fake').count()).toBe(slotCount);
    for (const caption of await g.getByTestId('my-fake').allInnerTexts()) expect(caption).toContain('z3');
    await shot(g, 'gan-13-generator-question');
    for (const p of others) {
      await expectNoTruth(p);
      const items = p.getByTestId('gan-item');
      for (let i = 0; i < (await items.count()); i++) await items.nth(i).locator('label', { hasText: 'Real' }).click();
      await p.getByTestId('submit-answer').click();
      // The last answer opens the reveal at once.
      if (p === others[0]) await p.getByTestId('answer-locked').waitFor();
    }
    await Promise.all([host, ...players].map((p) => screen(p, 'reveal', 0)));
    expect(await host.getByTestId('generator-team').innerText()).toContain('fooled');
    const gLine = await text(g, 'your-points');
    expect(gLine).toContain('You were G');
    // Everybody said "real, 75 %" to G's fakes: D earned 69.90 on each, G the rest of 100, rounded: 30 per fake.
    expect(points(gLine)).toBe(2 * 30);
    await shot(g, 'gan-14-generator-reveal');
    await shot(host, 'gan-15-host-generator-reveal');
    for (const p of players) await p.close();
    await host.close();
  });
  it('a volunteer student renders the fakes when the host screen cannot', { timeout: 300_000 }, async () => {
    shootOnFailure();
    const host = await h.page();
    // A projector PC whose browser cannot fetch the models (a school proxy, say).
    await host.route('**/models/**', (route) => route.abort());
    await host.goto(`${h.server.url}/host`);
    await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
    const code = await text(host, 'join-code');
    await host.getByTestId('rounds-timestep').fill('0');
    await host.getByTestId('rounds-spot-fake').fill('1');
    await host.getByTestId('timer-spot-fake').fill('90');
    await expect.poll(() => text(host, 'playlist-summary')).toContain('1 round');
    await host.locator('[data-testid="host-models"] [data-testid="model-status"][data-state="error"]').waitFor({ timeout: 60_000 });
    const [ana, ben] = [await h.page(...PHONE), await h.page(...PHONE)];
    await join_(ana, code, 'Ana');
    await join_(ben, code, 'Ben');
    await ana.getByTestId('volunteer').check();
    await ana.locator('[data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 180_000 });
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(2);
    await host.getByTestId('start-button').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'question', 0, 120_000)));
    // Ana's phone made the fakes, so she sits the round out; Ben judges all 4.
    await ana.getByTestId('sitting-out').waitFor();
    expect(await ana.getByTestId('gan-item').count()).toBe(0);
    expect(await ben.getByTestId('gan-item').count()).toBe(4);
    await expectNoTruth(ben);
    await shot(ana, 'gan-19-volunteer-question');
    const items = ben.getByTestId('gan-item');
    for (let i = 0; i < (await items.count()); i++) await items.nth(i).locator('label', { hasText: 'Fake' }).click();
    await ben.getByTestId('submit-answer').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'reveal', 0)));
    expect(await text(ana, 'your-points')).toContain('You sat this round out');
    expect(await text(host, 'rendered-note')).toContain('Ana’s device drew');
    await shot(host, 'gan-20-volunteer-reveal');
    for (const p of [ana, ben, host]) await p.close();
  });

  it('plays Spot the fake and Judge solo, with the models in the browser', { timeout: 300_000 }, async () => {
    shootOnFailure();
    const page = await h.page(...PHONE);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${h.server.url}/solo`);
    await page.getByTestId('rounds-timestep').fill('0');
    await page.getByTestId('rounds-spot-fake').fill('1');
    await page.getByTestId('rounds-judge').fill('1');
    // The fakes are made here: the models load first, with progress. With the models in the
    // browser's cache that phase can pass in a few milliseconds, so a MutationObserver
    // records the panel the moment it appears instead of racing it.
    await page.evaluate(() => {
      const w = window as unknown as { preparingSeen?: { text: string; status: boolean } };
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="preparing"]');
        if (el && !w.preparingSeen) w.preparingSeen = { text: el.textContent ?? '', status: el.querySelector('[data-testid="model-status"]') !== null };
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByTestId('solo-start').click();
    const seen = await page.waitForFunction(() => (window as unknown as { preparingSeen?: { text: string; status: boolean } }).preparingSeen, null, { timeout: 60_000 });
    const { text: preparingText, status } = (await seen.jsonValue())!;
    expect(preparingText).toContain('Generating images');
    expect(status).toBe(true);
    if (await page.getByTestId('preparing').isVisible()) await shot(page, 'gan-16-solo-preparing');
    await screen(page, 'question', 0, 180_000);
    await expectNoTruth(page);
    const items = page.getByTestId('gan-item');
    for (let i = 0; i < 4; i++) await items.nth(i).locator('label', { hasText: 'Fake' }).click();
    await page.getByTestId('submit-answer').click();
    await screen(page, 'reveal', 0);
    expect(await page.getByTestId('reveal-item').count()).toBe(4);
    // The neural D answered in this browser.
    const neural = await page.getByTestId('neural-d').allInnerTexts();
    for (const line of neural) expect(line).toMatch(/D = \d+ %/);
    expect(await text(page, 'neural-value')).toMatch(/^−?\d+\.\d\d$/);
    expect(await page.getByTestId('my-answer').count()).toBe(4);
    // “fake, 75 %” to all: fakes earn 93.74 each, reals (p = 0.25) 69.90 each.
    expect(points(await text(page, 'your-points'))).toBe(327);
    await shot(page, 'gan-17-solo-spot-reveal');
    await page.getByTestId('skip-button').click();
    await screen(page, 'leaderboard', 0);
    await page.getByTestId('skip-button').click();
    await screen(page, 'question', 1, 60_000);
    const judged = page.getByTestId('gan-item');
    for (let i = 0; i < (await judged.count()); i++) await judged.nth(i).locator('label', { hasText: 'Fake' }).click();
    await page.getByTestId('submit-answer').click();
    await screen(page, 'reveal', 1);
    for (const line of await page.getByTestId('neural-judge').allInnerTexts()) expect(line).toMatch(/CLIP match \d+ %/);
    await shot(page, 'gan-18-solo-judge-reveal');
    expect(sockets).toEqual([]);
    await page.close();
  });

  it('G plays back in a class: a phone that reloads on the podium still plots the series', { timeout: 300_000 }, async () => {
    shootOnFailure();
    const { host, code } = await hostWithModels();
    await host.getByTestId('rounds-timestep').fill('0');
    await host.getByTestId('rounds-spot-fake').fill('1');
    await host.getByTestId('options-spot-fake').getByLabel('G plays back').check();
    await expect.poll(() => text(host, 'playlist-summary')).toContain('1 round');
    await host.locator('[data-testid="host-models"] [data-testid="model-status"][data-state="ready"]').waitFor({ timeout: 180_000 });
    const ana = await h.page(...PHONE);
    await join_(ana, code, 'Ana');
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(1);
    await host.getByTestId('start-button').click();
    await screen(ana, 'question', 0, 120_000);
    await expectNoTruth(ana);
    const items = ana.getByTestId('gan-item');
    for (let i = 0; i < (await items.count()); i++) await items.nth(i).locator('label', { hasText: 'Real' }).click();
    await ana.getByTestId('submit-answer').click();
    await Promise.all([host, ana].map((p) => screen(p, 'reveal', 0)));
    await ana.getByTestId('minimax').waitFor();
    await host.getByTestId('end-button').click();
    await host.getByTestId('end-button').click();
    await screen(ana, 'podium');
    await ana.getByTestId('podium').getByTestId('minimax').waitFor();
    // A reload loses the reveals the page saw; the server sends the series again.
    await ana.reload();
    await screen(ana, 'podium');
    const final = ana.getByTestId('podium').getByTestId('minimax');
    await final.waitFor({ timeout: 30_000 });
    expect(await final.locator('[data-testid="minimax-value"] circle.point.class').count()).toBe(1);
    await final.scrollIntoViewIfNeeded();
    await shot(ana, 'gan-23-student-podium-after-reload');
    await ana.close();
    await host.close();
  });

  it('plays adversarial Spot the fake solo: G plays back, and the reveals and the final screen plot the minimax game', { timeout: 300_000 }, async () => {
    shootOnFailure();
    const page = await h.page(1280, 800);
    await page.goto(`${h.server.url}/solo`);
    for (const type of ROUND_TYPE_NAMES) await page.getByTestId(`rounds-${type}`).fill(type === 'spot-fake' ? '2' : '0');
    await page.getByTestId('solo-spot-fake-opt-adversarial').check();
    await page.getByTestId('solo-start').click();
    for (let round = 0; round < 2; round++) {
      await screen(page, 'question', round, 180_000);
      await expectNoTruth(page);
      const items = page.getByTestId('gan-item');
      for (let i = 0; i < (await items.count()); i++)
        await items
          .nth(i)
          .locator('label', { hasText: i % 2 ? 'Fake' : 'Real' })
          .click();
      await page.getByTestId('submit-answer').click();
      await screen(page, 'reveal', round);
      const chart = page.getByTestId('minimax');
      await chart.waitFor();
      // One point per round so far for the player (the class) and one for the neural D, on each plot.
      expect(await chart.locator('[data-testid="minimax-value"] circle.point.class').count()).toBe(round + 1);
      expect(await chart.locator('[data-testid="minimax-fool"] rect.point.neural').count()).toBe(round + 1);
      expect(await chart.locator('.equilibrium-label').first().textContent()).toContain('−log 4');
      if (round === 1) {
        await chart.scrollIntoViewIfNeeded();
        await shot(page, 'gan-21-solo-adversarial-reveal');
      }
      await page.getByTestId('skip-button').click();
      await screen(page, 'leaderboard', round);
      await page.getByTestId('skip-button').click();
    }
    await screen(page, 'podium');
    const final = page.getByTestId('podium').getByTestId('minimax');
    await final.waitFor();
    expect(await final.locator('[data-testid="minimax-value"] circle.point.class').count()).toBe(2);
    await final.scrollIntoViewIfNeeded();
    await shot(page, 'gan-22-solo-adversarial-podium');
    await page.close();
  });
});
