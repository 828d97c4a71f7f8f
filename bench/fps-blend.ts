import type { Page } from 'playwright-core';
import { withSoloPage } from './solo-page.ts';

/**
 * Frames per second in Chromium while the Blend slider is dragged in match mode (every move
 * asks for a live re-render of G(z, β φ(t1) + (1 − β) φ(t2)) on this device), against an
 * idle page's frame rate measured in the same run; and the ms one re-render takes.
 */
async function fps(page: Page, ms: number, drag: boolean): Promise<{ fps: number; moves: number }> {
  return page.evaluate(
    ([ms, drag]) =>
      new Promise<{ fps: number; moves: number }>((done) => {
        const slider = document.querySelector<HTMLInputElement>('[data-testid="beta-slider"]');
        let frames = 0;
        let moves = 0;
        const start = performance.now();
        const tick = (now: number) => {
          frames++;
          if (drag && slider) {
            // Two input events per frame, as a fast pointer drag gives; a full sweep every 2 s.
            for (let k = 0; k < 2; k++) {
              slider.value = String(0.5 + 0.5 * Math.sin((now - start) / 320 + k * 0.05));
              slider.dispatchEvent(new Event('input', { bubbles: true }));
              moves++;
            }
          }
          if (now - start < ms) requestAnimationFrame(tick);
          else done({ fps: (frames * 1000) / (now - start), moves });
        };
        requestAnimationFrame(tick);
      }),
    [ms, drag] as const,
  );
}

async function renderCounters(page: Page): Promise<{ renders: number; ms: number }> {
  const preview = page.getByTestId('blend-preview');
  return { renders: Number(await preview.getAttribute('data-renders')), ms: Number(await preview.getAttribute('data-render-ms')) };
}

export async function benchFpsBlend(): Promise<void> {
  // Solo: the target and the live render both come from this page's models.
  const configure = async (page: Page) => {
    await page.getByTestId('options-blend').getByLabel('Mode').selectOption('match');
  };
  await withSoloPage({ name: 'fps-blend', round: 'blend', timerSec: 120, configure }, async (page) => {
    await page.waitForSelector('[data-testid="blend-preview"][data-renders]', { timeout: 240_000 });
    await page.waitForTimeout(500);
    const idle = await fps(page, 3000, false);
    const before = await renderCounters(page);
    const drag = await fps(page, 3000, true);
    await page.waitForTimeout(1000); // let the last render land before reading the counters
    const after = await renderCounters(page);
    const renders = after.renders - before.renders;
    if (renders < 1) throw new Error('the drag did not re-render the Blend preview');
    const msPer = (after.ms - before.ms) / renders;
    const backend = (await page.getByTestId('model-status').first().textContent())?.match(/backend: (\w+)/)?.[1] ?? '?';
    console.log(
      `fps: idle Blend page ${idle.fps.toFixed(1)} fps (baseline); dragging the match slider ${drag.fps.toFixed(1)} fps — ratio ${(drag.fps / idle.fps).toFixed(2)}; ` +
        `${renders} re-renders for ${drag.moves} slider moves, ${msPer.toFixed(1)} ms per re-render (${backend})`,
    );
  });
}

if (import.meta.main) await benchFpsBlend();
