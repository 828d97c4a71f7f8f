/**
 * What S should read from a REAL image's style, in G's z: the style dims G v7 gives a
 * meaning the data set also labels. S is trained on G's images (‖z − S(G(z, φ))‖²), but
 * Restyle feeds it real ones; these targets let it also learn from real images where it
 * matters (style/trainer.ts):
 * - z[0], z[1] (place, PlaceObject): the data's cell and jitter are the layout prior's own
 *   coordinates (tf/layout-layers.ts unitPosition), so the z that puts G's object at the
 *   real object's place is exact: v = (jitter + 2·(cell − 1)) / 3, z = Φ⁻¹((v + 1) / 2).
 * - z[2:6], z[6:10] (background colour and pattern codes, OneHotCodes): the class fixes
 *   only the argmax; the target is the mean z given it — E[max of 4 N(0,1)] ≈ 1.0294 for
 *   the class's dim and −1.0294/3 for the others — which is what the MSE-optimal S
 *   predicts for G's own images too.
 * - z[ROTATION_DIM] (G v10's RotateObject): the angle is ±25°·v with v the same tanh form
 *   of 2Φ(z) − 1, so z = that form's inverse of rotation / 25°.
 * The other dims (the object's own code and spare dims) have no label: their mask is 0.
 */
import { BACKGROUND_NAMES, PATTERNS, POS_X, POS_Y, ROTATION_MAX_DEGREES, type StyleAttributes } from '../../shared/dataset/index.ts';
import { GAN_CONFIG, POSITION_DIMS, ROTATION_DIM } from '../gan/networks.ts';

/** E[max of k iid N(0, 1)] for k = 4 (order statistics tables). */
const MEAN_MAX_OF_4 = 1.029375373;

/** The z whose layout-prior position (unitPosition, tanh form of Φ) is this cell and jitter. */
export function zOfPosition(cell: number, jitter: number): number {
  return zOfUnit((jitter + 2 * (cell - 1)) / 3);
}

/** The z with v = tanh(√(2/π)(z + 0.044715 z³)) (≈ 2Φ(z) − 1): the cubic solved by Newton's method. */
function zOfUnit(unit: number): number {
  const v = Math.min(Math.max(unit, -0.999), 0.999);
  const a = Math.atanh(v) / Math.sqrt(2 / Math.PI);
  let z = a;
  for (let i = 0; i < 20; i++) z -= (z + 0.044715 * z ** 3 - a) / (1 + 3 * 0.044715 * z ** 2);
  return z;
}

interface StyleTarget {
  values: number[];
  mask: number[];
}

/** `rotates`: the generator turns its object from z[ROTATION_DIM] (GanConfig.gRotate). */
export function styleTargetOf(style: StyleAttributes, zDim = GAN_CONFIG.zDim, rotates = false): StyleTarget {
  const values = new Array<number>(zDim).fill(0);
  const mask = new Array<number>(zDim).fill(0);
  values[0] = zOfPosition(POS_X.indexOf(style.posX), style.jitterX);
  values[1] = zOfPosition(POS_Y.indexOf(style.posY), style.jitterY);
  mask[0] = mask[1] = 1;
  const groups: [number, number][] = [
    [(BACKGROUND_NAMES as readonly string[]).indexOf(style.background), GAN_CONFIG.bgCodes[0]!],
    [(PATTERNS as readonly string[]).indexOf(style.pattern), GAN_CONFIG.bgCodes[1]!],
  ];
  let at = POSITION_DIMS;
  for (const [cls, k] of groups) {
    if (k !== 4) throw new Error('the code targets assume groups of 4');
    for (let j = 0; j < k; j++) {
      values[at + j] = j === cls ? MEAN_MAX_OF_4 : -MEAN_MAX_OF_4 / 3;
      mask[at + j] = 1;
    }
    at += k;
  }
  if (rotates) {
    values[ROTATION_DIM] = zOfUnit(style.rotation / ROTATION_MAX_DEGREES);
    mask[ROTATION_DIM] = 1;
  }
  return { values, mask };
}
