/**
 * Renders one 32×32 RGB image from its attributes, with pure arithmetic (no canvas), so
 * Node, the browser, training and tests all produce the same bytes.
 *
 * Shapes are signed distance functions (SDFs) in "unit" space: y up, the nominal radius
 * is 1. A pixel whose centre is more than a pixel away from the outline is fully in or
 * out; only pixels near the outline are supersampled (4×4, each subsample box-filtered
 * from its own distance), which keeps rendering far below a millisecond.
 *
 * Determinism across JavaScript engines: only +, −, ×, ÷, sqrt and rounding are used per
 * pixel (IEEE-exact everywhere); the rotation's sine and cosine come from a short Taylor
 * series instead of Math.sin/cos, whose last bits differ between engines. Colours are
 * blended in an approximate linear light (gamma 2: square and square root) for the same
 * reason.
 */
import type { CaptionAttributes, StyleAttributes } from './sample.ts';
import {
  BACKGROUNDS,
  CHANNELS,
  COLOURS,
  IMAGE_SIZE,
  PATTERN_LIFT,
  PATTERNS,
  POS_X,
  POS_Y,
  SIZE_RADIUS,
  type BackgroundName,
  type ColourName,
  type PatternName,
  type Shape,
  type Size,
} from './vocabulary.ts';

type Sdf = (x: number, y: number) => number;

const SQRT3 = Math.sqrt(3);

function len(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}

// ---- Shapes -----------------------------------------------------------------------
// Exact SDFs after Inigo Quilez (iquilezles.org/articles/distfunctions2d). Where a shape
// is a union or difference, min/max only ever under-estimate |distance|, which keeps the
// "far from the outline" shortcut safe.

function circle(x: number, y: number): number {
  return len(x, y) - 1;
}

const SQUARE_HALF = 0.84;
function square(x: number, y: number): number {
  const qx = Math.abs(x) - SQUARE_HALF;
  const qy = Math.abs(y) - SQUARE_HALF;
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
}

/** Equilateral, pointing up, centred between its centroid and its bounding box so it sits level. */
const TRIANGLE_HALF_SIDE = 1.04;
const TRIANGLE_SHIFT = 0.02;
function triangle(x: number, y: number): number {
  const r = TRIANGLE_HALF_SIDE;
  let px = Math.abs(x) - r;
  let py = y + TRIANGLE_SHIFT + r / SQRT3;
  if (px + SQRT3 * py > 0) {
    const nx = (px - SQRT3 * py) / 2;
    const ny = (-SQRT3 * px - py) / 2;
    px = nx;
    py = ny;
  }
  px -= Math.min(Math.max(px, -2 * r), 0);
  return py < 0 ? len(px, py) : -len(px, py);
}

/** Five points, pointing up; a fat inner radius keeps the points readable when small. */
const STAR_OUTER = 1.2;
const STAR_INNER = 0.52;
const STAR_SHIFT = 0;
const K1X = 0.809016994375;
const K1Y = -0.587785252292;
// Direction of the star's edge, from the tip towards the inner corner.
const STAR_BA_X = STAR_INNER * -K1Y;
const STAR_BA_Y = STAR_INNER * K1X - 1;
const STAR_BA_LEN2 = STAR_BA_X * STAR_BA_X + STAR_BA_Y * STAR_BA_Y;
function star(x: number, y: number): number {
  let px = Math.abs(x);
  let py = y + STAR_SHIFT;
  let d = 2 * Math.max(K1X * px + K1Y * py, 0);
  px -= d * K1X;
  py -= d * K1Y;
  d = 2 * Math.max(-K1X * px + K1Y * py, 0);
  px -= d * -K1X;
  py -= d * K1Y;
  px = Math.abs(px);
  py -= STAR_OUTER;
  const h = Math.min(Math.max((px * STAR_BA_X + py * STAR_BA_Y) / STAR_BA_LEN2, 0), STAR_OUTER);
  const dist = len(px - STAR_BA_X * h, py - STAR_BA_Y * h);
  return py * STAR_BA_X - px * STAR_BA_Y < 0 ? -dist : dist;
}

/** Plus sign with arms a bit thicker than a third of their length. */
const CROSS_ARM = 1.0;
const CROSS_HALF_WIDTH = 0.34;
function cross(x: number, y: number): number {
  let px = Math.abs(x);
  let py = Math.abs(y);
  if (py > px) {
    const t = px;
    px = py;
    py = t;
  }
  const qx = px - CROSS_ARM;
  const qy = py - CROSS_HALF_WIDTH;
  const k = Math.max(qx, qy);
  const wx = k > 0 ? qx : CROSS_HALF_WIDTH - px;
  const wy = k > 0 ? qy : -k;
  const d = len(Math.max(wx, 0), Math.max(wy, 0));
  return k > 0 ? d : -d;
}

