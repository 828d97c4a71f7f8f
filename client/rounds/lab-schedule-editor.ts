import { logSnr, noiseImage, type Schedule } from '../../shared/diffusion/index.ts';
import { makeSample } from '../../shared/dataset/sample.ts';
import { createRng } from '../../shared/random.ts';
import { MAX_LAB_POINTS, alphaBarAt, buildSchedule, diagnoseSchedule, type ScheduleSpec } from '../../shared/rounds/schedule-spec.ts';
import { rgbToImageData } from '../render/pixels.ts';
import { h, svg } from '../ui/dom.ts';

/** Schedule editor for the Noise lab: kind switch, T input, draggable ᾱ points (pointer + arrows), live plots and an x_t strip. */
interface ScheduleEditor {
  el: HTMLElement;
  spec(): ScheduleSpec;
  destroy(): void;
}

const W = 240;
const PH = 110;
const STRIP_U = [0, 0.1, 0.25, 0.5, 0.75, 1];
const DEFAULT_POINTS = [
  { t: 0.25, value: 0.8 },
  { t: 0.5, value: 0.45 },
  { t: 0.75, value: 0.12 },
  { t: 1, value: 0 },
];

type Kind = ScheduleSpec['kind'];

function polyline(values: number[], lo: number, hi: number, cls: string): SVGPolylineElement {
  const pts = values.map((v, i) => `${((i / Math.max(1, values.length - 1)) * W).toFixed(1)},${(PH - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * PH).toFixed(1)}`);
  return svg('polyline', { points: pts.join(' '), class: cls, fill: 'none' });
}

