/**
 * The second ruler: reads size, colour, shape, background, pattern, position and rotation
 * from hand-made features (./features.ts) with nearest neighbours, fitted on real images
 * only. It is a ruler of another kind than the CNN attribute classifier, for evaluation
 * only: no training loss, guidance or model selection reads it (a unit test checks that
 * nothing under models/ but the evaluation imports it).
 *
 * Size and position are read among the training images of the shape the ruler read, so
 * that one shape's extent or off-centre centroid does not pass for another's size or cell.
 * Rotation is the phase of the outline's harmonic of the shape's symmetry order, against
 * that phase's mean on upright-relative real images; circles and rings have none.
 */
import { CAPTION_VALUES, STYLE_VALUES, placementOf, SIZE_RADIUS, type CaptionAttributes, type Sample, type Shape, type StyleAttributes } from '../../../shared/dataset/index.ts';
import { imageFeatures, type ImageFeatures } from './features.ts';
import { Knn } from './knn.ts';
import { templateRotation } from './rotation-template.ts';

export const RULER_ATTRIBUTES = ['size', 'colour', 'shape', 'background', 'pattern', 'posX', 'posY'] as const;
export type RulerAttribute = (typeof RULER_ATTRIBUTES)[number];

export interface RulerReading {
  /** class indices, in the vocabulary's order (as labelsOf) */
  labels: Record<RulerAttribute, number>;
  /**
   * degrees, positive = clockwise on screen, read two ways: the outline's harmonic phase
   * (rotation) and the best-overlapping template (rotationTemplate); null for shapes with
   * no orientation, or when nothing is drawn
   */
  rotation: number | null;
  rotationTemplate: number | null;
}

/**
 * The harmonic of the outline whose phase reads each shape's rotation; 0 = no orientation
 * to read. For the regular shapes it is their symmetry order. A heart and a crescent are
 * only mirror-symmetric, and about the centroid their first harmonic all but vanishes; the
 * third reads them best on real images (median error 0.1–0.8°, against 3–6° for the first).
 */
export const ORIENTATION_HARMONIC: Readonly<Record<Shape, number>> = {
  circle: 0,
  ring: 0,
  square: 4,
  cross: 4,
  triangle: 3,
  star: 5,
  heart: 3,
  crescent: 3,
};

const K = 5;

const colourVector = (f: ImageFeatures) => [...f.colour];
const shapeVector = (f: ImageFeatures) => f.shape;
const sizeVector = (f: ImageFeatures) => [Math.sqrt(f.area), f.meanRadius, f.maxRadius];
const backgroundVector = (f: ImageFeatures) => [...f.background];
const patternVector = (f: ImageFeatures) => [...f.pattern];

/** Turns a screen vector (y down) clockwise by `radians`, as the renderer turns objects. */
function turn(x: number, y: number, radians: number): [number, number] {
  const c = Math.cos(radians);
  const s = Math.sin(radians);
  return [c * x - s * y, s * x + c * y];
}

/** The object's centre: its centroid less the centroid's offset, turned by the rotation. */
function centreOf(f: ImageFeatures, offset: readonly [number, number], degrees: number): [number, number] {
  const [u, v] = turn(offset[0], offset[1], (degrees * Math.PI) / 180);
  return [f.cx - u, f.cy - v];
}

