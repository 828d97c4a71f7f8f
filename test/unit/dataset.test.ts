import { describe, expect, it } from 'vitest';
import {
  allCaptions,
  BACKGROUNDS,
  CAPTION_ATTRIBUTES,
  CAPTION_COUNT,
  CAPTION_VALUES,
  captionFromIndex,
  captionIndex,
  captionOf,
  COLOURS,
  detokenize,
  IMAGE_SIZE,
  makeBatch,
  makeSample,
  MAX_TOKENS,
  parseCaption,
  PATTERN_LIFT,
  PATTERNS,
  placementOf,
  type POS_X,
  type POS_Y,
  renderBackground,
  renderImage,
  renderMask,
  SHAPE_EXTENT,
  SHAPES,
  SIZES,
  STYLE_ATTRIBUTES,
  STYLE_VALUES,
  tokenize,
  TOKENS,
  type CaptionAttributes,
  type Rgb,
  type StyleAttributes,
} from '../../shared/dataset/index.ts';
import { SHAPE_SDF } from '../../shared/dataset/render.ts';

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

const plainStyle: StyleAttributes = {
  background: 'charcoal',
  pattern: 'plain',
  posX: 'centre',
  posY: 'middle',
  jitterX: 0,
  jitterY: 0,
  rotation: 0,
};

function pixel(img: Uint8Array, i: number): Rgb {
  return [img[i * 3]!, img[i * 3 + 1]!, img[i * 3 + 2]!];
}