export function scheduleEditor(
  idPrefix: string,
  previewSeed: number,
  target: ScheduleSpec | null,
  window_: { notBefore: number; by: number } | null,
  /** Called after every redraw (the spec may have changed). */
  onChange?: (spec: ScheduleSpec) => void,
): ScheduleEditor {
  let kind: Kind = 'linear';
  let T = 1000;
  const points = DEFAULT_POINTS.map((p) => ({ ...p }));
  const sample = makeSample(previewSeed);
  const targetSchedule = target ? buildSchedule(target) : null;

  const kindSelect = h(
    'select',
    { id: `${idPrefix}-kind`, 'data-testid': 'lab-kind' },
    h('option', { value: 'linear' }, 'linear'),
    h('option', { value: 'cosine' }, 'cosine'),
    h('option', { value: 'custom' }, 'drawn'),
  );
  const tInput = h('input', { id: `${idPrefix}-T`, type: 'number', min: 10, max: 1000, step: 1, value: 1000, 'data-testid': 'lab-T' });

  // ᾱ drawing area with control points.
  const abSvg = svg('svg', {
    viewBox: `-8 -8 ${W + 16} ${PH + 16}`,
    class: 'lab-plot lab-draw',
    role: 'group',
    'aria-label': 'ᾱ over normalised time; draggable control points when the kind is drawn',
  });
  const abLayer = svg('g', {});
  const handleLayer = svg('g', {});
  abSvg.append(abLayer, handleLayer);
  const betaSvg = svg('svg', { viewBox: `-8 -8 ${W + 16} ${PH + 16}`, class: 'lab-plot', role: 'img', 'aria-label': 'β_t' });
  const snrSvg = svg('svg', { viewBox: `-8 -8 ${W + 16} ${PH + 16}`, class: 'lab-plot', role: 'img', 'aria-label': 'log SNR' });
  const strip = h('div', { class: 'lab-strip', 'data-testid': 'lab-strip' });
  const canvases = STRIP_U.map(() => h('canvas', { width: 32, height: 32, class: 'lab-x' }));
  // A GPU reset (e.g. a TF.js backend probe) clears 2D canvases: draw the strip again then.
  for (const c of canvases) c.addEventListener('contextrestored', () => schedule());
  const labels = STRIP_U.map(() => h('span', {}));
  STRIP_U.forEach((_, i) => strip.append(h('figure', { class: 'lab-xfig' }, canvases[i]!, h('figcaption', {}, labels[i]!))));
  const notes = h('ul', { class: 'lab-notes', 'data-testid': 'lab-notes', 'aria-live': 'polite' });

  const handles = points.map((p, i) => {
    const c = svg('circle', { r: 6, class: 'lab-handle', tabindex: 0, role: 'slider', 'aria-label': `control point ${i + 1}`, 'data-testid': `lab-point-${i}` });
    let dragging = false;
    c.addEventListener('pointerdown', (e) => {
      dragging = true;
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointerup', () => (dragging = false));
    c.addEventListener('pointermove', (e) => {
      if (!dragging) return;
      const r = abSvg.getBoundingClientRect();
      const x = ((e.clientX - r.left) / r.width) * (W + 16) - 8;
      const y = ((e.clientY - r.top) / r.height) * (PH + 16) - 8;
      movePoint(i, x / W, 1 - y / PH);
    });
    c.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 0.1 : 0.02;
      const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      const m = d[e.key];
      if (!m) return;
      e.preventDefault();
      movePoint(i, p.t + m[0], p.value + m[1]);
    });
    handleLayer.append(c);
    return c;
  });
  void MAX_LAB_POINTS;

  function movePoint(i: number, t: number, value: number): void {
    const lo = i === 0 ? 0.01 : points[i - 1]!.t + 0.01;
    const hi = i === points.length - 1 ? 1 : points[i + 1]!.t - 0.01;
    points[i]!.t = Math.round(Math.min(hi, Math.max(lo, t)) * 1000) / 1000;
    points[i]!.value = Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
    if (kind !== 'custom') {
      kind = 'custom';
      kindSelect.value = 'custom';
    }
    schedule();
  }

  const spec = (): ScheduleSpec => (kind === 'custom' ? { kind, T, points: points.map((p) => ({ ...p })) } : { kind, T });

  let frame = 0;
  function schedule(): void {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      redraw();
    });
  }

  function redraw(): void {
    const s: Schedule = buildSchedule(spec());
    const N = 80;
    const ab: number[] = [];
    const beta: number[] = [];
    const lsnr: number[] = [];
    for (let i = 0; i <= N; i++) {
      const u = i / N;
      ab.push(alphaBarAt(s, u));
      const t = Math.max(1, Math.min(s.T, Math.round(u * s.T)));
      beta.push(s.betas[t - 1]!);
      lsnr.push(logSnr(s, t));
    }
    const bmax = Math.max(0.02, ...beta);
    abLayer.replaceChildren(
      svg('rect', { x: 0, y: 0, width: W, height: PH, class: 'lab-frame' }),
      ...(window_ ? [svg('rect', { x: window_.notBefore * W, y: 0, width: (window_.by - window_.notBefore) * W, height: PH, class: 'lab-window' })] : []),
      ...(targetSchedule
        ? [
            polyline(
              Array.from({ length: N + 1 }, (_, i) => alphaBarAt(targetSchedule, i / N)),
              0,
              1,
              'lab-target',
            ),
          ]
        : []),
      polyline(ab, 0, 1, 'lab-ab'),
    );
    handles.forEach((c, i) => {
      c.setAttribute('cx', (points[i]!.t * W).toFixed(1));
      c.setAttribute('cy', ((1 - points[i]!.value) * PH).toFixed(1));
      c.setAttribute('aria-valuetext', `t ${points[i]!.t.toFixed(2)}, ᾱ ${points[i]!.value.toFixed(2)}`);
      c.classList.toggle('inactive', kind !== 'custom');
    });
    betaSvg.replaceChildren(svg('rect', { x: 0, y: 0, width: W, height: PH, class: 'lab-frame' }), polyline(beta, 0, bmax, 'lab-beta'));
    snrSvg.replaceChildren(svg('rect', { x: 0, y: 0, width: W, height: PH, class: 'lab-frame' }), polyline(lsnr, -12, 12, 'lab-snr'));
    STRIP_U.forEach((u, i) => {
      const t = Math.max(1, Math.round(u * s.T));
      const px = u === 0 ? sample.pixels : noiseImage(sample.pixels, t, s, createRng(previewSeed + 17));
      canvases[i]!.getContext('2d')!.putImageData(rgbToImageData(px as Uint8Array), 0, 0);
      labels[i]!.textContent = u === 0 ? 'x₀' : `t=${t}`;
    });
    notes.replaceChildren(...diagnoseSchedule(s).map((n) => h('li', {}, n)));
    onChange?.(spec());
  }

  kindSelect.addEventListener('change', () => {
    kind = kindSelect.value as Kind;
    schedule();
  });
  tInput.addEventListener('input', () => {
    const v = Math.round(Number(tInput.value));
    if (Number.isFinite(v) && v >= 10 && v <= 1000) {
      T = v;
      schedule();
    }
  });

  const el = h(
    'div',
    { class: 'lab-editor', 'data-testid': 'lab-editor' },
    h('div', { class: 'lab-controls' }, h('label', { for: `${idPrefix}-kind` }, 'Schedule '), kindSelect, h('label', { for: `${idPrefix}-T` }, ' T '), tInput),
    h(
      'div',
      { class: 'lab-plots' },
      h(
        'figure',
        {},
        abSvg,
        h('figcaption', {}, 'ᾱ_t (drag the points, or focus one and use the arrow keys)', target ? ' — dashed: target' : '', window_ ? ' — band: destroy window' : ''),
      ),
      h('figure', {}, betaSvg, h('figcaption', {}, 'β_t')),
      h('figure', {}, snrSvg, h('figcaption', {}, 'SNR (log scale, −12…12)')),
    ),
    strip,
    notes,
  );
  redraw();
  return {
    el,
    spec,
    destroy: () => {
      if (frame) cancelAnimationFrame(frame);
    },
  };
}

/** Static ᾱ plot for the reveal: the target (or the window) and some players' schedules. */
export function revealCurvePlot(target: ScheduleSpec | null, window_: { notBefore: number; by: number } | null, entries: { spec: ScheduleSpec; mine: boolean }[]): SVGSVGElement {
  const N = 80;
  const curve = (spec: ScheduleSpec) => {
    const s = buildSchedule(spec);
    return Array.from({ length: N + 1 }, (_, i) => alphaBarAt(s, i / N));
  };
  const el = svg('svg', {
    viewBox: `-8 -8 ${W + 16} ${PH + 16}`,
    class: 'lab-plot lab-reveal-plot',
    role: 'img',
    'aria-label': 'ᾱ curves: target and the players’ schedules',
    'data-testid': 'lab-reveal-plot',
  });
  el.append(svg('rect', { x: 0, y: 0, width: W, height: PH, class: 'lab-frame' }));
  if (window_) el.append(svg('rect', { x: window_.notBefore * W, y: 0, width: (window_.by - window_.notBefore) * W, height: PH, class: 'lab-window' }));
  for (const e of entries) el.append(polyline(curve(e.spec), 0, 1, e.mine ? 'lab-ab' : 'lab-other'));
  if (target) el.append(polyline(curve(target), 0, 1, 'lab-target'));
  return el;
}
