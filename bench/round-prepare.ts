/**
 * The cost of drawing a round on the server (render a data-set image, noise it) against
 * the baseline of rendering the image alone, measured in the same run.
 */
import { makeSample } from '../shared/dataset/index.ts';
import { timestepRound } from '../shared/rounds/timestep-round.ts';
import { seededDraws } from '../shared/random.ts';

function timePerCall(fn: (i: number) => void, n: number): number {
  for (let i = 0; i < 20; i++) fn(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return (performance.now() - t0) / n;
}

export function benchRoundPrepare(): void {
  const render = timePerCall((i) => makeSample(i), 300);
  const prepare = timePerCall((i) => timestepRound.prepare(seededDraws(i), {}, []), 300);
  console.log('\nDrawing a "Guess the timestep" round:');
  console.table([
    { step: 'render one data-set image (baseline)', 'ms per call': render.toFixed(3) },
    { step: 'prepare a round (render + forward process)', 'ms per call': prepare.toFixed(3) },
  ]);
  console.log(`ratio prepare / render ×${(prepare / render).toFixed(2)}`);
}
