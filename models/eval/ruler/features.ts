/**
 * The second ruler's hand-made features of one 32×32 RGB image: no learning and no
 * network, only geometry and colour read the way a person would measure them.
 *  - The background is what the 1-pixel border shows (nothing but background touches it);
 *    its darker half (the pattern's marks are lighter) gives the background colour.
 *  - The object is every pixel far from that colour; its brightest-contrast half gives the
 *    object colour, and a soft mask (each pixel's share of the way from background to
 *    object colour) gives area, centroid and outline.
 *  - The outline is read as a radial profile R(θ) from the centroid (64 rays): its Fourier
 *    magnitudes describe the shape whatever its rotation and size, the phase of the shape's
 *    own symmetry order gives the rotation, the first crossing along each ray says whether
 *    the centroid sits in a hole (ring) or a bite (crescent).
 *  - Background patterns are read as the largest contrast between mark and gap pixels over
 *    every phase of each pattern's period, measured on background pixels well away from
 *    the object and its shadow.
 */

const N = 32;
const PIXELS = N * N;
const RAYS = 64;
const RAY_STEP = 0.25;
const RAY_MAX = 20;
const HARMONICS = 8;

export interface ImageFeatures {
  /** Background colour (sRGB bytes), from the border. */
  background: [number, number, number];
  /** Object colour (sRGB bytes). */
  colour: [number, number, number];
  /** Area in pixels (soft mask), √area, mean and largest outer radius. */
  area: number;
  meanRadius: number;
  maxRadius: number;
  /** Centroid in pixel coordinates (pixel i spans [i, i + 1]). */
  cx: number;
  cy: number;
  /** Rotation- and scale-invariant description of the outline (see shapeVector). */
  shape: number[];
  /** Phase (radians) of harmonic k of R(θ), k = 1..HARMONICS (index k − 1). */
  phases: number[];
  /** Mark-minus-gap contrast (grey levels) of stripes, dots and checker at their best phase. */
  pattern: [number, number, number];
  /** The soft object mask (0..1 per pixel, row-major). */
  mask: Float64Array;
  /** false when no pixel stands out from the background (nothing drawn). */
  hasObject: boolean;
}

function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
}

function borderIndices(): number[] {
  const out: number[] = [];
  for (let x = 0; x < N; x++) out.push(x, (N - 1) * N + x);
  for (let y = 1; y < N - 1; y++) out.push(y * N, y * N + N - 1);
  return out;
}
const BORDER = borderIndices();

/** Pattern marks as the data set describes them in words: period, mark width, layout. */
const PATTERN_RULES: readonly { shifts: [number, number][]; mark: (x: number, y: number, sx: number, sy: number) => boolean }[] = [
  // Diagonal stripes 6 px apart, 2.5 px wide.
  { shifts: range(6).map((s) => [s, 0]), mark: (x, y, sx) => (((x + y + sx) % 6) + 6) % 6 < 2.5 },
  // Dots of radius 1.2 on a 6 px grid.
  {
    shifts: range(6).flatMap((sx) => range(6).map((sy) => [sx, sy] as [number, number])),
    mark: (x, y, sx, sy) => {
      const dx = ((x + sx) % 6) - 3;
      const dy = ((y + sy) % 6) - 3;
      return dx * dx + dy * dy < 1.44;
    },
  },
  // An 8 px checker board.
  {
    shifts: range(16).flatMap((sx) => range(16).map((sy) => [sx, sy] as [number, number])),
    mark: (x, y, sx, sy) => (Math.floor((x + sx) / 8) + Math.floor((y + sy) / 8)) % 2 === 1,
  },
];

/** Per pattern, per phase: 1 where a pixel centre falls on a mark. */
const PATTERN_MARKS: readonly (readonly Uint8Array[])[] = PATTERN_RULES.map(({ shifts, mark }) =>
  shifts.map(([sx, sy]) => Uint8Array.from({ length: PIXELS }, (_, i) => (mark((i % N) + 0.5, Math.floor(i / N) + 0.5, sx, sy) ? 1 : 0))),
);

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function bilinear(m: Float64Array, x: number, y: number): number {
  // Pixel centres sit at i + 0.5.
  const fx = x - 0.5;
  const fy = y - 0.5;
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const tx = fx - x0;
  const ty = fy - y0;
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= N || yy >= N ? 0 : m[yy * N + xx]!);
  return (at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx) * (1 - ty) + (at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx) * ty;
}

