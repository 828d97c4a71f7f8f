import type { AdversaryRound } from '../../shared/rounds/adversary.ts';
import { h, svg } from './dom.ts';

const W = 640;
const H = 300;
const M = { left: 70, right: 24, top: 28, bottom: 54 };

/**
 * The minimax game round by round (adversarial Spot the fake): the class's V(D,G) against the
 * equilibrium −log 4, and the share of the class G fooled against ½ (where a D that can no
 * longer tell would sit). Lines and markers carry the meaning: solid circles for the class,
 * hollow squares for the neural D, a dashed line for the equilibrium.
 */
/** `players`: how many answered as D; the legend calls one "you" and more "the class". */
export function minimaxChart(history: readonly AdversaryRound[], equilibrium: number, idPrefix: string, players: number): HTMLElement {
  const judges = players === 1 ? 'you' : 'the class';
  const n = Math.max(history.length, 2);
  const x = (i: number) => M.left + (i / (n - 1)) * (W - M.left - M.right);
  const values = history.flatMap((r) => [r.classValue, r.neuralValue].filter((v): v is number => v !== null));
  const lo = Math.min(-2.5, ...values);
  const plot = (
    title: string,
    testid: string,
    yOf: (v: number) => number,
    ticks: readonly { v: number; label: string }[],
    lines: { key: 'class' | 'neural'; at: (r: AdversaryRound) => number | null }[],
    eq: { v: number; label: string },
  ) => {
    const titleId = `${idPrefix}-${testid}-title`;
    const root = svg('svg', {
      viewBox: `0 0 ${W} ${H}`,
      class: 'minimax-chart',
      role: 'img',
      'aria-labelledby': titleId,
      'data-testid': testid,
      preserveAspectRatio: 'xMidYMid meet',
    });
    const grid = svg('g', { class: 'grid' });
    for (const t of ticks)
      grid.append(
        svg('line', { x1: M.left, x2: W - M.right, y1: yOf(t.v), y2: yOf(t.v) }),
        svg('text', { x: M.left - 10, y: yOf(t.v) + 5, 'text-anchor': 'end', class: 'tick' }, t.label),
      );
    history.forEach((r, i) => grid.append(svg('text', { x: x(i), y: H - M.bottom + 22, 'text-anchor': 'middle', class: 'tick' }, String(r.round))));
    root.append(
      grid,
      svg('text', { x: (M.left + W - M.right) / 2, y: H - 10, 'text-anchor': 'middle', class: 'axis-label' }, 'round of the series'),
      svg('line', { x1: M.left, x2: W - M.right, y1: yOf(eq.v), y2: yOf(eq.v), class: 'equilibrium' }),
      svg('text', { x: M.left + 8, y: yOf(eq.v) - 9, 'text-anchor': 'start', class: 'equilibrium-label' }, eq.label),
    );
    const label = root.querySelector('.equilibrium-label')!;
    for (const line of lines) {
      const pts = history.flatMap((r, i) => {
        const v = line.at(r);
        return v === null ? [] : [[x(i), yOf(v)] as const];
      });
      if (pts.length === 0) continue;
      root.append(svg('path', { d: pts.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join(''), class: `series ${line.key}` }));
      for (const [px, py] of pts)
        root.append(
          line.key === 'class'
            ? svg('circle', { cx: px, cy: py, r: 7, class: 'point class' })
            : svg('rect', { x: px - 6, y: py - 6, width: 12, height: 12, class: 'point neural' }),
        );
    }
    root.append(label);
    return h('figure', { class: 'minimax-figure' }, h('figcaption', { id: titleId }, title), root);
  };
  const yValue = (v: number) => M.top + ((0 - v) / (0 - lo)) * (H - M.top - M.bottom);
  const yShare = (v: number) => M.top + (1 - v) * (H - M.top - M.bottom);
  const valueTicks = [0, -0.5, -1, -1.5, -2, -2.5].filter((v) => v >= lo).map((v) => ({ v, label: v.toFixed(1) }));
  return h(
    'section',
    { class: 'minimax', 'data-testid': 'minimax' },
    h('h3', {}, 'G plays back: the minimax game so far'),
    h(
      'div',
      { class: 'minimax-plots' },
      plot(
        'V(D, G) in nats, higher = D winning',
        'minimax-value',
        yValue,
        valueTicks,
        [
          { key: 'class', at: (r) => r.classValue },
          { key: 'neural', at: (r) => r.neuralValue },
        ],
        { v: equilibrium, label: `−log 4 = ${equilibrium.toFixed(2)}` },
      ),
      plot(
        'Fakes called real (fool rate)',
        'minimax-fool',
        yShare,
        [0, 0.25, 0.5, 0.75, 1].map((v) => ({ v, label: `${Math.round(v * 100)}%` })),
        [
          { key: 'class', at: (r) => r.foolRate },
          { key: 'neural', at: (r) => r.neuralFoolRate },
        ],
        { v: 0.5, label: '½: D cannot tell' },
      ),
    ),
    h(
      'p',
      { class: 'minimax-legend' },
      h('span', { class: 'key class' }, `● ${judges}`),
      ' ',
      h('span', { class: 'key neural' }, '■ the neural D'),
      ' · Between rounds G breeds new fakes from the ones that fooled you (their z, truncation ψ and caption, mutated). As you learn its tells, it moves: V falls towards −log 4 and the fool rate rises towards ½ when G is winning.',
    ),
  );
}
