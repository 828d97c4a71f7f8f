import type { Page } from 'playwright-core';
import { withSoloPage } from './solo-page.ts';

/**
 * Frames per second in Chromium of the Noise lab's schedule editor while a control point is
 * dragged with the pointer, against an idle page's frame rate measured in the same run.
 * (The Blend slider has its own measurement in fps-blend.ts.)
 */
async function fps(page: Page, ms: number, drive: string | null): Promise<number> {
  return page.evaluate(
    ([ms, drive]) =>
      new Promise<number>((done) => {
        let frames = 0;
        const start = performance.now();
        const el = drive ? (document.querySelector(drive) as SVGCircleElement | null) : null;
        const box = el?.ownerSVGElement?.getBoundingClientRect();
        if (el && box) el.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, pointerId: 1, clientX: box.left + box.width / 2, clientY: box.top + box.height / 2 }));
        const tick = (now: number) => {
          frames++;
          if (el && box) {
            const phase = (now - start) / 400;
            // several pointer moves per frame, as a fast drag gives
            for (let k = 0; k < 3; k++)
              el.dispatchEvent(
                new PointerEvent('pointermove', {
                  bubbles: true,
                  pointerId: 1,
                  clientX: box.left + box.width * (0.45 + 0.1 * Math.sin(phase + k)),
                  clientY: box.top + box.height * (0.5 + 0.35 * Math.cos(phase + k)),
                }),
              );
          }
          if (now - start < ms) requestAnimationFrame(tick);
          else done((frames * 1000) / (now - start));
        };
        requestAnimationFrame(tick);
      }),
    [ms, drive] as const,
  );
}

export async function benchFpsLab(): Promise<void> {
  await withSoloPage({ name: 'fps', round: 'noise-lab', timerSec: 120 }, async (page) => {
    await page.getByTestId('lab-editor').waitFor();
    const idle = await fps(page, 3000, null);
    const drag = await fps(page, 3000, '[data-testid="lab-point-1"]');
    const kind = await page.getByTestId('lab-kind').inputValue();
    if (kind !== 'custom') throw new Error('the drag did not reach the schedule editor');
    console.log(`fps: idle lab page ${idle.toFixed(1)} fps (baseline); dragging a schedule point ${drag.toFixed(1)} fps — ratio ${(drag / idle).toFixed(2)}`);
  });
}

if (import.meta.main) await benchFpsLab();
