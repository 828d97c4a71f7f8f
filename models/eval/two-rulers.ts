/**
 * Figures read by two rulers of different kinds (rows.ts prints them side by side, and a
 * bar holds only under both): ruler A, the CNN attribute classifier; ruler B, the hand-made
 * feature ruler (./ruler/). Used by eval:models (the GAN) and eval:diffusion alike.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { CAPTION_ATTRIBUTES, PATTERNS, SHAPES, STYLE_ATTRIBUTES, STYLE_VALUES, type CaptionAttributes, type Sample, type Shape } from '../../shared/dataset/index.ts';
import { classify } from '../classifier/trainer.ts';
import { ATTRIBUTES, captionLabelsOf, labelsOf, pixelsToTensor, samplesAt, type AttributeLabels } from '../data/stream.ts';
import { loadModel } from '../tf/fs.ts';
import { FeatureRuler, type RulerReading } from './ruler/feature-ruler.ts';
import { twoRulerRow, type EvalRow } from './rows.ts';

/** The bars of the honest-science issue, on the worse of the two rulers. */
export const RULER_BARS = {
  heldOutReal: 0.99,
  faithfulness: 0.9,
  perShape: 0.8,
  /** each pattern drawn within this many points of its data share */
  patternTolerance: 0.05,
  /** rotation spread within this fraction of the data's */
  rotationSpreadTolerance: 0.25,
  /** restyled rotation within ROTATION_KEPT_DEGREES of the reference's, this often */
  rotationKept: 0.8,
};
export const ROTATION_KEPT_DEGREES = 8;
/** Real training images the feature ruler is fitted on. */
const FIT_N = 4000;

export interface Rulers {
  classifier: tf.LayersModel;
  features: FeatureRuler;
  dispose(): void;
}

export interface Readings {
  a: AttributeLabels[];
  b: RulerReading[];
}

export async function loadRulers(weightsDir: string, seed: number): Promise<Rulers> {
  const { model: classifier } = await loadModel(join(weightsDir, 'classifier'));
  const features = FeatureRuler.fit(samplesAt(seed, 'train', 0, FIT_N));
  return { classifier, features, dispose: () => classifier.dispose() };
}

export function readBoth(r: Rulers, images: readonly Uint8Array[]): Readings {
  const t = pixelsToTensor(images);
  const pred = classify(r.classifier, t);
  t.dispose();
  const a = images.map((_, i) => Object.fromEntries(ATTRIBUTES.map((k) => [k, pred[k][i]!])) as AttributeLabels);
  return { a, b: images.map((im) => r.features.read(im)) };
}

const share = (xs: readonly boolean[]) => (xs.length === 0 ? 0 : xs.filter(Boolean).length / xs.length);
type Read = (i: number) => AttributeLabels;
const rulersOf = (reads: Readings): [Read, Read] => [(i) => reads.a[i]!, (i) => reads.b[i]!.labels];

/** Ruler B's readings of real images: the references of its held-out accuracy and of the data's rotation spread. */
export function readReal(rulers: Rulers, real: readonly Sample[]): RulerReading[] {
  return real.map((s) => rulers.features.read(s.pixels));
}

/** The held-out accuracy of ruler B on real images and its readings of them (ruler A's is part (a) of eval:models). */
export function heldOutRows(id: string, real: readonly Sample[], reads: readonly RulerReading[]): EvalRow[] {
  const labels = real.map((s) => labelsOf(s.attributes, s.style));
  return ATTRIBUTES.map((k) => {
    const acc = share(labels.map((l, i) => l[k] === reads[i]!.labels[k]));
    return { id, metric: `feature ruler held-out accuracy: ${k}`, value: acc, bar: RULER_BARS.heldOutReal, direction: 'min', pass: acc >= RULER_BARS.heldOutReal };
  });
}

/** Caption faithfulness overall, per attribute and per shape, under both rulers. */
export function faithfulnessRows(id: string, who: string, reads: Readings, intended: readonly CaptionAttributes[]): EvalRow[] {
  const labels = intended.map(captionLabelsOf);
  const both = rulersOf(reads);
  const allRight = (read: Read, i: number) => CAPTION_ATTRIBUTES.every((k) => read(i)[k] === labels[i]![k]);
  const over = (idx: readonly number[], ok: (read: Read, i: number) => boolean) => both.map((read) => share(idx.map((i) => ok(read, i)))) as [number, number];
  const all = intended.map((_, i) => i);
  const rows = [twoRulerRow(id, `caption faithfulness of ${who} (size, colour, shape all right)`, over(all, allRight), RULER_BARS.faithfulness)];
  for (const k of CAPTION_ATTRIBUTES)
    rows.push(
      twoRulerRow(
        id,
        `  ${who} faithfulness: ${k}`,
        over(all, (read, i) => read(i)[k] === labels[i]![k]),
        null,
      ),
    );
  for (const shape of SHAPES) {
    const idx = all.filter((i) => intended[i]!.shape === shape);
    rows.push(twoRulerRow(id, `  ${who} faithfulness, captions with a ${shape} (n = ${idx.length})`, over(idx, allRight), RULER_BARS.perShape));
  }
  return rows;
}

