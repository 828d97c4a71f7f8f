import type { Schedule } from '../../shared/diffusion/index.ts';
import { alphaBar } from '../../shared/diffusion/index.ts';
import { svg } from './dom.ts';

interface CurveGuess {
  t: number;
  nickname: string;
  mine: boolean;
}

const H = 330;
const M = { left: 64, right: 20, top: 30, bottom: 56 };

/**
 * ᾱ_t of a schedule with the true t (orange dashed line, labelled) and the guesses on
 * the curve: others as hollow circles, this player's as a filled yellow diamond with a
 * "you" label. Shapes and labels carry the meaning; colours (Okabe–Ito) only help.
 */
export function alphaCurve(schedule: Schedule, truth: number, guesses: readonly CurveGuess[], titleId: string, narrow = false): SVGSVGElement {
  // On a phone the same drawing in fewer user units: labels stay readable when scaled down.
  const W = narrow ? 420 : 640;
  const T = schedule.T;
  /** Text near the right or left edge is anchored so it stays inside the chart. */
  const anchorAt = (px: number): 'start' | 'middle' | 'end' => (px > W - 70 ? 'end' : px < M.left + 40 ? 'start' : 'middle');
  const x = (t: number) => M.left + (t / T) * (W - M.left - M.right);
  const y = (a: number) => M.top + (1 - a) * (H - M.top - M.bottom);
  const ab = (t: number) => alphaBar(schedule, Math.min(T, Math.max(0, Math.round(t))));

  let d = '';
  for (let t = 0; t <= T; t += Math.max(1, Math.floor(T / 200))) d += `${d ? 'L' : 'M'}${x(t).toFixed(1)},${y(ab(t)).toFixed(1)}`;
  d += `L${x(T).toFixed(1)},${y(ab(T)).toFixed(1)}`;

  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'alpha-curve',
    role: 'img',
    'aria-labelledby': titleId,
    'data-testid': 'alpha-curve',
    preserveAspectRatio: 'xMidYMid meet',
  });

  const grid = svg('g', { class: 'grid' });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    grid.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }), svg('text', { x: M.left - 10, y: y(v) + 5, 'text-anchor': 'end', class: 'tick' }, v.toString()));
  }
  for (const t of [0, T / 4, T / 2, (3 * T) / 4, T]) {
    grid.append(
      svg('line', { x1: x(t), x2: x(t), y1: M.top, y2: H - M.bottom, class: 'vgrid' }),
      svg('text', { x: x(t), y: H - M.bottom + 20, 'text-anchor': 'middle', class: 'tick' }, String(t)),
    );
  }
  root.append(
    grid,
    svg('text', { x: (M.left + W - M.right) / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, 'timestep t'),
    svg(
      'text',
      { x: 16, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 16 ${(M.top + H - M.bottom) / 2})` },
      'ᾱ',
      svg('tspan', { 'baseline-shift': 'sub', 'font-size': '0.75em' }, 't'),
      svg('tspan', { dx: 4 }, '(signal kept)'),
    ),
    svg('path', { d, class: 'curve' }),
  );

  // Truth: a dashed vertical line and a labelled ring on the curve.
  const tx = x(truth);
  const ty = y(ab(truth));
  const labelLeft = truth > T * 0.6;
  root.append(
    svg('line', { x1: tx, x2: tx, y1: M.top - 24, y2: H - M.bottom, class: 'truth-line', 'data-testid': 'truth-line' }),
    svg('circle', { cx: tx, cy: ty, r: 9, class: 'truth-point' }),
    svg('text', { x: labelLeft ? tx - 10 : tx + 10, y: M.top - 10, 'text-anchor': labelLeft ? 'end' : 'start', class: 'truth-label' }, `true t = ${truth}`),
  );

  const others = svg('g', { class: 'guesses' });
  let mine: SVGElement | null = null;
  for (const g of guesses) {
    const gx = x(g.t);
    const gy = y(ab(g.t));
    if (g.mine) {
      const s = 11;
      // Above the marker, unless that would leave the chart (guesses near t = 0 sit at the top).
      const labelY = gy - s - 8 < M.top ? gy + s + 20 : gy - s - 8;
      mine = svg(
        'g',
        { class: 'my-guess', 'data-testid': 'my-guess-marker' },
        svg('path', { d: `M${gx},${gy - s}L${gx + s},${gy}L${gx},${gy + s}L${gx - s},${gy}Z` }),
        svg('text', { x: gx, y: labelY, 'text-anchor': anchorAt(gx) }, `you: ${g.t}`),
      );
    } else {
      others.append(svg('circle', { cx: gx, cy: gy, r: 6, 'data-testid': 'guess-marker' }, svg('title', {}, `${g.nickname}: ${g.t}`)));
    }
  }
  root.append(others);
  if (mine) root.append(mine);
  return root;
}
