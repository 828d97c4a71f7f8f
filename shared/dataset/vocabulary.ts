/**
 * The data set's vocabulary, as data. Training code, evaluation code and the game read
 * these arrays (their order fixes class indices and token ids), so append, never reorder.
 */

export type Rgb = readonly [number, number, number];

export const IMAGE_SIZE = 32;
export const CHANNELS = 3;

// ---- Attributes the caption names -------------------------------------------------

/** Chosen to stay distinct at 32×32 under ±25° rotation (no diamond: it is a rotated square). */
export const SHAPES = ['circle', 'square', 'triangle', 'star', 'cross', 'heart', 'crescent', 'ring'] as const;

/** Okabe–Ito palette plus white, so the colours survive colour-blindness; short caption names. */
export const COLOURS = [
  { name: 'red', rgb: [0xd5, 0x5e, 0x00] }, // vermillion
  { name: 'orange', rgb: [0xe6, 0x9f, 0x00] },
  { name: 'yellow', rgb: [0xf0, 0xe4, 0x42] },
  { name: 'green', rgb: [0x00, 0x9e, 0x73] }, // bluish green
  { name: 'cyan', rgb: [0x56, 0xb4, 0xe9] }, // sky blue
  { name: 'blue', rgb: [0x00, 0x72, 0xb2] },
  // Okabe–Ito's "reddish purple", named by the basic colour term nearest it (pink: CIELAB ΔE 18.6
  // to the xkcd survey's pink, 50.0 to its purple). Models know it by its token id, students by its name.
  { name: 'pink', rgb: [0xcc, 0x79, 0xa7] },
  { name: 'white', rgb: [0xf5, 0xf5, 0xf5] },
] as const satisfies readonly { name: string; rgb: Rgb }[];

export const SIZES = ['small', 'large'] as const;

/**
 * Nominal object radius in pixels per size. Each shape is scaled from it (see render.ts);
 * no shape reaches further than SHAPE_EXTENT × radius from its centre.
 */
export const SIZE_RADIUS: Readonly<Record<Size, number>> = { small: 6.5, large: 10 };

// ---- Style: what the caption does not say -----------------------------------------

/**
 * Muted and dark so every object colour stands out: WCAG contrast ≥ 3 against the plainest
 * of them even for blue, the darkest object colour (checked in the tests).
 */
export const BACKGROUNDS = [
  { name: 'slate', rgb: [0x19, 0x21, 0x2b] },
  { name: 'charcoal', rgb: [0x1e, 0x1e, 0x1e] },
  { name: 'olive', rgb: [0x21, 0x24, 0x0f] },
  { name: 'plum', rgb: [0x2a, 0x1a, 0x29] },
] as const satisfies readonly { name: string; rgb: Rgb }[];

export const PATTERNS = ['plain', 'stripes', 'dots', 'checker'] as const;

/** How much lighter (0–255 sRGB steps) the pattern's marks are than the background: subtle on purpose. */
export const PATTERN_LIFT = 7;

/** Position on a 3×3 grid; the pixel offsets of the cells depend on the object's size (see render.ts). */
export const POS_X = ['left', 'centre', 'right'] as const;
export const POS_Y = ['top', 'middle', 'bottom'] as const;

/** Rotation is continuous and uniform in ±ROTATION_MAX_DEGREES; positive turns clockwise on screen. */
export const ROTATION_MAX_DEGREES = 25;

// ---- Types derived from the arrays ------------------------------------------------

export type Shape = (typeof SHAPES)[number];
export type ColourName = (typeof COLOURS)[number]['name'];
export type Size = (typeof SIZES)[number];
export type BackgroundName = (typeof BACKGROUNDS)[number]['name'];
export type PatternName = (typeof PATTERNS)[number];
export type PosX = (typeof POS_X)[number];
export type PosY = (typeof POS_Y)[number];

export const COLOUR_NAMES: readonly ColourName[] = COLOURS.map((c) => c.name);
export const BACKGROUND_NAMES: readonly BackgroundName[] = BACKGROUNDS.map((b) => b.name);

// ---- Caption grammar and tokens ---------------------------------------------------

/** The order in which the grammar names the caption attributes. */
export const CAPTION_ATTRIBUTES = ['size', 'colour', 'shape'] as const;
export type CaptionAttributeName = (typeof CAPTION_ATTRIBUTES)[number];

/** The discrete style attributes an evaluation can classify (jitter and rotation are continuous). */
export const STYLE_ATTRIBUTES = ['background', 'pattern', 'posX', 'posY'] as const;
type StyleAttributeName = (typeof STYLE_ATTRIBUTES)[number];

/** The values each attribute can take, in class-index order. */
export const CAPTION_VALUES = {
  size: SIZES,
  colour: COLOUR_NAMES,
  shape: SHAPES,
} as const satisfies Record<CaptionAttributeName, readonly string[]>;

export const STYLE_VALUES = {
  background: BACKGROUND_NAMES,
  pattern: PATTERNS,
  posX: POS_X,
  posY: POS_Y,
} as const satisfies Record<StyleAttributeName, readonly string[]>;

/** Literal words and {attribute} slots; captionOf, parseCaption and tokenize all follow it. */
export const CAPTION_TEMPLATE = 'a {size} {colour} {shape}';

/** Text-encoder vocabulary: index 0 pads, then every word the grammar can produce. */
export const TOKENS: readonly string[] = ['<pad>', 'a', ...SIZES, ...COLOUR_NAMES, ...SHAPES];
export const PAD_TOKEN = 0;
/** Words per caption; every token sequence has exactly this length. */
export const MAX_TOKENS = 4;