/** Quilez's heart spans y ∈ [0, 1.10]; scaled and lifted so it is centred. */
const HEART_SCALE = 1.76;
const HEART_LIFT = 0.53;
function heart(x: number, y: number): number {
  const px = Math.abs(x) / HEART_SCALE;
  const py = y / HEART_SCALE + HEART_LIFT;
  let d: number;
  if (py + px > 1) {
    d = len(px - 0.25, py - 0.75) - Math.SQRT2 / 4;
  } else {
    const m = 0.5 * Math.max(px + py, 0);
    const a = px * px + (py - 1) * (py - 1);
    const b = (px - m) * (px - m) + (py - m) * (py - m);
    d = Math.sqrt(Math.min(a, b)) * (px - py < 0 ? -1 : 1);
  }
  return d * HEART_SCALE;
}

/** A disc with a disc bitten out of its right side; shifted so the crescent, not the disc, is centred. */
const MOON_RA = 1.06;
const MOON_RB = 0.84;
const MOON_D = 0.55;
const MOON_SHIFT = 0.2;
const MOON_A = (MOON_RA * MOON_RA - MOON_RB * MOON_RB + MOON_D * MOON_D) / (2 * MOON_D);
const MOON_B = Math.sqrt(Math.max(MOON_RA * MOON_RA - MOON_A * MOON_A, 0));
function crescent(x: number, y: number): number {
  const px = x - MOON_SHIFT;
  const py = Math.abs(y);
  if (MOON_D * (px * MOON_B - py * MOON_A) > MOON_D * MOON_D * Math.max(MOON_B - py, 0)) {
    return len(px - MOON_A, py - MOON_B);
  }
  return Math.max(len(px, py) - MOON_RA, -(len(px - MOON_D, py) - MOON_RB));
}

/** A donut whose hole is wide enough to stay open when small. */
const RING_MID = 0.74;
const RING_HALF_WIDTH = 0.28;
function ring(x: number, y: number): number {
  return Math.abs(len(x, y) - RING_MID) - RING_HALF_WIDTH;
}

/** Unit-space SDF of each shape (y up, nominal radius 1). */
export const SHAPE_SDF: Readonly<Record<Shape, Sdf>> = {
  circle,
  square,
  triangle,
  star,
  cross,
  heart,
  crescent,
  ring,
};

/** No shape reaches further than this from its centre, in units of the nominal radius (tested). */
export const SHAPE_EXTENT = 1.22;

// ---- Look -------------------------------------------------------------------------

/** Soft drop shadow: lifts the object off patterned backgrounds when projected. */
const SHADOW_DX = 0.4;
const SHADOW_DY = 0.6;
const SHADOW_SOFTNESS = 0.8;
const SHADOW_STRENGTH = 0.55;
/** How far beyond the object the shadow reaches, left/top and right/bottom. */
const SHADOW_REACH_BEFORE = Math.max(0, SHADOW_SOFTNESS - Math.min(SHADOW_DX, SHADOW_DY));
const SHADOW_REACH_AFTER = Math.max(SHADOW_DX, SHADOW_DY) + SHADOW_SOFTNESS;

/** A faint darker rim just inside the outline, so the edge reads when scaled up. */
const RIM_WIDTH = 1.1;
const RIM_DARKEN = 0.22;

/** Pixels along the border that nothing but background may touch. */
const BORDER = 1;

/**
 * Share of the free room that separates grid cells; the rest is jitter inside a cell. The
 * layered generator's position prior reads it (models/tf/layout-layers.ts).
 */
export const LAYOUT_CELL_SHARE = 0.75;

// ---- Geometry of the layout -------------------------------------------------------

export interface Placement {
  /** Object centre in pixel coordinates (pixel i spans [i, i + 1]). */
  x: number;
  y: number;
  /** Nominal radius in pixels. */
  radius: number;
  /** Rotation in radians, positive = clockwise on screen. */
  angle: number;
}

/** The range the object centre may take along one axis, given the size; same for x and y. */
export function centreRange(size: Size): { lo: number; hi: number } {
  const extent = SHAPE_EXTENT * SIZE_RADIUS[size];
  return {
    lo: BORDER + extent + SHADOW_REACH_BEFORE,
    hi: IMAGE_SIZE - BORDER - extent - SHADOW_REACH_AFTER,
  };
}

function axisCentre(size: Size, cell: number, jitter: number): number {
  const { lo, hi } = centreRange(size);
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  const j = jitter < -1 ? -1 : Math.min(jitter, 1);
  return mid + (cell - 1) * half * LAYOUT_CELL_SHARE + j * half * (1 - LAYOUT_CELL_SHARE);
}