/** Soft object mask with the background and object colours it was measured against. */
function objectMask(pixels: Uint8Array): { mask: Float64Array; background: [number, number, number]; colour: [number, number, number]; hasObject: boolean } {
  const background = [0, 1, 2].map((c) =>
    percentile(
      BORDER.map((i) => pixels[i * 3 + c]!),
      0.25,
    ),
  ) as [number, number, number];
  const dist = new Float64Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) {
    const dr = pixels[i * 3]! - background[0];
    const dg = pixels[i * 3 + 1]! - background[1];
    const db = pixels[i * 3 + 2]! - background[2];
    dist[i] = Math.sqrt(dr * dr + dg * dg + db * db);
  }
  const strong: number[] = [];
  for (let i = 0; i < PIXELS; i++) if (dist[i]! > 40) strong.push(i);
  const mask = new Float64Array(PIXELS);
  if (strong.length < 4) return { mask, background, colour: background, hasObject: false };
  // The object's own colour: the more distant half of its pixels (the rim and the
  // anti-aliased edge are nearer the background).
  strong.sort((a, b) => dist[b]! - dist[a]!);
  const core = strong.slice(0, Math.max(2, Math.ceil(strong.length / 2)));
  const colour = [0, 1, 2].map((c) => core.reduce((s, i) => s + pixels[i * 3 + c]!, 0) / core.length) as [number, number, number];
  const ox = colour[0] - background[0];
  const oy = colour[1] - background[1];
  const oz = colour[2] - background[2];
  const len2 = ox * ox + oy * oy + oz * oz;
  for (let i = 0; i < PIXELS; i++) {
    const t = ((pixels[i * 3]! - background[0]) * ox + (pixels[i * 3 + 1]! - background[1]) * oy + (pixels[i * 3 + 2]! - background[2]) * oz) / len2;
    // Pattern marks and noise sit just above 0; the rim just below 1.
    mask[i] = Math.min(1, Math.max(0, (t - 0.12) / 0.7));
  }
  return { mask, background, colour, hasObject: true };
}

function patternContrast(pixels: Uint8Array, mask: Float64Array): [number, number, number] {
  // Background pixels at least 3 px (Chebyshev) from any object pixel: clear of the shadow.
  const near = new Uint8Array(PIXELS);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      if (mask[y * N + x]! <= 0.02) continue;
      for (let yy = Math.max(0, y - 3); yy <= Math.min(N - 1, y + 3); yy++) {
        for (let xx = Math.max(0, x - 3); xx <= Math.min(N - 1, x + 3); xx++) near[yy * N + xx] = 1;
      }
    }
  }
  const lum = new Float64Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) lum[i] = (pixels[i * 3]! + pixels[i * 3 + 1]! + pixels[i * 3 + 2]!) / 3;
  const free: number[] = [];
  for (let i = 0; i < PIXELS; i++) if (!near[i]) free.push(i);
  return PATTERN_MARKS.map((phases) => {
    let best = 0;
    for (const marks of phases) {
      let on = 0;
      let nOn = 0;
      let off = 0;
      let nOff = 0;
      for (const i of free) {
        if (marks[i]) {
          on += lum[i]!;
          nOn++;
        } else {
          off += lum[i]!;
          nOff++;
        }
      }
      if (nOn >= 8 && nOff >= 8) best = Math.max(best, on / nOn - off / nOff);
    }
    return best;
  }) as [number, number, number];
}

export function imageFeatures(pixels: Uint8Array): ImageFeatures {
  if (pixels.length !== PIXELS * 3) throw new Error(`expected ${PIXELS * 3} bytes, got ${pixels.length}`);
  const { mask, background, colour, hasObject } = objectMask(pixels);
  let area = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < PIXELS; i++) {
    const m = mask[i]!;
    area += m;
    sx += m * ((i % N) + 0.5);
    sy += m * (Math.floor(i / N) + 0.5);
  }
  const cx = area > 0 ? sx / area : N / 2;
  const cy = area > 0 ? sy / area : N / 2;
  // Radial profile: outer radius = last crossing of ½ along each ray, inner = first.
  const outer = new Float64Array(RAYS);
  const inner = new Float64Array(RAYS);
  for (let j = 0; j < RAYS; j++) {
    const th = (2 * Math.PI * j) / RAYS;
    const dx = Math.cos(th);
    const dy = Math.sin(th);
    let first = -1;
    let last = 0;
    let prev = bilinear(mask, cx, cy);
    if (prev >= 0.5) first = 0;
    for (let r = RAY_STEP; r <= RAY_MAX; r += RAY_STEP) {
      const v = bilinear(mask, cx + r * dx, cy + r * dy);
      const crossing = r - RAY_STEP + (RAY_STEP * (prev - 0.5)) / (prev - v || 1);
      if (prev >= 0.5 && v < 0.5) last = crossing;
      if (first < 0 && prev < 0.5 && v >= 0.5) first = crossing;
      prev = v;
    }
    outer[j] = last;
    inner[j] = Math.max(0, first);
  }
  const meanR = outer.reduce((s, v) => s + v, 0) / RAYS || 1e-6;
  const maxR = Math.max(...outer, 1e-6);
  const magnitudes: number[] = [];
  const phases: number[] = [];
  for (let k = 1; k <= HARMONICS; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < RAYS; j++) {
      const th = (2 * Math.PI * j) / RAYS;
      re += outer[j]! * Math.cos(k * th);
      im -= outer[j]! * Math.sin(k * th);
    }
    magnitudes.push(Math.hypot(re, im) / RAYS / meanR);
    phases.push(Math.atan2(im, re));
  }
  const hullArea = outer.reduce((s, r) => s + r * r, 0) * (Math.PI / RAYS);
  const innerMean = inner.reduce((s, v) => s + v, 0) / RAYS;
  const innerStd = Math.sqrt(inner.reduce((s, v) => s + (v - innerMean) ** 2, 0) / RAYS);
  const shape = [...magnitudes, innerMean / meanR, innerStd / meanR, area / Math.max(hullArea, 1e-6), area / (Math.PI * maxR * maxR), bilinear(mask, cx, cy), meanR / maxR];
  return {
    background,
    colour,
    area,
    meanRadius: meanR,
    maxRadius: maxR,
    cx,
    cy,
    shape,
    phases,
    pattern: patternContrast(pixels, mask),
    mask,
    hasObject,
  };
}
