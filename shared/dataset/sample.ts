/**
 * Random samples of the data set. Everything is drawn from a seeded Rng with next() only
 * (uniform numbers), never with normal(), so that no engine-dependent Math.log/sin enters
 * the sampled values.
 */
import { createRng, deriveSeed, type Rng } from '../random.ts';
import { captionOf, tokenize } from './caption.ts';
import { renderImage } from './render.ts';
import {
  BACKGROUND_NAMES,
  COLOUR_NAMES,
  PATTERNS,
  POS_X,
  POS_Y,
  ROTATION_MAX_DEGREES,
  SHAPES,
  SIZES,
  type BackgroundName,
  type ColourName,
  type PatternName,
  type PosX,
  type PosY,
  type Shape,
  type Size,
} from './vocabulary.ts';

/** What the caption says. */
export interface CaptionAttributes {
  size: Size;
  colour: ColourName;
  shape: Shape;
}

/**
 * What the caption does not say. jitterX/jitterY are in [-1, 1], a fraction of the room
 * left inside the grid cell, not pixels: the same style then fits every caption (a large
 * object has less room than a small one), which restyling needs.
 */
export interface StyleAttributes {
  background: BackgroundName;
  pattern: PatternName;
  posX: PosX;
  posY: PosY;
  jitterX: number;
  jitterY: number;
  /** Degrees in [-ROTATION_MAX_DEGREES, ROTATION_MAX_DEGREES], positive = clockwise on screen. */
  rotation: number;
}

export interface Sample {
  seed: number;
  attributes: CaptionAttributes;
  style: StyleAttributes;
  caption: string;
  /** MAX_TOKENS indices into TOKENS. */
  tokens: number[];
  /** IMAGE_SIZE² × 3 bytes, RGB, row-major: index (y * 32 + x) * 3 + channel. */
  pixels: Uint8Array;
}

/** Every attribute uniform and independent, so all 128 captions are equally likely. */
export function sampleAttributes(rng: Rng): CaptionAttributes {
  return { size: rng.pick(SIZES), colour: rng.pick(COLOUR_NAMES), shape: rng.pick(SHAPES) };
}

export function sampleStyle(rng: Rng): StyleAttributes {
  return {
    background: rng.pick(BACKGROUND_NAMES),
    pattern: rng.pick(PATTERNS),
    posX: rng.pick(POS_X),
    posY: rng.pick(POS_Y),
    jitterX: rng.next() * 2 - 1,
    jitterY: rng.next() * 2 - 1,
    rotation: (rng.next() * 2 - 1) * ROTATION_MAX_DEGREES,
  };
}

/** Separate streams for caption and style, so changing how one is drawn leaves the other alone. */
export function makeSample(seed: number): Sample {
  const attributes = sampleAttributes(createRng(deriveSeed(seed, 'attributes')));
  const style = sampleStyle(createRng(deriveSeed(seed, 'style')));
  const caption = captionOf(attributes);
  return { seed, attributes, style, caption, tokens: tokenize(caption), pixels: renderImage(attributes, style) };
}

/** Sample i has seed deriveSeed(seed, `sample ${i}`), so makeSample(sample.seed) reproduces it alone. */
export function makeBatch(seed: number, n: number): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) out.push(makeSample(deriveSeed(seed, `sample ${i}`)));
  return out;
}