export function placementOf(attrs: CaptionAttributes, style: StyleAttributes): Placement {
  const cellX = POS_X.indexOf(style.posX);
  const cellY = POS_Y.indexOf(style.posY);
  if (cellX < 0 || cellY < 0) throw new Error(`unknown position ${style.posX}/${style.posY}`);
  return {
    x: axisCentre(attrs.size, cellX, style.jitterX),
    y: axisCentre(attrs.size, cellY, style.jitterY),
    radius: SIZE_RADIUS[attrs.size],
    angle: (style.rotation * Math.PI) / 180,
  };
}

/** Taylor series, exact to double precision for |a| ≤ 0.5 rad (±28°) on every engine. */
function sinCos(a: number): [number, number] {
  const a2 = a * a;
  let s = 1;
  let c = 1;
  for (let k = 16; k >= 2; k -= 2) {
    c = 1 - (a2 / (k * (k - 1))) * c;
    s = 1 - (a2 / ((k + 1) * k)) * s;
  }
  return [a * s, c];
}

// ---- Colours ----------------------------------------------------------------------

/** sRGB byte to approximate linear light (gamma 2). */
function toLinear(v: number): number {
  const f = v / 255;
  return f * f;
}

function toByte(lin: number): number {
  return Math.round(Math.sqrt(clamp01(lin)) * 255);
}

function linearRgb(rgb: readonly number[]): [number, number, number] {
  return [toLinear(rgb[0]!), toLinear(rgb[1]!), toLinear(rgb[2]!)];
}

const COLOUR_LINEAR = new Map<ColourName, [number, number, number]>(COLOURS.map((c) => [c.name, linearRgb(c.rgb)]));
const BACKGROUND_LINEAR = new Map<BackgroundName, [number, number, number]>(BACKGROUNDS.map((b) => [b.name, linearRgb(b.rgb)]));
const BACKGROUND_LIFTED_LINEAR = new Map<BackgroundName, [number, number, number]>(BACKGROUNDS.map((b) => [b.name, linearRgb(b.rgb.map((v) => v + PATTERN_LIFT))]));

// ---- Background patterns ----------------------------------------------------------

/** 1 on a pattern mark, 0 off it, at a point in pixel coordinates. */
const PATTERN_MARK: Readonly<Record<PatternName, (x: number, y: number) => number>> = {
  plain: () => 0,
  // Diagonal stripes, 6 px apart along the diagonal axis, 2.5 px wide along x.
  stripes: (x, y) => ((((x + y) % 6) + 6) % 6 < 2.5 ? 1 : 0),
  // Dots of radius 1.2 on a 6 px grid.
  dots: (x, y) => {
    const dx = (x % 6) - 3;
    const dy = (y % 6) - 3;
    return dx * dx + dy * dy < 1.44 ? 1 : 0;
  },
  // 8 px squares: a 4×4 board.
  checker: (x, y) => (Math.floor(x / 8) + Math.floor(y / 8)) % 2,
};

/** Each pattern's per-pixel mark coverage, 8×8 supersampled once at load. */
const PATTERN_COVERAGE: ReadonlyMap<PatternName, Float64Array> = new Map(
  PATTERNS.map((p) => {
    const mark = PATTERN_MARK[p];
    const cov = new Float64Array(IMAGE_SIZE * IMAGE_SIZE);
    for (let y = 0; y < IMAGE_SIZE; y++) {
      for (let x = 0; x < IMAGE_SIZE; x++) {
        let sum = 0;
        for (let sy = 0; sy < 8; sy++) {
          for (let sx = 0; sx < 8; sx++) sum += mark(x + (sx + 0.5) / 8, y + (sy + 0.5) / 8);
        }
        cov[y * IMAGE_SIZE + x] = sum / 64;
      }
    }
    return [p, cov];
  }),
);

// ---- Rendering --------------------------------------------------------------------

const SUB = 4;
const SUB_OFFSETS = Array.from({ length: SUB }, (_, i) => (i + 0.5) / SUB - 0.5);
/** A pixel's centre is at most this far from any point of the pixel. */
const HALF_DIAGONAL = Math.SQRT1_2;

/**
 * Renders the object's coverage (0..1 per pixel) and the signed distance (pixels) from
 * each pixel centre to the outline into the given arrays.
 */
