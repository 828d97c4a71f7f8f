/** The shipped weights load in Node (wasm) and the runtime API returns well-formed images. */
import { paletteDistance, realnessScores } from '../../shared/render/realness.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNodeModels } from '../../models/runtime/node.ts';
import { loadLatentModels, chooseBackend, type LatentModels, type LoadProgress } from '../../models/runtime/latent-models.ts';
import { fileLoader } from '../../models/runtime/node.ts';
import { initNodeWasm } from '../../models/tf/node-wasm.ts';
import { samplesAt } from '../../models/data/stream.ts';
import { renderRecipes } from '../../models/runtime/render-recipes.ts';
import { candidateSeed } from '../../shared/render/recipes.ts';
import { serveImage } from '../../shared/render/served-image.ts';
import { createRng, deriveSeed } from '../../shared/random.ts';

let rt: LatentModels;

function checkImage(img: Uint8Array): void {
  expect(img).toBeInstanceOf(Uint8Array);
  expect(img.length).toBe(32 * 32 * 3);
  let min = 255;
  let max = 0;
  for (const v of img) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  expect(min).toBeGreaterThanOrEqual(0);
  expect(max).toBeLessThanOrEqual(255);
  expect(max - min).toBeGreaterThan(40); // an object on a background, not a flat field
}

beforeAll(async () => {
  rt = await loadNodeModels();
}, 60_000);

describe('shipped models in Node (wasm)', () => {
  it('load with a progress display that reaches 100%', async () => {
    await initNodeWasm();
    const seen: LoadProgress[] = [];
    const m = await loadLatentModels(fileLoader(), (p) => seen.push(p));
    expect(seen.at(-1)!.fraction).toBe(1);
    expect(seen.map((p) => p.model)).toContain('generator');
    m.dispose();
  });

  it('generate: one 32×32×3 image in [0, 255] per caption, reproducible from a seed', () => {
    const caps = ['a small red circle', 'a large blue star', 'a large white ring', 'a small green heart', 'a large yellow cross'];
    const imgs = rt.generate(caps, 7);
    expect(imgs.length).toBe(caps.length);
    imgs.forEach(checkImage);
    expect(rt.generate(caps, 7)).toEqual(imgs);
    const z = rt.randomZ(2, 3);
    expect(rt.generate(caps.slice(0, 2), z).length).toBe(2);
  });

  it('interpolate, restyle, judge and discriminate', () => {
    checkImage(rt.interpolate('a small red circle', 'a large blue square', 0.5, 1));
    const [ref] = samplesAt(1, 'test', 0, 1);
    checkImage(rt.restyle(ref!.pixels, 'a large orange triangle'));
    const j = rt.judge(ref!.pixels, ref!.caption);
    expect(j.similarity).toBeGreaterThanOrEqual(-1);
    expect(j.similarity).toBeLessThanOrEqual(1);
    expect(j.probability).toBeGreaterThan(0);
    expect(j.probability).toBeLessThanOrEqual(1);
    expect(j.rank).toBe(1);
    expect(j.best).toBe(ref!.caption);
    const d = rt.discriminate(ref!.pixels, ref!.caption);
    // D answers through the calibration shipped in its metadata (npm run calibrate:d).
    const c = rt.dCalibration!;
    expect(c).not.toBeNull();
    const [logit] = rt.discriminatorLogits([ref!.pixels], [ref!.caption]);
    expect(d).toBeCloseTo(1 / (1 + Math.exp(-(c.a * logit! + c.b))), 6);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThanOrEqual(1);
  });

  it('rejects captions outside the grammar and malformed images', () => {
    expect(() => rt.generate(['a purple elephant'], 1)).toThrow(/grammar/);
    expect(() => rt.judge(new Uint8Array(10), 'a small red circle')).toThrow(/bytes/);
  });

  it('chooses a backend by measuring (wasm beats cpu in Node)', async () => {
    const { chosen, timingsMs } = await chooseBackend(['wasm', 'cpu'], 1);
    expect(Object.keys(timingsMs).sort()).toEqual(['cpu', 'wasm']);
    expect(chosen).toBe('wasm');
  });

  it('difficulty picks among draws by realness (the neural D, with the palette tell if asked): "hard" keeps the most real draw, "easy" the least, the same every time', async () => {
    const caption = 'a large blue star';
    const base = { model: 'gan' as const, caption, zSeed: 1234, truncation: 1 };
    const hard = { ...base, pick: { candidates: 6, keep: 'most-real' as const, palette: true } };
    const easy = { ...base, pick: { candidates: 6, keep: 'least-real' as const, palette: true } };
    const byD = { ...base, pick: { candidates: 6, keep: 'most-real' as const } };
    const [h1, e1, plain, d1] = await renderRecipes({ gan: rt }, [hard, easy, base, byD]);
    expect(await renderRecipes({ gan: rt }, [hard])).toEqual([h1]);
    // The draws themselves: candidate k is the plain recipe with candidateSeed(zSeed, k).
    const draws = await renderRecipes(
      { gan: rt },
      Array.from({ length: 6 }, (_, k) => ({ ...base, zSeed: candidateSeed(base.zSeed, k) })),
    );
    expect(draws[0]).toEqual(plain);
    const served = draws.map((px, k) => serveImage(px, createRng(deriveSeed(candidateSeed(base.zSeed, k), 'realness serve'))));
    const logits = rt.discriminatorLogits(
      served,
      draws.map(() => caption),
    );
    const real = realnessScores(logits, draws);
    const best = real.indexOf(Math.max(...real));
    const worst = real.indexOf(Math.min(...real));
    expect(best).not.toBe(worst);
    expect(h1).toEqual(draws[best]);
    expect(e1).toEqual(draws[worst]);
    // Without the palette tell (diffusion's picks), D alone decides.
    expect(d1).toEqual(draws[logits.indexOf(Math.max(...logits))]);
  });

  it("scores realness as D's logit minus the palette distance, each standardised over the candidates", () => {
    const onPalette = new Uint8Array(32 * 32 * 3).fill(0);
    for (let i = 0; i < onPalette.length; i += 3) onPalette.set([0xf5, 0xf5, 0xf5], i); // the data set's white
    const offPalette = onPalette.map((v, i) => (i % 3 === 1 ? 0x80 : v));
    expect(paletteDistance(onPalette)).toBe(0);
    expect(paletteDistance(offPalette)).toBeGreaterThan(20);
    // Equal colours: D decides. Equal D: the colours decide. Both standardised, so a tenfold logit scale changes nothing.
    expect(realnessScores([1, 3], [onPalette, onPalette])).toEqual([-1, 1]);
    expect(realnessScores([2, 2], [onPalette, offPalette])).toEqual([1, -1]);
    expect(realnessScores([10, 30], [offPalette, onPalette])).toEqual(realnessScores([1, 3], [offPalette, onPalette]));
    expect(() => realnessScores([1], [onPalette, onPalette])).toThrow(/2 images/);
  });
});
