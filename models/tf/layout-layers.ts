/**
 * Layers of the layered generator (models/gan/networks.ts), after LR-GAN (Yang et al. 2017):
 * G draws a background and an object with an alpha mask as separate layers, moves the object
 * by an offset, and pastes it on the background. Position then is an explicit, differentiable
 * function of z instead of something G must learn to vary and, under the CLIP term, never did.
 * Registered with tf.serialization like the layers in layers.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { LAYOUT_CELL_SHARE } from '../../shared/dataset/index.ts';

/** z[:, begin : begin + size] as a layer (tf.layers has no slicing layer). */
export class SliceFeatures extends tf.layers.Layer {
  static className = 'SliceFeatures';
  readonly begin: number;
  readonly size: number;

  constructor(args: { begin: number; size: number; name?: string }) {
    super(args);
    this.begin = args.begin;
    this.size = args.size;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0]!, this.size];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
    return tf.slice(x, [0, this.begin], [-1, this.size]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }

  override getClassName(): string {
    return SliceFeatures.className;
  }
}

/** v = tanh(√(2/π)(z + 0.044715 z³)) ≈ 2Φ(z) − 1: uniform on (−1, 1) when z ~ N(0, 1). */
export function uniformOfNormal(z: tf.Tensor): tf.Tensor {
  return tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3)))));
}

/**
 * Where along one axis the unit position u ∈ [−1, 1] of a standard-normal z lies, with the
 * data set's layout prior: v = 2Φ(z) − 1 is uniform on (−1, 1); its thirds are the three
 * grid cells, and inside a cell v is the jitter (render.ts: u = cell·share + jitter·(1 − share)).
 * Φ uses the tanh approximation (error < 2e-4), because wasm has no erf kernel.
 */
export function unitPosition(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const v = uniformOfNormal(z);
    const cell = tf.sub(tf.cast(tf.greater(v, 1 / 3), 'float32'), tf.cast(tf.less(v, -1 / 3), 'float32'));
    const jitter = tf.sub(tf.mul(v, 3), tf.mul(cell, 2));
    return tf.add(tf.mul(cell, LAYOUT_CELL_SHARE), tf.mul(jitter, 1 - LAYOUT_CELL_SHARE));
  });
}

/** Pixels the half-range of the object's travel is scaled from: exp(tanh(·)) keeps it in [base/e, base·e]. */
const BASE_HALF_RANGE = 5;

/**
 * [z: B×zDim, halfRaw: B×2, shift: B×2] → the object's offset in pixels (dx, dy), B×2:
 * shift + u(z[:, 0:2]) · BASE_HALF_RANGE · exp(tanh(halfRaw)). halfRaw and shift come from the
 * caption (an object's room to move depends on its size); z[:, 0:2] picks the place.
 */
export class LayoutOffsets extends tf.layers.Layer {
  static className = 'LayoutOffsets';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape[])[0]![0]!, 2];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [z, halfRaw, shift] = inputs as tf.Tensor2D[];
      const u = unitPosition(tf.slice(z!, [0, 0], [-1, 2]));
      return tf.add(shift!, tf.mul(u, tf.mul(BASE_HALF_RANGE, tf.exp(tf.tanh(halfRaw!)))));
    });
  }

  override getClassName(): string {
    return LayoutOffsets.className;
  }
}

/**
 * [image: B×H×W×C, offset: B×2 (dx, dy) in pixels] → the image moved by the offset, with
 * bilinear interpolation and zeros where nothing was: out(y, x) = in(y − dy, x − dx).
 * As two batched matrix products with shift matrices, so the gradient reaches the offset.
 */
export class Translate extends tf.layers.Layer {
  static className = 'Translate';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [img, off] = inputs as [tf.Tensor4D, tf.Tensor2D];
    return translate(img, off);
  }

  override getClassName(): string {
    return Translate.className;
  }
}

export function translate(img: tf.Tensor4D, off: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => place(img, tf.ones([img.shape[0], 1]), off));
}

/**
 * Row i of the result samples the source at p_i = c + (i − c − d)/s (c the centre pixel): a
 * zoom by s about the centre, then a move by d. Weights are a tent of half-width 1/s around
 * p_i, times s, so a shrunk image is area-filtered (no aliasing) and each row sums to ≈ 1:
 * M[b, i, j] = s·max(0, 1 − |(i − c − d) − s(j − c)|). At s = 1 it is the bilinear move
 * max(0, 1 − |i − j − d|) that `translate` uses.
 */
function placeMatrix(size: number, scale: tf.Tensor2D, offset: tf.Tensor2D): tf.Tensor3D {
  const b = offset.shape[0];
  const c = (size - 1) / 2;
  const i = tf.reshape(tf.range(0, size), [1, size, 1]);
  const j = tf.reshape(tf.range(-c, size - c), [1, 1, size]);
  const s = tf.reshape(scale, [b, 1, 1]);
  const d = tf.sub(tf.sub(tf.sub(i, c), tf.reshape(offset, [b, 1, 1])), tf.mul(s, j));
  return tf.mul(s, tf.relu(tf.sub(1, tf.abs(d)))) as tf.Tensor3D;
}