function rasterise(sdf: Sdf, p: Placement, coverage: Float64Array, distance: Float64Array, shadow: Float64Array): void {
  const [sin, cos] = sinCos(p.angle);
  const inv = 1 / p.radius;
  const r = p.radius;
  // To unit space: translate, rotate by −angle (screen, y down), flip y up, scale.
  const unitX = (x: number, y: number): number => (cos * (x - p.x) + sin * (y - p.y)) * inv;
  const unitY = (x: number, y: number): number => (sin * (x - p.x) - cos * (y - p.y)) * inv;
  const reach = SHAPE_EXTENT * r + SHADOW_REACH_AFTER + 1;
  const x0 = Math.max(0, Math.floor(p.x - reach));
  const x1 = Math.min(IMAGE_SIZE - 1, Math.ceil(p.x + reach));
  const y0 = Math.max(0, Math.floor(p.y - reach));
  const y1 = Math.min(IMAGE_SIZE - 1, Math.ceil(p.y + reach));
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      const i = py * IMAGE_SIZE + px;
      const cx = px + 0.5;
      const cy = py + 0.5;
      const d = sdf(unitX(cx, cy), unitY(cx, cy)) * r;
      distance[i] = d;
      let cov: number;
      if (d >= HALF_DIAGONAL + 0.5 / SUB) cov = 0;
      else if (d <= -HALF_DIAGONAL - 0.5 / SUB) cov = 1;
      else {
        let sum = 0;
        for (const oy of SUB_OFFSETS) {
          for (const ox of SUB_OFFSETS) {
            const ds = sdf(unitX(cx + ox, cy + oy), unitY(cx + ox, cy + oy)) * r;
            sum += clamp01(0.5 - ds * SUB);
          }
        }
        cov = sum / (SUB * SUB);
      }
      coverage[i] = cov;
      const sx = cx - SHADOW_DX;
      const sy = cy - SHADOW_DY;
      const ds = sdf(unitX(sx, sy), unitY(sx, sy)) * r;
      // Smoothstep across ±SHADOW_SOFTNESS around the shifted outline.
      const t = clamp01(0.5 - ds / (2 * SHADOW_SOFTNESS));
      shadow[i] = t * t * (3 - 2 * t);
    }
  }
}

/**
 * The object's coverage of each pixel, 0..1, row-major (y * 32 + x): a ground-truth mask
 * for tests, evaluation and game effects.
 */
export function renderMask(attrs: CaptionAttributes, style: StyleAttributes): Float64Array {
  const n = IMAGE_SIZE * IMAGE_SIZE;
  const coverage = new Float64Array(n);
  rasterise(SHAPE_SDF[attrs.shape], placementOf(attrs, style), coverage, new Float64Array(n), new Float64Array(n));
  return coverage;
}

/** 32 × 32 × 3 bytes, RGB, row-major: index (y * 32 + x) * 3 + channel. */
export function renderImage(attrs: CaptionAttributes, style: StyleAttributes): Uint8Array {
  const n = IMAGE_SIZE * IMAGE_SIZE;
  const sdf = SHAPE_SDF[attrs.shape];
  const colour = COLOUR_LINEAR.get(attrs.colour);
  if (!sdf || !colour) throw new Error(`unknown caption attribute in ${JSON.stringify(attrs)}`);
  const coverage = new Float64Array(n);
  const distance = new Float64Array(n).fill(Infinity);
  const shadow = new Float64Array(n);
  rasterise(sdf, placementOf(attrs, style), coverage, distance, shadow);
  return compose(style, colour, coverage, distance, shadow);
}

/** The image with no object (and no shadow): what every pixel the object leaves alone looks like. */
export function renderBackground(style: StyleAttributes): Uint8Array {
  const n = IMAGE_SIZE * IMAGE_SIZE;
  return compose(style, [0, 0, 0], new Float64Array(n), new Float64Array(n).fill(Infinity), new Float64Array(n));
}

function compose(style: StyleAttributes, colour: readonly number[], coverage: Float64Array, distance: Float64Array, shadow: Float64Array): Uint8Array {
  const bg = BACKGROUND_LINEAR.get(style.background);
  const lifted = BACKGROUND_LIFTED_LINEAR.get(style.background);
  const pattern = PATTERN_COVERAGE.get(style.pattern);
  if (!bg || !lifted || !pattern) throw new Error(`unknown style attribute in ${JSON.stringify(style)}`);
  const n = IMAGE_SIZE * IMAGE_SIZE;
  const out = new Uint8Array(n * CHANNELS);
  for (let i = 0; i < n; i++) {
    const m = pattern[i]!;
    const cov = coverage[i]!;
    // The shadow darkens only the background; under the object it is hidden anyway.
    const shade = 1 - SHADOW_STRENGTH * shadow[i]!;
    const rim = 1 - RIM_DARKEN * clamp01(1 + distance[i]! / RIM_WIDTH);
    for (let c = 0; c < CHANNELS; c++) {
      const back = (bg[c]! + (lifted[c]! - bg[c]!) * m) * shade;
      const front = colour[c]! * rim;
      out[i * CHANNELS + c] = toByte(back + (front - back) * cov);
    }
  }
  return out;
}
