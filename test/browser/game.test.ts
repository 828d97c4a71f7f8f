import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { shot, stageReady, startBrowserHarness, type BrowserHarness } from './harness.ts';

/**
 * The whole product in a real browser against the real server: a host screen and three
 * students (phone-sized pages) play two "Guess the timestep" rounds. Everything is done
 * through the UI (clicks, typing, keys) and checked in the DOM; screenshots of every
 * screen go to test-output/screenshots/.
 */
let h: BrowserHarness;

beforeAll(async () => {
  h = await startBrowserHarness();
});
afterAll(async () => {
  await h?.stop();
});

const PHONE = [390, 844] as const;

function screen(page: Page, phase: string, round?: number) {
  const roundSel = round === undefined ? '' : `[data-round="${round}"]`;
  return page.waitForSelector(`[data-testid="game-screen"][data-phase="${phase}"]${roundSel}`, { timeout: 30_000 });
}

async function text(page: Page, testid: string): Promise<string> {
  return (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
}

async function joinAs(page: Page, nickname: string): Promise<void> {
  await page.getByTestId('nickname-input').fill(nickname);
  await page.getByTestId('join-button').click();
}

/** The points a student's reveal screen shows, from "…: +834 points". */
async function revealedPoints(page: Page): Promise<number> {
  const line = await text(page, 'your-points');
  const match = /\+([\d,]+) points/.exec(line);
  return match ? Number(match[1]!.replace(/,/g, '')) : 0;
}

async function score(host: Page, nickname: string): Promise<number> {
  const row = host.locator(`[data-testid="leaderboard-row"][data-player="${nickname}"] [data-testid="score"]`);
  return Number(((await row.textContent()) ?? '').replace(/,/g, ''));
}

/** On failure, every open page is saved as failure-N.png to see what the browser showed. */
function shootOnFailure(): void {
  onTestFailed(async () => {
    for (const [i, page] of h.context.pages().entries()) {
      await shot(page, `failure-${i}`).catch(() => undefined);
      const visible = await page.innerText('main').catch(() => '');
      console.error(`failure-${i}: ${page.url()}\n${visible.replace(/\s+/g, ' ').slice(0, 400)}`);
    }
  });
}

describe('Latent Arena in the browser', () => {
  it('runs a class game: lobby, two rounds, reload, pause, skip, podium, CSV', { timeout: 240_000 }, async () => {
    shootOnFailure();
    // ---- landing --------------------------------------------------------------------
    const landing = await h.page();
    await landing.goto(`${h.server.url}/`);
    await stageReady(landing, 'noise-loop');
    await expect.poll(() => landing.getByTestId('way-host').isVisible()).toBe(true);
    expect(await landing.getByTestId('way-join').isVisible()).toBe(true);
    expect(await landing.getByTestId('way-solo').isVisible()).toBe(true);
    await landing.waitForTimeout(1500);
    await shot(landing, '01-landing');
    await landing.getByTestId('way-host').click();
    const host = landing;

    // ---- host lobby -----------------------------------------------------------------
    await host.getByTestId('join-code').waitFor({ timeout: 15_000 });
    const code = await text(host, 'join-code');
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
    expect(host.url()).toContain(`/host/${code}`);
    expect(await text(host, 'join-url')).toContain(`/join/${code}`);
    expect(await host.getByTestId('qr').getAttribute('src')).toBe(`/api/lobbies/${code}/qr.svg`);
    await expect.poll(() => host.getByTestId('qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

    // The playlist: two rounds, the shortest timer.
    await host.getByTestId('rounds-timestep').fill('2');
    await host.getByTestId('timer-timestep').fill('30');
    await expect.poll(() => text(host, 'playlist-summary')).toContain('2 rounds');

    // ---- join: errors first, then three students --------------------------------------
    const ana = await h.page(...PHONE);
    await ana.goto(`${h.server.url}/join`);
    await ana.getByTestId('code-input').fill('ZZZZZZ');
    await joinAs(ana, 'Ana');
    await expect.poll(() => ana.locator('#join-code-error').textContent()).toContain('No class with the code ZZZZZZ');
    await shot(ana, '03-join-error');
    await ana.getByTestId('code-input').fill('K0O1');
    await ana.getByTestId('join-button').click();
    expect(await ana.locator('#join-code-error').textContent()).toContain('6 letters and digits');
    await ana.getByTestId('code-input').fill(code.toLowerCase());
    await ana.getByTestId('nickname-input').fill('   ');
    await ana.getByTestId('join-button').click();
    expect(await ana.locator('#join-nickname-error').textContent()).toContain('Please enter a nickname');
    await joinAs(ana, '  Ana  ');
    await ana.getByTestId('waiting-room').waitFor();
    expect(ana.url()).toContain(`/play/${code}`);
    expect(await text(ana, 'my-nickname')).toBe('Ana');

    // Ben comes from the QR code: the code is already filled in.
    const ben = await h.page(...PHONE);
    await ben.goto(`${h.server.url}/join/${code}`);
    expect(await ben.getByTestId('code-input').inputValue()).toBe(code);
    await joinAs(ben, 'Ben');
    await ben.getByTestId('waiting-room').waitFor();

    // Cleo first picks a taken name; the server's refusal is shown by the nickname field.
    const cleo = await h.page(...PHONE);
    await cleo.goto(`${h.server.url}/join/${code}`);
    await joinAs(cleo, 'ana');
    await expect.poll(() => cleo.locator('#join-nickname-error').textContent()).toContain('already taken');
    await joinAs(cleo, 'Cleo');
    await cleo.getByTestId('waiting-room').waitFor();
    await stageReady(cleo, 'noise-loop');

    // A fourth student is kicked and told so.
    const dan = await h.page(...PHONE);
    await dan.goto(`${h.server.url}/join/${code}`);
    await joinAs(dan, 'Dan');
    await dan.getByTestId('waiting-room').waitFor();
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(4);
    const danRow = host.locator('[data-testid="player-row"][data-player="Dan"]');
    await danRow.getByTestId('kick').click();
    await danRow.getByTestId('kick').click(); // confirm
    await dan.getByTestId('notice').waitFor();
    expect(await dan.getByTestId('notice').textContent()).toContain('The host removed you');
    await dan.close();
    await expect.poll(() => host.getByTestId('player-row').count()).toBe(3);
    expect(await text(host, 'player-count')).toBe('3');
    // Dan stays out, under another name on the same browser too, until the host lets him back in.
    await host.locator('[data-testid="removed-row"][data-player="Dan"]').waitFor();
    const danAgain = await h.page(...PHONE);
    await danAgain.goto(`${h.server.url}/join/${code}`);
    await joinAs(danAgain, 'Daniel');
    await expect.poll(() => text(danAgain, 'join-error')).toContain('Ask the host to let you back in');
    await danAgain.close();
    await host.locator('[data-testid="removed-row"][data-player="Dan"]').getByTestId('readmit').click();
    await expect.poll(() => host.getByTestId('removed-row').count()).toBe(0);

    // Host renames Ben → Benji; Ben's own screen follows.
    const benRow = host.locator('[data-testid="player-row"][data-player="Ben"]');
    await benRow.getByRole('button', { name: 'Rename Ben' }).click();
    await host.keyboard.press('Control+A');
    await host.keyboard.type('Benji');
    await host.keyboard.press('Enter');
    await expect.poll(() => text(ben, 'my-nickname')).toBe('Benji');

    // Lock, and a late student is refused with a clear sentence; then unlock.
    await host.getByTestId('lock-button').click();
    await expect.poll(() => host.getByTestId('lock-button').getAttribute('aria-pressed')).toBe('true');
    const late = await h.page(...PHONE);
    await late.goto(`${h.server.url}/join/${code}`);
    await joinAs(late, 'Late');
    await expect.poll(() => text(late, 'join-error')).toContain('locked');
    await late.close();
    await host.getByTestId('lock-button').click();
    await expect.poll(() => host.getByTestId('lock-button').getAttribute('aria-pressed')).toBe('false');
    await shot(host, '02-host-lobby');

    // ---- round 1 --------------------------------------------------------------------
    await host.getByTestId('start-button').click();
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'question', 0)));
    await Promise.all([host, ana].map((p) => stageReady(p, 'question')));
    expect(await text(host, 'answered-count')).toBe('0 of 3 answered');
    expect(await text(host, 'round-label')).toContain('Round 1 of 2');

    // Pause: everyone sees it, the timer stops, and answers wait.
    await host.getByTestId('pause-button').click();
    // Read the frozen value only once the host's own screen has the pause: the student's
    // banner can arrive a tick before the host's, while the host's timer still counts.
    await Promise.all([host, ana].map((p) => p.getByTestId('paused-banner').waitFor()));
    const frozen = await text(host, 'seconds-left');
    await host.waitForTimeout(1500);
    expect(await text(host, 'seconds-left')).toBe(frozen);
    expect(await ana.getByTestId('submit-answer').isDisabled()).toBe(true);
    await host.getByTestId('pause-button').click();
    await ana.getByTestId('paused-banner').waitFor({ state: 'hidden' });

    // Ana answers with the keyboard only: focus the slider, Home (t = 1), then 49 × →.
    await ana.getByTestId('guess-slider').focus();
    await ana.keyboard.press('Home');
    for (let i = 0; i < 49; i++) await ana.keyboard.press('ArrowRight');
    expect(await text(ana, 'guess-value')).toBe('50');
    await shot(ana, '04-student-question');
    await ana.keyboard.press('Tab'); // → exact value field
    await ana.keyboard.press('Tab'); // → submit
    await ana.keyboard.press('Enter');
    await ana.getByTestId('answer-locked').waitFor();
    expect(await text(ana, 'answer-locked')).toContain('t = 50');
    await expect.poll(() => text(host, 'answered-count')).toBe('1 of 3 answered');
    await shot(host, '05-host-question');

    await ben.getByTestId('guess-number').fill('650');
    await ben.getByTestId('submit-answer').click();
    await ben.getByTestId('answer-locked').waitFor();
    await cleo.getByTestId('guess-number').fill('900');
    await cleo.getByTestId('submit-answer').click();

    // Everyone answered: the reveal comes at once.
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'reveal', 0)));
    await Promise.all([host, ana].map((p) => stageReady(p, 'reveal')));
    const truth1 = Number((await text(host, 'true-t')).replace('t = ', ''));
    expect(truth1).toBeGreaterThanOrEqual(1);
    expect(truth1).toBeLessThanOrEqual(1000);
    expect(await text(ana, 'true-t')).toBe(`t = ${truth1}`);
    expect(await text(ana, 'your-points')).toContain('You guessed 50');
    expect(await ana.getByTestId('my-guess-marker').count()).toBe(1);
    expect(await ana.getByTestId('guess-marker').count()).toBe(2);
    expect(await host.getByTestId('guess-marker').count()).toBe(3);
    expect(await text(host, 'formula')).toContain('points = ');
    // Every reveal links the notes on the lecture, in a tab of their own (the class stays open).
    expect(await ana.getByTestId('notes-link').getAttribute('href')).toBe('/notes');
    expect(await ana.getByTestId('notes-link').getAttribute('target')).toBe('_blank');
    const anaPoints1 = await revealedPoints(ana);
    const benPoints1 = await revealedPoints(ben);
    await shot(host, '06-host-reveal');
    await shot(ana, '07-student-reveal');

    // Skip the rest of the reveal.
    await host.getByTestId('skip-button').click();
    await Promise.all([host, ana, ben].map((p) => screen(p, 'leaderboard', 0)));
    await Promise.all([host, ana].map((p) => stageReady(p, 'leaderboard')));
    expect(await host.getByTestId('leaderboard-row').count()).toBe(3);
    expect(await score(host, 'Ana')).toBe(anaPoints1);
    expect(await score(host, 'Benji')).toBe(benPoints1);
    expect(await text(ana, 'my-rank')).toMatch(/You are #\d of 3/);
    await shot(host, '08-host-leaderboard');
    await shot(ana, '09-student-leaderboard');

    // ---- round 2 (starts by itself after the leaderboard) ----------------------------
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'question', 1)));

    // Ben reloads mid-round: same seat, same score, question back on screen.
    await ben.reload();
    await screen(ben, 'question', 1);
    await ben.getByTestId('answer-form').waitFor();
    expect(await text(host, 'answered-count')).toBe('0 of 3 answered'); // still three seats, not four
    // The host screen reloads too and is the host again, on the same question.
    await host.reload();
    await screen(host, 'question', 1);
    await expect.poll(() => text(host, 'answered-count')).toBe('0 of 3 answered');
    expect(await host.getByTestId('pause-button').isVisible()).toBe(true);
    await ben.getByTestId('guess-number').fill('500');
    await ben.getByTestId('submit-answer').click();
    await ben.getByTestId('answer-locked').waitFor();
    await ana.getByTestId('guess-number').fill('420');
    await ana.getByTestId('submit-answer').click();
    await cleo.getByTestId('guess-number').fill('42');
    await cleo.getByTestId('submit-answer').click();

    await Promise.all([host, ana, ben].map((p) => screen(p, 'reveal', 1)));
    const anaPoints2 = await revealedPoints(ana);
    const benPoints2 = await revealedPoints(ben);
    expect(await text(ben, 'your-points')).toContain('You guessed 500');
    await host.getByTestId('skip-button').click();
    await Promise.all([host, ben].map((p) => screen(p, 'leaderboard', 1)));
    expect(await score(host, 'Benji')).toBe(benPoints1 + benPoints2);
    expect(await score(host, 'Ana')).toBe(anaPoints1 + anaPoints2);
    expect(await host.getByTestId('skip-button').textContent()).toBe('Show final results');
    await host.getByTestId('skip-button').click();

    // ---- podium & report -------------------------------------------------------------
    await Promise.all([host, ana, ben, cleo].map((p) => screen(p, 'podium')));
    await Promise.all([host, ana].map((p) => stageReady(p, 'podium')));
    expect(await host.getByTestId('podium-place').count()).toBe(3);
    const podiumText = await text(host, 'podium');
    for (const name of ['Ana', 'Benji', 'Cleo']) expect(podiumText).toContain(name);
    expect(await text(ben, 'my-rank')).toMatch(new RegExp(`You finished #\\d of 3 with ${(benPoints1 + benPoints2).toLocaleString('en-US')} points`));
    await host.waitForTimeout(600); // confetti in flight
    await shot(host, '10-host-podium');
    await shot(ana, '11-student-podium');

    const [download] = await Promise.all([host.waitForEvent('download'), host.getByTestId('report-link').click()]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv.length).toBe(1 + 3 * 2); // header + one row per player per round
    for (const name of ['Ana', 'Benji', 'Cleo']) expect(csv.filter((line) => line.includes(name))).toHaveLength(2);

    // The next class lists this one, with its report.
    await host.getByRole('link', { name: 'Host a new class' }).click();
    await host.getByTestId('join-code').waitFor();
    expect(await text(host, 'join-code')).not.toBe(code);
    const history = host.getByTestId('previous-games');
    expect(await history.textContent()).toContain(code);
    const earlier = history.getByRole('button', { name: 'Report (CSV)' });
    const [again] = await Promise.all([host.waitForEvent('download'), earlier.click()]);
    expect(
      readFileSync((await again.path())!, 'utf8')
        .trim()
        .split(/\r?\n/),
    ).toEqual(csv);
    // The host secret never appears in a URL the page links to.
    expect(await host.locator('a[href*="report.csv"]').count()).toBe(0);

    for (const p of [ana, ben, cleo]) await p.close();

    // ---- notes on the lecture -----------------------------------------------------------
    const notes = await h.page(...PHONE);
    await notes.goto(`${h.server.url}/notes`);
    await notes.getByTestId('notes-page').waitFor();
    expect(await notes.getByTestId('note').count()).toBeGreaterThanOrEqual(20);
    expect(await notes.getByTestId('notes-page').innerText()).toContain('DDPM: Simplify everything');
    await shot(notes, '12-notes-phone');
    await notes.close();
  });

  it('plays solo without a server connection', { timeout: 120_000 }, async () => {
    shootOnFailure();
    const page = await h.page(...PHONE);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${h.server.url}/`);
    await stageReady(page, 'noise-loop');
    await page.waitForTimeout(1200);
    await shot(page, '14-landing-phone');
    await page.getByTestId('way-solo').click();
    await page.getByTestId('rounds-timestep').fill('2');
    await page.getByTestId('timer-timestep').fill('30');
    // Solo's default playlist also holds the Noise lab; this test plays timestep rounds only.
    const lab = page.getByTestId('rounds-noise-lab');
    if (await lab.count()) await lab.fill('0');
    await page.getByTestId('solo-start').click();

    await screen(page, 'question', 0);
    await stageReady(page, 'question');
    expect(await text(page, 'round-label')).toContain('Round 1 of 2');
    await page.getByTestId('guess-slider').focus();
    await page.keyboard.press('End');
    expect(await text(page, 'guess-value')).toBe('1000');
    await shot(page, '12-solo-question');
    await page.getByTestId('submit-answer').click();

    await screen(page, 'reveal', 0);
    await stageReady(page, 'reveal');
    const truth = Number((await text(page, 'true-t')).replace('t = ', ''));
    expect(truth).toBeGreaterThanOrEqual(1);
    expect(await text(page, 'your-points')).toContain('You guessed 1000');
    expect(await page.getByTestId('my-guess-marker').count()).toBe(1);
    const points1 = await revealedPoints(page);
    await shot(page, '13-solo-reveal');

    await page.getByTestId('skip-button').click();
    await screen(page, 'leaderboard', 0);
    expect(await text(page, 'my-rank')).toContain(`${points1.toLocaleString('en-US')} points`);
    await page.getByTestId('skip-button').click();
    await screen(page, 'question', 1);
    // No answer this time: skip straight to the reveal, then the end.
    await page.getByTestId('skip-button').click();
    await screen(page, 'reveal', 1);
    expect(await text(page, 'your-points')).toContain('No answer');
    await page.getByTestId('end-button').click();
    await page.getByTestId('end-button').click();
    await screen(page, 'podium');
    expect(await text(page, 'my-rank')).toContain(`with ${points1.toLocaleString('en-US')} points`);
    expect(sockets).toEqual([]);
    await page.close();
  });
});