/** How often each background pattern is drawn (the data draws each a quarter of the time), and each background colour. */
export function styleDrawnRows(id: string, who: string, reads: Readings): EvalRow[] {
  const both = rulersOf(reads);
  const n = reads.a.length;
  const drawn = (attr: 'pattern' | 'background', k: number) => both.map((read) => share(Array.from({ length: n }, (_, i) => read(i)[attr] === k))) as [number, number];
  const dataShare = 1 / PATTERNS.length;
  return [
    ...PATTERNS.map((p, k) =>
      twoRulerRow(id, `  ${who} draws pattern ${p} (data: ${(dataShare * 100).toFixed(0)}%)`, drawn('pattern', k), dataShare, 'within', { tolerance: RULER_BARS.patternTolerance }),
    ),
    ...STYLE_VALUES.background.map((b, k) => twoRulerRow(id, `  ${who} draws background ${b} (data: 25%)`, drawn('background', k), null)),
  ];
}

function spread(degrees: readonly number[]): number {
  if (degrees.length < 2) return 0;
  const mean = degrees.reduce((s, v) => s + v, 0) / degrees.length;
  return Math.sqrt(degrees.reduce((s, v) => s + (v - mean) ** 2, 0) / (degrees.length - 1));
}

/**
 * The rotation spread (standard deviation, degrees) each rotation reader finds, over images
 * of a shape with an orientation that ruler B reads as the intended shape.
 */
export function rotationSpreads(reads: readonly RulerReading[], intended: readonly Shape[]): [number, number] {
  const ok = reads.filter((r, i) => r.rotation !== null && r.rotationTemplate !== null && SHAPES[r.labels.shape] === intended[i]);
  return [spread(ok.map((r) => r.rotation!)), spread(ok.map((r) => r.rotationTemplate!))];
}

/** A model's rotation spread against the data's (`data`: rotationSpreads of real images). */
export function rotationSpreadRow(id: string, who: string, reads: Readings, intended: readonly Shape[], data: readonly [number, number]): EvalRow {
  const model = rotationSpreads(reads.b, intended);
  const ratio = [model[0] / data[0], model[1] / data[1]] as [number, number];
  return twoRulerRow(
    id,
    `  ${who}'s rotation spread / the data's (${model[0].toFixed(1)}° and ${model[1].toFixed(1)}° against ${data[0].toFixed(1)}° and ${data[1].toFixed(1)}°)`,
    ratio,
    1,
    'within',
    { tolerance: RULER_BARS.rotationSpreadTolerance, format: 'number' },
  );
}

/** Style transfer: caption attributes follow t_new; style attributes and rotation are the reference's. */
export function styleTransferRows(
  id: string,
  reads: Readings,
  references: readonly { attributes: CaptionAttributes; style: Parameters<typeof labelsOf>[1]; rotation: number | null }[],
  newCaptions: readonly CaptionAttributes[],
  rotationClaimed: boolean,
): EvalRow[] {
  const target = newCaptions.map((a, i) => labelsOf(a, references[i]!.style));
  const both = rulersOf(reads);
  const all = target.map((_, i) => i);
  const over = (ok: (read: Read, i: number) => boolean) => both.map((read) => share(all.map((i) => ok(read, i)))) as [number, number];
  const capOk = (read: Read, i: number) => CAPTION_ATTRIBUTES.every((k) => read(i)[k] === target[i]![k]);
  const styleOk = (read: Read, i: number) => STYLE_ATTRIBUTES.every((k) => read(i)[k] === target[i]![k]);
  const rows = [
    twoRulerRow(id, 'style transfer: caption attributes follow t_new', over(capOk), RULER_BARS.faithfulness),
    twoRulerRow(id, "style transfer: all 4 style attributes keep the reference's", over(styleOk), 0.8),
    ...STYLE_ATTRIBUTES.map((k) =>
      twoRulerRow(
        id,
        `  style kept: ${k}`,
        over((read, i) => read(i)[k] === target[i]![k]),
        null,
      ),
    ),
    twoRulerRow(
      id,
      'style transfer: both at once',
      over((read, i) => capOk(read, i) && styleOk(read, i)),
      null,
    ),
  ];
  // Rotation kept: pairs where the reference and the result both have an orientation the rulers read.
  const pairs = all.filter((i) => references[i]!.rotation !== null && reads.b[i]!.rotation !== null && SHAPES[reads.b[i]!.labels.shape] === newCaptions[i]!.shape);
  const kept = (pick: (r: RulerReading) => number | null) => share(pairs.map((i) => Math.abs(pick(reads.b[i]!)! - references[i]!.rotation!) <= ROTATION_KEPT_DEGREES));
  rows.push(
    twoRulerRow(
      id,
      `style transfer: rotation within ${ROTATION_KEPT_DEGREES}° of the reference's (n = ${pairs.length}${rotationClaimed ? '' : '; Restyle does not claim it'})`,
      [kept((r) => r.rotation), kept((r) => r.rotationTemplate)],
      rotationClaimed ? RULER_BARS.rotationKept : null,
    ),
  );
  return rows;
}