function wrap(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

interface RulerParts {
  colour: Knn;
  shape: Knn;
  background: Knn;
  pattern: Knn;
  /** per shape index: size from the radii */
  size: readonly Knn[];
  /** per shape and size (shape · sizes + size): posX, posY from the object's centre */
  posX: readonly Knn[];
  posY: readonly Knn[];
  /**
   * per shape and size: the centroid's mean offset from the object's centre in the object's
   * own frame (pixels): a heart's or crescent's centroid is off-centre, and turns with it
   */
  offset: readonly [number, number][];
  /** per shape index: the harmonic's phase at rotation 0 (NaN: no orientation) */
  phase0: readonly number[];
}

export class FeatureRuler {
  readonly #p: RulerParts;

  private constructor(parts: RulerParts) {
    this.#p = parts;
  }
  /** Fits on real samples (their attributes are the labels). */
  static fit(samples: readonly Sample[]): FeatureRuler {
    const feats = samples.map((s) => imageFeatures(s.pixels));
    const label = (f: (a: CaptionAttributes, st: StyleAttributes) => number) => samples.map((s) => f(s.attributes, s.style));
    const shapeIdx = label((a) => CAPTION_VALUES.shape.indexOf(a.shape));
    const sizeIdx = label((a) => CAPTION_VALUES.size.indexOf(a.size));
    const whereShape = (k: number) => shapeIdx.flatMap((s, i) => (s === k ? [i] : []));
    const shapes = CAPTION_VALUES.shape.map((_, k) => whereShape(k));
    const group = (k: number, size: number) => shapes[k]!.filter((i) => sizeIdx[i] === size);
    const groups = CAPTION_VALUES.shape.flatMap((_, k) => CAPTION_VALUES.size.map((_, z) => group(k, z)));
    const offset = groups.map((idx) => {
      let ox = 0;
      let oy = 0;
      for (const i of idx) {
        const s = samples[i]!;
        const c = placementOf(s.attributes, s.style);
        const [u, v] = turn(feats[i]!.cx - c.x, feats[i]!.cy - c.y, -c.angle);
        ox += u / idx.length;
        oy += v / idx.length;
      }
      return [ox, oy] as [number, number];
    });
    const centres = feats.map((f, i) => centreOf(f, offset[shapeIdx[i]! * CAPTION_VALUES.size.length + sizeIdx[i]!]!, samples[i]!.style.rotation));
    const posXIdx = label((_, st) => STYLE_VALUES.posX.indexOf(st.posX));
    const posYIdx = label((_, st) => STYLE_VALUES.posY.indexOf(st.posY));
    const phase0 = CAPTION_VALUES.shape.map((name, k) => {
      const order = ORIENTATION_HARMONIC[name];
      if (order === 0) return Number.NaN;
      let c = 0;
      let s = 0;
      for (const i of shapes[k]!) {
        const a = wrap(feats[i]!.phases[order - 1]! + (order * samples[i]!.style.rotation * Math.PI) / 180);
        c += Math.cos(a);
        s += Math.sin(a);
      }
      return Math.atan2(s, c);
    });
    return new FeatureRuler({
      colour: Knn.fit(
        feats.map(colourVector),
        label((a) => CAPTION_VALUES.colour.indexOf(a.colour)),
        K,
      ),
      shape: Knn.fit(feats.map(shapeVector), shapeIdx, K),
      background: Knn.fit(
        feats.map(backgroundVector),
        label((_, st) => STYLE_VALUES.background.indexOf(st.background)),
        K,
      ),
      pattern: Knn.fit(
        feats.map(patternVector),
        label((_, st) => STYLE_VALUES.pattern.indexOf(st.pattern)),
        K,
      ),
      size: shapes.map((idx) =>
        Knn.fit(
          idx.map((i) => sizeVector(feats[i]!)),
          idx.map((i) => sizeIdx[i]!),
          K,
        ),
      ),
      posX: groups.map((idx) =>
        Knn.fit(
          idx.map((i) => [centres[i]![0]]),
          idx.map((i) => posXIdx[i]!),
          K,
        ),
      ),
      posY: groups.map((idx) =>
        Knn.fit(
          idx.map((i) => [centres[i]![1]]),
          idx.map((i) => posYIdx[i]!),
          K,
        ),
      ),
      offset,
      phase0,
    });
  }

  read(pixels: Uint8Array): RulerReading {
    const p = this.#p;
    const f = imageFeatures(pixels);
    const shape = p.shape.predict(shapeVector(f));
    const size = p.size[shape]!.predict(sizeVector(f));
    const g = shape * CAPTION_VALUES.size.length + size;
    const order = ORIENTATION_HARMONIC[CAPTION_VALUES.shape[shape]!];
    const rotation = f.hasObject && order > 0 ? (wrap(p.phase0[shape]! - f.phases[order - 1]!) / order) * (180 / Math.PI) : null;
    const [x, y] = centreOf(f, p.offset[g]!, rotation ?? 0);
    const shapeName = CAPTION_VALUES.shape[shape]!;
    // The template search places the centre by its own angle, so that it owes nothing to the phase reading.
    const rotationTemplate = f.hasObject ? templateRotation(f.mask, shapeName, SIZE_RADIUS[CAPTION_VALUES.size[size]!], (deg) => centreOf(f, p.offset[g]!, deg)) : null;
    return {
      labels: {
        size,
        colour: p.colour.predict(colourVector(f)),
        shape,
        background: p.background.predict(backgroundVector(f)),
        pattern: p.pattern.predict(patternVector(f)),
        posX: p.posX[g]!.predict([x]),
        posY: p.posY[g]!.predict([y]),
      },
      rotation,
      rotationTemplate,
    };
  }
}
