export * from './vocabulary.ts';
export {
  CAPTION_COUNT,
  allCaptions,
  captionFromIndex,
  captionIndex,
  captionOf,
  detokenize,
  parseCaption,
  tokenize,
} from './caption.ts';
export { LAYOUT_CELL_SHARE, SHAPE_EXTENT, centreRange, placementOf, renderBackground, renderImage, renderMask, type Placement } from './render.ts';
export {
  makeBatch,
  makeSample,
  sampleAttributes,
  sampleStyle,
  type CaptionAttributes,
  type Sample,
  type StyleAttributes,
} from './sample.ts';