function dist(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function colourRgb(name: string): Rgb {
  return COLOURS.find((c) => c.name === name)!.rgb;
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance(rgb: readonly number[]): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(rgb[0]!) + 0.7152 * lin(rgb[1]!) + 0.0722 * lin(rgb[2]!);
}
function contrast(a: readonly number[], b: readonly number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('vocabulary', () => {
  it('has the agreed attributes and at least 8 × 8 caption combinations', () => {
    expect(SHAPES).toEqual(['circle', 'square', 'triangle', 'star', 'cross', 'heart', 'crescent', 'ring']);
    expect(COLOURS.map((c) => c.name)).toEqual(['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'pink', 'white']);
    expect(SIZES).toEqual(['small', 'large']);
    expect(CAPTION_ATTRIBUTES).toEqual(['size', 'colour', 'shape']);
    expect(STYLE_ATTRIBUTES).toEqual(['background', 'pattern', 'posX', 'posY']);
    expect(BACKGROUNDS).toHaveLength(4);
    expect(PATTERNS).toEqual(['plain', 'stripes', 'dots', 'checker']);
    expect(CAPTION_COUNT).toBe(128);
    expect(allCaptions()).toHaveLength(128);
    for (const a of STYLE_ATTRIBUTES) expect(new Set(STYLE_VALUES[a]).size).toBe(STYLE_VALUES[a].length);
  });

  it('has one token per word, padding first, and no word shared between attributes', () => {
    expect(TOKENS[0]).toBe('<pad>');
    expect(new Set(TOKENS).size).toBe(TOKENS.length);
    expect(TOKENS).toHaveLength(2 + 2 + 8 + 8);
    expect(MAX_TOKENS).toBe(4);
  });

  it('gives every object colour clear contrast against every background, with or without pattern', () => {
    for (const c of COLOURS) {
      for (const b of BACKGROUNDS) {
        expect(contrast(c.rgb, b.rgb), `${c.name} on ${b.name}`).toBeGreaterThanOrEqual(3);
        const lifted = b.rgb.map((v) => v + PATTERN_LIFT);
        expect(contrast(c.rgb, lifted), `${c.name} on ${b.name} pattern`).toBeGreaterThanOrEqual(2.6);
      }
    }
  });
});

describe('captions', () => {
  it('agree with the attributes for all 128 combinations', () => {
    const captions = allCaptions();
    expect(new Set(captions.map(captionOf)).size).toBe(128);
    captions.forEach((a, i) => {
      expect(captionIndex(a)).toBe(i);
      expect(captionFromIndex(i)).toEqual(a);
      const text = captionOf(a);
      expect(text).toBe(`a ${a.size} ${a.colour} ${a.shape}`);
      expect(parseCaption(text)).toEqual(a);
      const tokens = tokenize(text);
      expect(tokens).toHaveLength(MAX_TOKENS);
      expect(detokenize(tokens)).toBe(text);
      expect(tokens.map((t) => TOKENS[t])).toEqual(text.split(' '));
    });
  });

  it('orders the index with size most significant and shape least', () => {
    expect(captionFromIndex(0)).toEqual({ size: 'small', colour: 'red', shape: 'circle' });
    expect(captionIndex({ size: 'large', colour: 'blue', shape: 'star' })).toBe((1 * 8 + 5) * 8 + 3);
    expect(() => captionFromIndex(128)).toThrow();
  });

  it('parses case-insensitively and rejects anything outside the grammar', () => {
    expect(parseCaption('  A Large  BLUE star\n')).toEqual({ size: 'large', colour: 'blue', shape: 'star' });
    for (const bad of [
      '',
      'a large blue diamond',
      'large blue star',
      'a blue large star',
      'a large blue star please',
      'an large blue star',
      'a medium blue star',
      'a large navy star',
    ]) {
      expect(parseCaption(bad), bad).toBeNull();
    }
  });

  it('refuses to tokenize words it does not know', () => {
    expect(() => tokenize('a large blue diamond')).toThrow();
    expect(() => tokenize('a large blue star now')).toThrow();
    expect(tokenize('a star')).toEqual([1, TOKENS.indexOf('star'), 0, 0]);
  });
});

describe('samples', () => {
  it('are deterministic from the seed', () => {
    const a = makeSample(42);
    const b = makeSample(42);
    expect(b).toEqual(a);
    expect(Buffer.from(b.pixels).equals(Buffer.from(a.pixels))).toBe(true);
    const c = makeSample(43);
    expect(Buffer.from(c.pixels).equals(Buffer.from(a.pixels))).toBe(false);
    const batch = makeBatch(5, 20);
    expect(makeBatch(5, 20)).toEqual(batch);
    expect(new Set(batch.map((s) => s.seed)).size).toBe(20);
    for (const s of batch.slice(0, 5)) expect(makeSample(s.seed)).toEqual(s);
  });

  it('have a caption and tokens that match their attributes, and images of the exact size', () => {
    for (const s of makeBatch(9, 200)) {
      expect(s.caption).toBe(captionOf(s.attributes));
      expect(parseCaption(s.caption)).toEqual(s.attributes);
      expect(s.tokens).toEqual(tokenize(s.caption));
      expect(s.pixels).toBeInstanceOf(Uint8Array);
      expect(s.pixels).toHaveLength(PIXELS * 3);
      expect(Math.abs(s.style.rotation)).toBeLessThanOrEqual(25);
      expect(Math.abs(s.style.jitterX)).toBeLessThanOrEqual(1);
      expect(Math.abs(s.style.jitterY)).toBeLessThanOrEqual(1);
    }
  });

  it('cover every value of every attribute', () => {
    const batch = makeBatch(3, 1000);
    for (const a of CAPTION_ATTRIBUTES) {
      expect(new Set(batch.map((s) => s.attributes[a])).size).toBe(CAPTION_VALUES[a].length);
    }
    for (const a of STYLE_ATTRIBUTES) {
      expect(new Set(batch.map((s) => s.style[a])).size).toBe(STYLE_VALUES[a].length);
    }
  });
});

describe('rendering', () => {
  it('draws every caption in its named colour on a background far from it', () => {
    const styles = makeBatch(11, 128).map((s) => s.style);
    allCaptions().forEach((attrs, k) => {
      const style = styles[k]!;
      const img = renderImage(attrs, style);
      const mask = renderMask(attrs, style);
      const named = colourRgb(attrs.colour);
      let best = Infinity;
      let inside = 0;
      for (let i = 0; i < PIXELS; i++) {
        if (mask[i] === 1) {
          inside++;
          best = Math.min(best, dist(pixel(img, i), named));
        } else if (mask[i] === 0) {
          expect(dist(pixel(img, i), named), `${captionOf(attrs)} background`).toBeGreaterThan(60);
        }
      }
      expect(inside, captionOf(attrs)).toBeGreaterThan(attrs.size === 'small' ? 25 : 90);
      expect(best, captionOf(attrs)).toBeLessThanOrEqual(2);

      // Shapes that are solid in the middle show the named colour at the object centre.
      if (attrs.shape !== 'ring' && attrs.shape !== 'crescent') {
        const p = placementOf(attrs, style);
        const centre = Math.floor(p.y) * IMAGE_SIZE + Math.floor(p.x);
        expect(dist(pixel(img, centre), named), `${captionOf(attrs)} centre`).toBeLessThanOrEqual(2);
      }
    });
  });

  it('leaves a hole in the ring and the crescent open at its centre', () => {
    for (const size of SIZES) {
      for (const shape of ['ring', 'crescent'] as const) {
        const attrs: CaptionAttributes = { size, colour: 'white', shape };
        const p = placementOf(attrs, plainStyle);
        const mask = renderMask(attrs, plainStyle);
        expect(mask[Math.floor(p.y) * IMAGE_SIZE + Math.floor(p.x) + (shape === 'crescent' ? 2 : 0)]).toBe(0);
      }
    }
  });

  it('anti-aliases the outline: edge pixels take values between object and background', () => {
    const bgRgb = BACKGROUNDS.find((b) => b.name === plainStyle.background)!.rgb;
    for (const shape of SHAPES) {
      for (const size of SIZES) {
        const attrs: CaptionAttributes = { size, colour: 'yellow', shape };
        const style = { ...plainStyle, rotation: 13 };
        const img = renderImage(attrs, style);
        const mask = renderMask(attrs, style);
        let between = 0;
        for (let i = 0; i < PIXELS; i++) {
          const m = mask[i]!;
          if (m < 0.3 || m > 0.7) continue;
          const px = pixel(img, i);
          if (dist(px, bgRgb) > 40 && dist(px, colourRgb('yellow')) > 40) between++;
        }
        expect(between, `${size} ${shape}`).toBeGreaterThanOrEqual(6);
      }
    }
  });

  it('keeps every shape inside SHAPE_EXTENT', () => {
    for (const shape of SHAPES) {
      const sdf = SHAPE_SDF[shape];
      for (let k = 0; k < 720; k++) {
        const a = (k / 720) * 2 * Math.PI;
        const r = SHAPE_EXTENT + 1e-6;
        expect(sdf(r * Math.cos(a), r * Math.sin(a)), shape).toBeGreaterThan(0);
      }
    }
  });

  it('keeps the object and its shadow off the one-pixel border, for every extreme style', () => {
    const borderIndices: number[] = [];
    for (let i = 0; i < IMAGE_SIZE; i++) {
      borderIndices.push(i, (IMAGE_SIZE - 1) * IMAGE_SIZE + i, i * IMAGE_SIZE, i * IMAGE_SIZE + IMAGE_SIZE - 1);
    }
    const check = (attrs: CaptionAttributes, style: StyleAttributes) => {
      const img = renderImage(attrs, style);
      const bg = renderBackground(style);
      for (const i of borderIndices) {
        if (img[i * 3] !== bg[i * 3] || img[i * 3 + 1] !== bg[i * 3 + 1] || img[i * 3 + 2] !== bg[i * 3 + 2]) {
          throw new Error(`${captionOf(attrs)} touches the border at pixel ${i} with ${JSON.stringify(style)}`);
        }
      }
    };
    for (const shape of SHAPES) {
      for (const size of SIZES) {
        for (const posX of ['left', 'right'] as const) {
          for (const posY of ['top', 'bottom'] as const) {
            for (const rotation of [-25, -12.5, 0, 12.5, 25]) {
              const jitterX = posX === 'left' ? -1 : 1;
              const jitterY = posY === 'top' ? -1 : 1;
              check({ size, colour: 'white', shape }, { ...plainStyle, posX, posY, jitterX, jitterY, rotation });
            }
          }
        }
      }
    }
    for (const s of makeBatch(17, 1000)) check(s.attributes, s.style);
  });

  it('puts the grid cells apart: jitter never carries an object into the next cell', () => {
    for (const size of SIZES) {
      const attrs: CaptionAttributes = { size, colour: 'red', shape: 'circle' };
      const at = (posX: (typeof POS_X)[number], jitterX: number) => placementOf(attrs, { ...plainStyle, posX, jitterX }).x;
      const atY = (posY: (typeof POS_Y)[number], jitterY: number) => placementOf(attrs, { ...plainStyle, posY, jitterY }).y;
      expect(at('left', 1)).toBeLessThan(at('centre', -1));
      expect(at('centre', 1)).toBeLessThan(at('right', -1));
      expect(atY('top', 1)).toBeLessThan(atY('middle', -1));
      expect(atY('middle', 1)).toBeLessThan(atY('bottom', -1));
    }
  });

  it('draws each pattern subtly: background pixels stay within the pattern lift', () => {
    for (const b of BACKGROUNDS) {
      for (const pattern of PATTERNS) {
        const img = renderBackground({ ...plainStyle, background: b.name, pattern });
        const values = new Set<number>();
        for (let i = 0; i < PIXELS; i++) {
          const px = pixel(img, i);
          for (let c = 0; c < 3; c++) {
            expect(px[c]! - b.rgb[c]!).toBeGreaterThanOrEqual(0);
            expect(px[c]! - b.rgb[c]!).toBeLessThanOrEqual(PATTERN_LIFT);
          }
          values.add(px[0]! * 65536 + px[1]! * 256 + px[2]!);
        }
        expect(values.size > 1, `${b.name} ${pattern}`).toBe(pattern !== 'plain');
      }
    }
  });
});
