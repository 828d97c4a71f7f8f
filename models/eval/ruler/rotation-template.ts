/**
 * A second reading of rotation, of another kind than the outline's harmonic phase: the
 * angle at which the shape's own template (its signed distance function, drawn at the read
 * size) best overlaps the image's object mask (soft IoU), searched coarse to fine over
 * angle, a sub-pixel shift and ±10% scale. The search spans ±45°, or less where the shape's
 * symmetry repeats sooner (a star every 72°), so one angle is one answer.
 */
import { SHAPE_SDF } from '../../../shared/dataset/render.ts';
import type { Shape } from '../../../shared/dataset/vocabulary.ts';

const N = 32;

/** Rotational symmetry of each outline; Infinity = no orientation (circle, ring). */
const SYMMETRY: Readonly<Record<Shape, number>> = {
  circle: Number.POSITIVE_INFINITY,
  ring: Number.POSITIVE_INFINITY,
  square: 4,
  cross: 4,
  triangle: 3,
  star: 5,
  heart: 1,
  crescent: 1,
};

function overlap(mask: Float64Array, shape: Shape, x: number, y: number, radius: number, degrees: number): number {
  const sdf = SHAPE_SDF[shape];
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const inv = 1 / radius;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < N * N; i++) {
    const dx = (i % N) + 0.5 - x;
    const dy = Math.floor(i / N) + 0.5 - y;
    const m = mask[i]!;
    // The renderer's own mapping to the shape's unit frame (y up).
    const d = dx * dx + dy * dy > (radius * 1.6) ** 2 ? 1 : sdf((cos * dx + sin * dy) * inv, (sin * dx - cos * dy) * inv) * radius;
    const t = Math.min(1, Math.max(0, 0.5 - d));
    inter += Math.min(m, t);
    union += Math.max(m, t);
  }
  return union > 0 ? inter / union : 0;
}

/** Degrees, positive = clockwise on screen; null for a shape with no orientation. */
/**
 * `centreAt(degrees)` is where the object's centre would be were it turned that far (the
 * centroid of a crescent is off-centre, and turns with it).
 */
export function templateRotation(mask: Float64Array, shape: Shape, radius: number, centreAt: (degrees: number) => readonly [number, number]): number | null {
  const sym = SYMMETRY[shape];
  if (!Number.isFinite(sym)) return null;
  const span = Math.min(45, 180 / sym - 1);
  let best = { score: -1, a: 0, x: 0, y: 0, r: radius };
  for (let a = -span; a <= span; a += 3) {
    const [x, y] = centreAt(a);
    for (const s of [0.9, 1, 1.1]) {
      const score = overlap(mask, shape, x, y, radius * s, a);
      if (score > best.score) best = { score, a, x, y, r: radius * s };
    }
  }
  const coarse = best;
  for (let a = coarse.a - 3; a <= coarse.a + 3; a += 0.5) {
    if (Math.abs(a) > span) continue;
    for (let ox = -1; ox <= 1; ox += 0.5) {
      for (let oy = -1; oy <= 1; oy += 0.5) {
        const score = overlap(mask, shape, coarse.x + ox, coarse.y + oy, coarse.r, a);
        if (score > best.score) best = { score, a, x: coarse.x + ox, y: coarse.y + oy, r: coarse.r };
      }
    }
  }
  return best.a;
}