/** [image: B×H×W×C, scale: B×1, offset: B×2 (dx, dy)] → the image zoomed by scale about its centre, then moved. */
export function place(img: tf.Tensor4D, scale: tf.Tensor2D, off: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = img.shape;
    const dx = tf.slice(off, [0, 0], [-1, 1]);
    const dy = tf.slice(off, [0, 1], [-1, 1]);
    const rows = tf.matMul(placeMatrix(h, scale, dy), tf.reshape(img, [b, h, w * c]));
    const t = tf.reshape(tf.transpose(tf.reshape(rows, [b, h, w, c]), [0, 2, 1, 3]), [b, w, h * c]);
    const cols = tf.matMul(placeMatrix(w, scale, dx), t);
    return tf.transpose(tf.reshape(cols, [b, w, h, c]), [0, 2, 1, 3]) as tf.Tensor4D;
  });
}

/**
 * Moves each row y of every image by shift[b, y] pixels along x (linear interpolation):
 * out[b, y, x] = Σ_j max(0, 1 − |x − j − shift[b, y]|) · in[b, y, j]. One batched matMul.
 */
function shearRows(img: tf.Tensor4D, shift: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = img.shape;
    const x = tf.reshape(tf.range(0, w), [1, w, 1]);
    const j = tf.reshape(tf.range(0, w), [1, 1, w]);
    const d = tf.sub(tf.sub(x, j), tf.reshape(shift, [b * h, 1, 1]));
    const weights = tf.relu(tf.sub(1, tf.abs(d))) as tf.Tensor3D; // [b·h, w, w]
    return tf.reshape(tf.matMul(weights, tf.reshape(img, [b * h, w, c])), [b, h, w, c]) as tf.Tensor4D;
  });
}

/**
 * [image: B×H×W×C, angle: B×1 radians] → each image turned about its centre, clockwise on
 * screen (y down), by Paeth's three shears: x by −tan(θ/2)·y, y by sin θ·x, x by −tan(θ/2)·y.
 * Each shear only moves whole rows (or columns), so the turn is exact up to the linear
 * interpolation, differentiable in the image, and cheap.
 */
export function rotate(img: tf.Tensor4D, angle: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = img.shape;
    const rows = tf.reshape(tf.sub(tf.range(0, h), (h - 1) / 2), [1, h]);
    const cols = tf.reshape(tf.sub(tf.range(0, w), (w - 1) / 2), [1, w]);
    const a = tf.neg(tf.tan(tf.div(angle, 2))) as tf.Tensor2D; // [b, 1]
    const sx = tf.mul(a, rows) as tf.Tensor2D; // content of row y moves by a·y along x
    const sy = tf.mul(tf.sin(angle), cols) as tf.Tensor2D; // content of column x moves by sin θ·x along y
    const transposeHw = (t: tf.Tensor4D) => tf.transpose(t, [0, 2, 1, 3]) as tf.Tensor4D;
    let out = shearRows(img, sx);
    out = transposeHw(shearRows(transposeHw(out), sy));
    out = shearRows(out, sx);
    return out;
  });
}

/**
 * [object: B×H×W×C, z: B×zDim] → the object turned by ±maxDegrees·v, v = tanh form of
 * 2Φ(z[dim]) − 1 as in unitPosition: uniform over the range for z ~ N(0, 1), like the data
 * set's rotation. G then draws every object upright and the turn comes from z, where S can
 * read it back and Restyle keep it.
 */
export class RotateObject extends tf.layers.Layer {
  static className = 'RotateObject';
  readonly dim: number;
  readonly maxDegrees: number;

  constructor(args: { dim: number; maxDegrees: number; name?: string }) {
    super(args);
    this.dim = args.dim;
    this.maxDegrees = args.maxDegrees;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [img, z] = inputs as [tf.Tensor4D, tf.Tensor2D];
      const v = uniformOfNormal(tf.slice(z, [0, this.dim], [-1, 1]));
      return rotate(img, tf.mul(v, (this.maxDegrees * Math.PI) / 180) as tf.Tensor2D);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim, maxDegrees: this.maxDegrees };
  }

  override getClassName(): string {
    return RotateObject.className;
  }
}

/** The five numbers of an object's layout, in the order PlaceObject reads them. */
export const LAYOUT_FIELDS = ['scale', 'halfX', 'halfY', 'shiftX', 'shiftY'] as const;
/** Bounds on the zoom: the object network draws at the largest size, and never needs more. */
const SCALE_RANGE = [0.3, 1] as const;

/**
 * [object: B×H×W×C, z: B×zDim, layout: B×5] → the object zoomed and moved to its place:
 * zoom = layout.scale, offset = layout.shift + u(z[:, 0:2]) · layout.half, with u the data
 * set's layout prior (unitPosition). The layout comes from the caption (a small object is
 * drawn at the large size and shrunk; it has more room to travel), z picks the place.
 */
export class PlaceObject extends tf.layers.Layer {
  static className = 'PlaceObject';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [img, z, layout] = inputs as [tf.Tensor4D, tf.Tensor2D, tf.Tensor2D];
      const scale = tf.clipByValue(tf.slice(layout, [0, 0], [-1, 1]), SCALE_RANGE[0], SCALE_RANGE[1]) as tf.Tensor2D;
      const half = tf.slice(layout, [0, 1], [-1, 2]);
      const shift = tf.slice(layout, [0, 3], [-1, 2]);
      const off = tf.add(shift, tf.mul(unitPosition(tf.slice(z, [0, 0], [-1, 2])), half)) as tf.Tensor2D;
      return place(img, scale, off);
    });
  }

  override getClassName(): string {
    return PlaceObject.className;
  }
}

/**
 * [B×H×W×4] raw → colour tanh(·) in [−1, 1] and alpha sigmoid(·) · window, where the window
 * is a fixed soft disc of `windowRadius` pixels around the canvas centre (0 = no window).
 * Without it G's first layered run painted the whole canvas, background included, with the
 * object layer (alpha ≈ 1 everywhere), hiding the background layer: the window leaves room
 * that only the background can fill, so z_bg has to show.
 */
export class RgbaActivation extends tf.layers.Layer {
  static className = 'RgbaActivation';
  readonly windowRadius: number;

  constructor(args: { windowRadius?: number; name?: string } = {}) {
    super(args);
    this.windowRadius = args.windowRadius ?? 0;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [, h, w] = x.shape;
      const [rgb, a] = tf.split(x, [3, 1], 3);
      let alpha = tf.sigmoid(a!);
      if (this.windowRadius > 0) alpha = tf.mul(alpha, alphaWindow(h, w, this.windowRadius));
      return tf.concat([tf.tanh(rgb!), alpha], 3);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), windowRadius: this.windowRadius };
  }

  override getClassName(): string {
    return RgbaActivation.className;
  }
}

/** [1, H, W, 1]: ≈ 1 inside the disc of radius r around the centre, falling to 0 over ≈ 3 px at its edge. */
function alphaWindow(h: number, w: number, r: number): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.reshape(tf.sub(tf.add(tf.range(0, h), 0.5), h / 2), [h, 1]);
    const x = tf.reshape(tf.sub(tf.add(tf.range(0, w), 0.5), w / 2), [1, w]);
    const dist = tf.sqrt(tf.add(tf.square(y), tf.square(x)));
    return tf.reshape(tf.sigmoid(tf.div(tf.sub(r, dist), 0.75)), [1, h, w, 1]) as tf.Tensor4D;
  });
}

/** [object: B×H×W×4 (rgb, alpha), background: B×H×W×3] → object over background. */
export class AlphaComposite extends tf.layers.Layer {
  static className = 'AlphaComposite';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[1]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [obj, bg] = inputs as [tf.Tensor4D, tf.Tensor4D];
      const [rgb, a] = tf.split(obj, [3, 1], 3);
      return tf.add(bg, tf.mul(a!, tf.sub(rgb!, bg)));
    });
  }

  override getClassName(): string {
    return AlphaComposite.className;
  }
}

/**
 * [codes: B×(Σ k_i)] → the same shape, each group of k_i columns replaced by the one-hot of
 * its argmax: categorical codes drawn from a Gaussian z. Each value of a group comes up with
 * probability 1/k_i by symmetry, so a network fed these codes meets every value in its share
 * and cannot drop one (G v6's background network, fed a continuous z_bg, drew plum — a
 * quarter of the data — for 0.3% of z). No gradient flows back to the codes; none is needed,
 * they come straight from z.
 */
export class OneHotCodes extends tf.layers.Layer {
  static className = 'OneHotCodes';
  readonly groups: number[];

  constructor(args: { groups: number[]; name?: string }) {
    super(args);
    this.groups = [...args.groups];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
      const codes = tf.unstack(codesOf(x, this.groups), 1);
      return tf.concat(
        codes.map((c, i) => tf.oneHot(c as tf.Tensor1D, this.groups[i]!).toFloat()),
        1,
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }

  override getClassName(): string {
    return OneHotCodes.className;
  }
}

/** Per group of `x`'s columns (sizes `groups`), the argmax; returned as [B, groups] int32. */
export function codesOf(x: tf.Tensor2D, groups: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const parts = tf.split(x, [...groups], 1);
    return tf.stack(
      parts.map((p) => tf.argMax(p, 1)),
      1,
    ) as tf.Tensor2D;
  });
}

for (const c of [SliceFeatures, LayoutOffsets, Translate, PlaceObject, RotateObject, RgbaActivation, AlphaComposite, OneHotCodes]) tf.serialization.registerClass(c);
