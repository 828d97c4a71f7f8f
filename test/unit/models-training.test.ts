/**
 * Smoke tests of the training code (CI never trains for real): every model's training step
 * runs on tiny batches and lowers its loss; a tiny CLI run checkpoints and resumes.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initNodeWasm, tf } from '../../models/tf/node-wasm.ts';
import { createRng, type Rng } from '../../shared/random.ts';
import { BACKGROUND_NAMES, CAPTION_COUNT, LAYOUT_CELL_SHARE, PATTERNS, SIZE_RADIUS, captionIndex, renderMask } from '../../shared/dataset/index.ts';
import { styleTargetOf, zOfPosition } from '../../models/style/real-targets.ts';
import { RotateObject, rotate } from '../../models/tf/layout-layers.ts';
import { ClipTrainer } from '../../models/clip/trainer.ts';
import { buildDiscriminator, buildGenerator, calibrateMinibatchStd, GAN_CONFIG, ROTATION_DIM } from '../../models/gan/networks.ts';
import { MinibatchStd, OneHotCodes, codesOf, place, translate, unitPosition } from '../../models/tf/layers.ts';
import { fitLayoutHead, layoutOf, ridge } from '../../models/gan/layout-fit.ts';
import { buildImageEncoder } from '../../models/clip/encoders.ts';
import { GanTrainer, buildBgCritic, buildClassHead, buildInfoHead, buildShapeCritic, groupedCrossEntropy, pairOf } from '../../models/gan/train-step.ts';
import { StyleTrainer } from '../../models/style/trainer.ts';
import { ClassifierTrainer, labelTensors } from '../../models/classifier/trainer.ts';
import { labelsOf, pixelsToTensor, samplesAt, tokensTensor } from '../../models/data/stream.ts';
import { seedInit, seededNormal } from '../../models/tf/blocks.ts';
import { parseArgs } from '../../models/train/common.ts';
import { trainClip } from '../../models/train/clip.ts';
import { GAN_OPTIONS, trainGan } from '../../models/train/gan.ts';
import { STYLE_REAL_WEIGHT, trainStyle } from '../../models/train/style.ts';
import { WeightEma, halfLifeDecay, warmupDecay } from '../../models/tf/ema.ts';
import { GanGradWorker, parallelGanStep, sliceBatch } from '../../models/gan/parallel.ts';
import { loadModel } from '../../models/tf/fs.ts';
import { WEIGHTS_DIR } from '../../models/runtime/node.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * A GAN batch of n real images: φ (given, or small random vectors drawn from rng), the
 * mismatched φ (φ reversed), the interpolated φ (the mean of the two), then z and z_int.
 */
/** The object masks of the first n training samples (those tinyGanBatch's real images show), [n, 32, 32, 1]. */
function realMasksOf(n: number): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(samplesAt(1, 'train', 0, n).flatMap((x) => [...renderMask(x.attributes, x.style)])), [n, 32, 32, 1]);
}

function tinyGanBatch(rng: Rng, n: number, phi: tf.Tensor2D = tf.tidy(() => tf.div(seededNormal(rng, n, 64), 8) as tf.Tensor2D)) {
  return {
    real: pixelsToTensor(samplesAt(1, 'train', 0, n).map((x) => x.pixels)),
    phi,
    phiWrong: tf.reverse(phi, 0) as tf.Tensor2D,
    phiInt: tf.tidy(() => tf.mul(tf.add(phi, tf.reverse(phi, 0)), 0.5) as tf.Tensor2D),
    z: seededNormal(rng, n, GAN_CONFIG.zDim),
    zInt: seededNormal(rng, n, GAN_CONFIG.zDim),
  };
}
const tmpRoots: string[] = [];
afterAll(() => tmpRoots.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('training steps lower their loss on a tiny run', () => {
  it('CLIP pair (text + image encoder, learned temperature)', async () => {
    await initNodeWasm();
    const tr = new ClipTrainer(1);
    const s = samplesAt(1, 'train', 0, 16);
    const b = {
      images: pixelsToTensor(s.map((x) => x.pixels)),
      tokens: tokensTensor(s.map((x) => x.tokens)),
      captionIds: tf.tensor1d(
        s.map((x) => captionIndex(x.attributes)),
        'int32',
      ),
    };
    const losses = Array.from({ length: 15 }, () => tr.step(b));
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.8);
    tf.dispose(Object.values(b));
  });

  it('GAN-CLS + GAN-INT: D step lowers L_D, G step lowers L_G', async () => {
    await initNodeWasm();
    const G = buildGenerator(GAN_CONFIG);
    const D = buildDiscriminator(GAN_CONFIG);
    seedInit(G, 2);
    seedInit(D, 3);
    const tr = new GanTrainer(G, D);
    const b = tinyGanBatch(createRng(4), 8);
    const d = Array.from({ length: 8 }, () => tr.dStep(b).d);
    expect(d[d.length - 1]!).toBeLessThan(d[0]!);
    const g = Array.from({ length: 8 }, () => tr.gStep(b).g);
    expect(g[g.length - 1]!).toBeLessThan(g[0]!);
    const both = tr.step(b);
    expect(Number.isFinite(both.d) && Number.isFinite(both.g)).toBe(true);
    tf.dispose(Object.values(b));
  });

  it('CLIP guidance: G steps lower the image→caption cross-entropy of the frozen pair', async () => {
    await initNodeWasm();
    const G = buildGenerator(GAN_CONFIG);
    const D = buildDiscriminator(GAN_CONFIG);
    const image = buildImageEncoder();
    seedInit(G, 5);
    seedInit(D, 6);
    seedInit(image, 7);
    const rng = createRng(8);
    const n = 8;
    const captionEmb = tf.tidy(() => {
      const x = seededNormal(rng, n, 64);
      return tf.div(x, tf.norm(x, 2, 1, true)) as tf.Tensor2D;
    });
    const imageBefore = image.getWeights().map((w) => w.dataSync().slice());
    const tr = new GanTrainer(G, D, 1e-3, { imageEncoder: image, captionEmb, logScale: Math.log(10), weight: 1, margin: 0, modeSeeking: 0.1 });
    const b = {
      ...tinyGanBatch(rng, n, captionEmb.clone()),
      caps: tf.tensor1d(
        Array.from({ length: n }, (_, i) => i),
        'int32',
      ),
      z2: seededNormal(rng, n, GAN_CONFIG.zDim),
    };
    const clip = Array.from({ length: 10 }, () => tr.gStep(b).clip);
    expect(clip.every(Number.isFinite)).toBe(true);
    expect(clip[clip.length - 1]!).toBeLessThan(clip[0]!);
    // The CLIP pair stays frozen: only G learns from the term.
    image.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(imageBefore[i]!)));
    tf.dispose([...Object.values(b), captionEmb]);
  });

  it('style encoder: ‖z − S(G(z, φ))‖² goes down', async () => {
    await initNodeWasm();
    const G = buildGenerator(GAN_CONFIG);
    seedInit(G, 5);
    // A random G's images barely differ: a higher learning rate lets S fit 8 of them quickly.
    const tr = new StyleTrainer(G, 6, GAN_CONFIG.zDim, 3e-3);
    const rng = createRng(7);
    const z = seededNormal(rng, 8, GAN_CONFIG.zDim);
    const phi = tf.tidy(() => tf.div(seededNormal(rng, 8, 64), 8) as tf.Tensor2D);
    const losses = Array.from({ length: 20 }, () => tr.step(z, phi).loss);
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.9);
    tf.dispose([z, phi]);
  });

  it("style targets of real images: z[0:2] puts G's object at the real cell and jitter; the codes' targets have the class's argmax", async () => {
    await initNodeWasm();
    for (const [cell, jitter] of [
      [0, -1],
      [0, 0.3],
      [1, 0],
      [1, -0.7],
      [2, 0.95],
      [2, -0.2],
    ] as const) {
      const u = unitPosition(tf.tensor1d([zOfPosition(cell, jitter)])).dataSync()[0]!;
      expect(u).toBeCloseTo((cell - 1) * LAYOUT_CELL_SHARE + jitter * (1 - LAYOUT_CELL_SHARE), 2);
    }
    const style = { background: 'plum', pattern: 'dots', posX: 'right', posY: 'top', jitterX: 0.5, jitterY: -0.5, rotation: 10 } as const;
    const { values, mask } = styleTargetOf(style);
    expect(mask.slice(0, 10).every((m) => m === 1) && mask.slice(10).every((m) => m === 0)).toBe(true);
    const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
    expect(codesOf(tf.tensor2d([values.slice(2, 10)]), [4, 4]).arraySync()[0]).toEqual([argmax(values.slice(2, 6)), argmax(values.slice(6, 10))]);
    expect([argmax(values.slice(2, 6)), argmax(values.slice(6, 10))]).toEqual([BACKGROUND_NAMES.indexOf('plum'), PATTERNS.indexOf('dots')]);
    expect(values.slice(2, 6).reduce((a, v) => a + v, 0)).toBeCloseTo(0, 6); // the conditional means of 4 iid N(0,1) sum to 0
    // A G that turns its object from z[ROTATION_DIM] also gets the rotation's z: RotateObject's angle of it is the label's.
    const turned = styleTargetOf(style, GAN_CONFIG.zDim, true);
    expect(turned.mask[ROTATION_DIM]).toBe(1);
    const zr = turned.values[ROTATION_DIM]!;
    const v = Math.tanh(Math.sqrt(2 / Math.PI) * (zr + 0.044715 * zr ** 3));
    expect(v * 25).toBeCloseTo(style.rotation, 3);
  });

  it('RotateObject turns the object layer clockwise on screen by the angle z asks for', async () => {
    await initNodeWasm();
    // One bright pixel above the centre: a quarter turn clockwise takes it to the right of the centre.
    const dot = tf.buffer([1, 32, 32, 1]);
    dot.set(1, 0, 5, 16, 0);
    const quarter = rotate(dot.toTensor() as tf.Tensor4D, tf.tensor2d([[Math.PI / 2]])).dataSync();
    const at = quarter.indexOf(Math.max(...quarter));
    expect([Math.floor(at / 32), at % 32]).toEqual([16, 26]);
    // The layer reads its angle from z[dim]: z = 0 leaves the image as it is, and a turn keeps the mass.
    const layer = new RotateObject({ dim: ROTATION_DIM, maxDegrees: 25 });
    const img = tf.tensor4d(
      Float32Array.from({ length: 32 * 32 * 4 }, (_, i) => ((i * 7919) % 97) / 97),
      [1, 32, 32, 4],
    );
    const z0 = tf.zeros([1, GAN_CONFIG.zDim]);
    expect(Array.from((layer.apply([img, z0]) as tf.Tensor).dataSync())).toEqual(Array.from(img.dataSync()).map((x) => expect.closeTo(x, 5)));
    const zTurn = tf.tensor2d([Array.from({ length: GAN_CONFIG.zDim }, (_, i) => (i === ROTATION_DIM ? 1 : 0))]);
    const turnedImg = layer.apply([img, zTurn]) as tf.Tensor;
    expect(turnedImg.shape).toEqual([1, 32, 32, 4]);
    expect(Array.from(turnedImg.dataSync())).not.toEqual(Array.from(img.dataSync()));
    tf.dispose([img, z0, zTurn, turnedImg]);
  });

  it("style encoder's real-image term goes down, and only the masked dims count", async () => {
    await initNodeWasm();
    const G = buildGenerator(GAN_CONFIG);
    seedInit(G, 5);
    const tr = new StyleTrainer(G, 6, GAN_CONFIG.zDim, 3e-3);
    const rng = createRng(8);
    const z = seededNormal(rng, 8, GAN_CONFIG.zDim);
    const phi = tf.tidy(() => tf.div(seededNormal(rng, 8, 64), 8) as tf.Tensor2D);
    const samples = samplesAt(1, 'train', 0, 8);
    const targets = samples.map((x) => styleTargetOf(x.style));
    const real = {
      images: pixelsToTensor(samples.map((x) => x.pixels)),
      target: tf.tensor2d(targets.map((t) => t.values)),
      mask: tf.tensor2d(targets.map((t) => t.mask)),
      weight: 1,
    };
    const pred = tr.S.predict(real.images) as tf.Tensor2D;
    const masked = (p: tf.Tensor2D) =>
      tf.tidy(
        () =>
          tf
            .sum(tf.mul(real.mask, tf.square(tf.sub(real.target, p))), 1)
            .mean()
            .dataSync()[0]!,
      );
    const byHand = masked(pred);
    // Changing what S reads in an unlabelled dim changes nothing.
    expect(masked(tf.tidy(() => tf.add(pred, tf.oneHot(tf.fill([8], 20, 'int32'), GAN_CONFIG.zDim).mul(5))) as tf.Tensor2D)).toBeCloseTo(byHand, 4);
    const first = tr.step(z, phi, real);
    expect(first.real).toBeCloseTo(byHand, 4);
    const losses = Array.from({ length: 20 }, () => tr.step(z, phi, real).real);
    expect(mean(losses.slice(-3))).toBeLessThan(first.real * 0.8);
    tf.dispose([z, phi, pred, real.images, real.target, real.mask]);
  });

  it('attribute classifier', async () => {
    await initNodeWasm();
    const tr = new ClassifierTrainer(8);
    const s = samplesAt(1, 'train', 0, 16);
    const images = pixelsToTensor(s.map((x) => x.pixels));
    const labels = labelTensors(s.map((x) => labelsOf(x.attributes, x.style)));
    const losses = Array.from({ length: 10 }, () => tr.step(images, labels));
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([images, ...labels]);
  });
});

describe("D's minibatch-std channel", () => {
  it('is the group std while training, and a calibrated constant at inference', async () => {
    await initNodeWasm();
    // Two groups of 4: identical images (std 0), then images differing by known amounts.
    const same = tf.ones([4, 2, 2, 1]);
    const varied = tf.tensor4d(
      [0, 2, 4, 6].flatMap((v) => [v, v, v, v]),
      [4, 2, 2, 1],
    );
    const std = MinibatchStd.groupStd(tf.concat([same, varied]) as tf.Tensor4D, 4).arraySync();
    expect(std.slice(0, 4).every((v) => v < 1e-3)).toBe(true);
    // population std of 0, 2, 4, 6 = √5
    for (const v of std.slice(4)) expect(v).toBeCloseTo(Math.sqrt(5), 4);
    expect(() => MinibatchStd.groupStd(tf.zeros([6, 2, 2, 1]) as tf.Tensor4D, 4)).toThrow(/multiple of the group size/);

    const D = buildDiscriminator({ ...GAN_CONFIG, dMbstdGroup: 4 });
    seedInit(D, 4);
    const real = pixelsToTensor(samplesAt(1, 'val', 0, 8).map((x) => x.pixels));
    expect(calibrateMinibatchStd(D, real)).toBeGreaterThan(0);
    const phi = seededNormal(createRng(5), 8, 64); // seeded: with tf.randomNormal the gap below varied run to run (once 1.5e-5)
    // At inference an image's score does not depend on the images batched with it.
    const together = (D.predict([real, phi]) as tf.Tensor).dataSync();
    const alone = (D.predict([real.slice(0, 1), phi.slice(0, 1)]) as tf.Tensor).dataSync();
    expect(alone[0]).toBeCloseTo(together[0]!, 5);
    // While training it does: a collapsed group (one image 4 times) scores differently.
    const collapsed = tf.tile(real.slice(0, 1), [4, 1, 1, 1]);
    const phi4 = tf.tile(phi.slice(0, 1), [4, 1]);
    const diverse = (D.apply([real.slice(0, 4), phi4], { training: true }) as tf.Tensor).dataSync()[0]!;
    const dull = (D.apply([collapsed, phi4], { training: true }) as tf.Tensor).dataSync()[0]!;
    expect(Math.abs(diverse - dull)).toBeGreaterThan(1e-4);
    tf.dispose([same, varied, real, phi, collapsed, phi4]);
    D.dispose();
  });
});

describe('layered generator (object layer placed by z[0:2] on a background layer)', () => {
  it('Translate moves an image by whole and half pixels, fills with zeros, and passes a gradient to the offset', async () => {
    await initNodeWasm();
    const img = tf.tensor4d(
      Array.from({ length: 2 * 6 * 6 }, (_, i) => (i % 7) + 1),
      [2, 6, 6, 1],
    );
    const moved = translate(
      img,
      tf.tensor2d([
        [2, -1],
        [0.5, 0],
      ]),
    ).arraySync();
    const a = img.arraySync();
    // out(y, x) = in(y − dy, x − dx)
    expect(moved[0]![3]![4]![0]).toBeCloseTo(a[0]![4]![2]![0]!, 5);
    expect(moved[0]![5]![0]![0]).toBe(0); // came from outside the image
    expect(moved[0]![2]![1]![0]).toBe(0);
    expect(moved[1]![3]![3]![0]).toBeCloseTo((a[1]![3]![3]![0]! + a[1]![3]![2]![0]!) / 2, 5);
    const [g] = tf.grads((o: tf.Tensor) =>
      translate(img, o as tf.Tensor2D)
        .mul(tf.reverse(img, 1))
        .sum(),
    )([
      tf.tensor2d([
        [0.3, 0.7],
        [1.2, -0.4],
      ]),
    ]);
    const gv = g!.arraySync() as number[][];
    expect(gv.flat().every(Number.isFinite)).toBe(true);
    expect(gv.flat().some((v) => Math.abs(v) > 1e-3)).toBe(true);
    tf.dispose([img, g!]);
  });

  it('place zooms about the centre with an area filter, then moves; the gradient reaches zoom and offset', async () => {
    await initNodeWasm();
    // A 4×4 bright square in the middle of a 16×16 canvas.
    const img = tf.tidy(
      () =>
        tf.pad(tf.ones([1, 4, 4, 1]), [
          [0, 0],
          [6, 6],
          [6, 6],
          [0, 0],
        ]) as tf.Tensor4D,
    );
    const half = place(img, tf.tensor2d([[0.5]]), tf.tensor2d([[0, 0]]))
      .squeeze()
      .arraySync() as number[][];
    // Zoomed by 0.5: a 2×2 square in the middle (pixels 7 and 8; the tent softens its edge
    // to 0.875 a side), with the mass (area) scaled by 0.25.
    const mass = half.flat().reduce((a, b) => a + b, 0);
    expect(mass).toBeCloseTo(16 * 0.25, 3);
    expect(half[7]![7]).toBeCloseTo(0.875 * 0.875, 4);
    expect(half[8]![8]).toBeCloseTo(half[7]![7]!, 6);
    expect(half[7]![6]).toBeCloseTo(0.875 * 0.125, 4);
    expect(half[5]![8]).toBe(0);
    expect(half[8]![10]).toBe(0);
    const [gs, go] = tf.grads((s: tf.Tensor, o: tf.Tensor) =>
      place(img, s as tf.Tensor2D, o as tf.Tensor2D)
        .mul(tf.reverse(img, 1))
        .sum(),
    )([tf.tensor2d([[0.8]]), tf.tensor2d([[0.4, 0.3]])]);
    expect(Math.abs(gs!.dataSync()[0]!)).toBeGreaterThan(1e-3);
    expect(Array.from(go!.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([img, gs!, go!]);
  });

  it("G v6's layout head: small objects are shrunk to the data's size ratio and travel further; the fit is close", async () => {
    expect(layoutOf('small')[0]).toBeCloseTo(SIZE_RADIUS.small / SIZE_RADIUS.large, 10);
    expect(layoutOf('large')[0]).toBe(1);
    expect(layoutOf('small')[1]!).toBeGreaterThan(layoutOf('large')[1]! + 3);
    // The fit is exact where it can be: targets linear in the inputs.
    const X = Array.from({ length: 20 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 5) / 5]);
    const Y = X.map(([a, b, c]) => [2 * a! - b! + 0.5, 3 * c! - 1]);
    const { weights, bias } = ridge(X, Y, 1e-12);
    expect(weights[0]![0]).toBeCloseTo(2, 6);
    expect(weights[1]![0]).toBeCloseTo(-1, 6);
    expect(weights[2]![1]).toBeCloseTo(3, 6);
    expect(bias[0]).toBeCloseTo(0.5, 6);
    expect(bias[1]).toBeCloseTo(-1, 6);
  });

  it("z's position dims follow the data set's layout: three equally likely cells, jitter inside each", async () => {
    await initNodeWasm();
    const z = seededNormal(createRng(3), 6000, 1);
    const u = Array.from(unitPosition(z).dataSync());
    const cells = [u.filter((v) => v < -0.375), u.filter((v) => Math.abs(v) <= 0.375), u.filter((v) => v > 0.375)];
    for (const c of cells) expect(c.length / u.length).toBeCloseTo(1 / 3, 1);
    expect(Math.min(...cells[0]!)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...cells[0]!)).toBeLessThanOrEqual(-0.5);
    expect(Math.max(...cells[1]!.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.min(...cells[2]!)).toBeGreaterThanOrEqual(0.5);
    z.dispose();
  });

  it.each(['learnt-range', 'data-layout'] as const)(
    'G placed by %s: changing only the position dims moves pixels; changing only the background dims changes the background',
    async (gPlace) => {
      await initNodeWasm();
      const G = buildGenerator({ ...GAN_CONFIG, gPlace });
      seedInit(G, 11);
      const table = tf.div(seededNormal(createRng(12), CAPTION_COUNT, 64), 8) as tf.Tensor2D;
      if (gPlace === 'data-layout') fitLayoutHead(G, table);
      const base = Array.from({ length: GAN_CONFIG.zDim }, (_, i) => Math.sin(i + 1));
      const moved = base.map((v, i) => (i < 2 ? -v - 1.5 : v));
      const recoloured = base.map((v, i) => (i >= 2 && i < 2 + GAN_CONFIG.bgDim ? -v : v));
      const phi = tf.tile(table.slice([0, 0], [1, 64]), [3, 1]);
      table.dispose();
      const out = G.predict([tf.tensor2d([base, moved, recoloured]), phi]) as tf.Tensor4D;
      const diff = (i: number) =>
        tf.tidy(
          () =>
            tf
              .abs(tf.sub(out.slice(0, 1), out.slice(i, 1)))
              .mean()
              .dataSync()[0]!,
        );
      expect(diff(1)).toBeGreaterThan(1e-4);
      expect(diff(2)).toBeGreaterThan(1e-4);
      const v = out.dataSync();
      expect(v.every((x) => x >= -1 && x <= 1)).toBe(true);
      tf.dispose([phi, out]);
      G.dispose();
    },
  );

  it("the InfoGAN term (G v6's Gaussian background code): G and its head Q lower ‖Q(pool(G(z))) − z_bg‖² together", async () => {
    await initNodeWasm();
    const G = buildGenerator({ ...GAN_CONFIG, gBackground: 'gaussian', gRotate: false });
    const D = buildDiscriminator(GAN_CONFIG);
    const Q = buildInfoHead(GAN_CONFIG.bgDim);
    seedInit(G, 13);
    seedInit(D, 14);
    seedInit(Q, 15);
    const tr = new GanTrainer(G, D, 2e-3, null, { Q, weight: 5, begin: 2, size: GAN_CONFIG.bgDim });
    const b = tinyGanBatch(createRng(16), 8);
    const info = Array.from({ length: 12 }, () => tr.gStep(b).info);
    expect(info.every(Number.isFinite)).toBe(true);
    expect(mean(info.slice(-3))).toBeLessThan(info[0]! * 0.8);
    tf.dispose(Object.values(b));
  });

  it("G v7's background codes: the one-hot of each group's argmax, every value equally likely under a Gaussian z", async () => {
    await initNodeWasm();
    const layer = new OneHotCodes({ groups: [4, 3] });
    const z = tf.tensor2d([
      [0, 0, 5, 1, 0, 0, 2],
      [3, -1, 0, 0, -2, 4, 1],
    ]);
    expect(codesOf(z, [4, 3]).arraySync()).toEqual([
      [2, 2],
      [0, 1],
    ]);
    expect((layer.apply(z) as tf.Tensor).arraySync()).toEqual([
      [0, 0, 1, 0, 0, 0, 1],
      [1, 0, 0, 0, 0, 1, 0],
    ]);
    const many = seededNormal(createRng(4), 8000, 7);
    const counts = (layer.apply(many) as tf.Tensor).sum(0).arraySync() as number[];
    counts.slice(0, 4).forEach((c) => expect(c / 8000).toBeCloseTo(1 / 4, 1));
    counts.slice(4).forEach((c) => expect(c / 8000).toBeCloseTo(1 / 3, 1));
    tf.dispose([z, many]);
  });

  it("the class term sums each group's softmax cross-entropy", async () => {
    await initNodeWasm();
    const ce = groupedCrossEntropy(
      tf.zeros([3, 7]) as tf.Tensor2D,
      tf.tensor2d(
        [
          [0, 1],
          [3, 2],
          [1, 0],
        ],
        [3, 2],
        'int32',
      ),
      [4, 3],
    );
    expect(ce.dataSync()[0]).toBeCloseTo(Math.log(4) + Math.log(3), 5);
    const sure = tf.tensor2d([[9, 0, 0, 0, 0, 9, 0]]);
    expect(groupedCrossEntropy(sure, tf.tensor2d([[0, 1]], [1, 2], 'int32'), [4, 3]).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([ce, sure]);
  });

  it("G v7's class term: the head C learns the real images' classes beside D's update; G's update moves G and leaves C alone", async () => {
    await initNodeWasm();
    const G = buildGenerator(GAN_CONFIG);
    const D = buildDiscriminator(GAN_CONFIG);
    const C = buildClassHead(GAN_CONFIG.bgCodes);
    [G, D, C].forEach((m, i) => seedInit(m, 20 + i));
    const tr = new GanTrainer(G, D, 2e-3, null, null, { C, weight: 4, begin: 2, groups: GAN_CONFIG.bgCodes });
    const b = tinyGanBatch(createRng(23), 8);
    expect(() => tr.dStep(b)).toThrow(/classes/);
    const labels = samplesAt(1, 'train', 0, 8).map((x) => [BACKGROUND_NAMES.indexOf(x.style.background), PATTERNS.indexOf(x.style.pattern)]);
    const bc = { ...b, classes: tf.tensor2d(labels, [8, 2], 'int32') };
    const cWeights = () => C.getWeights().map((w) => Array.from(w.dataSync()));
    const bgWeights = () => Array.from(G.getLayer('bg_fc').getWeights()[0]!.dataSync());
    const [c0, t0] = [cWeights(), bgWeights()];
    expect(Number.isFinite(tr.gStep(bc).classFake)).toBe(true);
    expect(cWeights()).toEqual(c0);
    expect(bgWeights()).not.toEqual(t0);
    const real = Array.from({ length: 15 }, () => tr.dStep(bc).classReal);
    expect(mean(real.slice(-3))).toBeLessThan(real[0]! * 0.8);
    // With C fixed, G learns to show z's codes in a way C reads.
    const c1 = cWeights();
    const fake = Array.from({ length: 20 }, () => tr.gStep(bc).classFake);
    expect(cWeights()).toEqual(c1);
    expect(mean(fake.slice(-3))).toBeLessThan(fake[0]! * 0.92);
    tf.dispose(Object.values(bc));
  });

  it("the background critic K: learns real pairs from wrong pairs and G's images in its own step; G's update moves G and leaves K alone", async () => {
    await initNodeWasm();
    const pairs = pairOf(
      tf.tensor2d(
        [
          [0, 0],
          [1, 3],
          [3, 2],
        ],
        [3, 2],
        'int32',
      ),
      [4, 4],
    );
    expect(Array.from(pairs.dataSync())).toEqual([0, 7, 14]);
    expect(pairs.dtype).toBe('int32');
    const G = buildGenerator(GAN_CONFIG);
    const D = buildDiscriminator(GAN_CONFIG);
    const groups = [GAN_CONFIG.bgCodes[0]!, GAN_CONFIG.bgCodes[1]!] as const;
    const K = buildBgCritic(groups);
    [G, D, K].forEach((m, i) => seedInit(m, 30 + i));
    const tr = new GanTrainer(G, D, 2e-3, null, null, null, { K, weight: 1, begin: 2, groups });
    const b = tinyGanBatch(createRng(33), 8);
    expect(() => tr.dStep(b)).toThrow(/critic/);
    const labels = samplesAt(1, 'train', 0, 8).map((x) => [BACKGROUND_NAMES.indexOf(x.style.background), PATTERNS.indexOf(x.style.pattern)]);
    const bk = {
      ...b,
      classes: tf.tensor2d(labels, [8, 2], 'int32'),
      pairsWrong: tf.tensor1d(
        labels.map(([c, p]) => (c! * 4 + p! + 5) % 16),
        'int32',
      ),
    };
    const kWeights = () => K.getWeights().map((w) => Array.from(w.dataSync()));
    const bgWeights = () => Array.from(G.getLayer('bg_fc').getWeights()[0]!.dataSync());
    const [k0, t0] = [kWeights(), bgWeights()];
    expect(Number.isFinite(tr.gStep(bk).criticG)).toBe(true);
    expect(kWeights()).toEqual(k0);
    expect(bgWeights()).not.toEqual(t0);
    const critic = Array.from({ length: 15 }, () => tr.dStep(bk).criticD);
    expect(critic[0]!).toBeCloseTo(2 * Math.log(2), 0);
    expect(mean(critic.slice(-3))).toBeLessThan(critic[0]! * 0.8);
    tf.dispose([...Object.values(bk), pairs]);
  });

  it("the shape critic M: learns real masks from mismatched captions and G's masks in its own step; G's update moves G's object network and leaves M alone", async () => {
    await initNodeWasm();
    const G = buildGenerator(GAN_CONFIG);
    const D = buildDiscriminator(GAN_CONFIG);
    const M = buildShapeCritic();
    [G, D, M].forEach((m, i) => seedInit(m, 60 + i));
    const tr = new GanTrainer(G, D, 2e-3, null, null, null, null, { M, weight: 1 });
    const b = tinyGanBatch(createRng(63), 8);
    expect(() => tr.dStep(b)).toThrow(/masks/);
    const bm = { ...b, realMasks: realMasksOf(8) };
    const mWeights = () => M.getWeights().map((w) => Array.from(w.dataSync()));
    const objectWeights = () => Array.from(G.getLayer('g_rgb').getWeights()[0]!.dataSync());
    const [m0, o0] = [mWeights(), objectWeights()];
    expect(Number.isFinite(tr.gStep(bm).shapeG)).toBe(true);
    expect(mWeights()).toEqual(m0);
    expect(objectWeights()).not.toEqual(o0);
    const shape = Array.from({ length: 25 }, () => tr.dStep(bm).shapeD);
    expect(shape[0]!).toBeCloseTo(2 * Math.log(2), 0);
    expect(mean(shape.slice(-3))).toBeLessThan(shape[0]! * 0.8);
    tf.dispose(Object.values(bm));
  });
});

describe('data-parallel GAN training (a worker thread for the second core)', () => {
  it('one step with the worker equals the same step with both halves computed here (D, the critic, C, then G through the new D)', async () => {
    await initNodeWasm();
    const encoderDir = join(WEIGHTS_DIR, 'image-encoder');
    const { model: imageEncoder } = await loadModel(encoderDir);
    imageEncoder.trainable = false;
    const rng = createRng(41);
    const phiTable = new Float32Array(CAPTION_COUNT * 64).map(() => rng.normal() / 8);
    const captionEmb = tf.tensor2d(phiTable, [CAPTION_COUNT, 64]);
    const groups = [GAN_CONFIG.bgCodes[0]!, GAN_CONFIG.bgCodes[1]!] as const;
    const guideCfg = { encoderDir, logScale: 2.5, weight: 1, margin: 0.2 };
    const make = () => {
      const [G, D, C, K, M] = [buildGenerator(GAN_CONFIG), buildDiscriminator(GAN_CONFIG), buildClassHead(groups), buildBgCritic(groups), buildShapeCritic()];
      [G, D, C, K, M].forEach((m, i) => seedInit(m, 50 + i));
      return new GanTrainer(
        G,
        D,
        1e-3,
        { imageEncoder, captionEmb, ...guideCfg, modeSeeking: 0 },
        null,
        { C, weight: 1, begin: 2, groups },
        { K, weight: 1, begin: 2, groups },
        { M, weight: 1 },
      );
    };
    const n = 8;
    const samples = samplesAt(1, 'train', 0, n);
    const labels = samples.map((x) => [BACKGROUND_NAMES.indexOf(x.style.background), PATTERNS.indexOf(x.style.pattern)]);
    const b = {
      ...tinyGanBatch(createRng(43), n),
      caps: tf.tensor1d(
        samples.map((x) => captionIndex(x.attributes)),
        'int32',
      ),
      classes: tf.tensor2d(labels, [n, 2], 'int32'),
      pairsWrong: tf.tensor1d(
        labels.map(([c, p]) => (c! * 4 + p! + 3) % 16),
        'int32',
      ),
      realMasks: realMasksOf(n),
    };
    const a = make();
    const worker = await GanGradWorker.start({
      gCfg: GAN_CONFIG,
      dCfg: GAN_CONFIG,
      gTrains: 'all',
      guide: guideCfg,
      phiTable,
      classes: { weight: 1, begin: 2, groups: [...groups] },
      critic: { weight: 1, begin: 2, groups: [...groups] },
      shape: { weight: 1 },
    });
    try {
      const viaWorker = await parallelGanStep(a, worker, b);
      const here = make();
      const halves = [sliceBatch(b, 0, n / 2), sliceBatch(b, n / 2, n / 2)];
      const mean = (x: tf.Tensor[], y: tf.Tensor[]) => x.map((t, i) => tf.div(tf.add(t, y[i]!), 2));
      const [d0, d1] = halves.map((h) => here.dGradients(h));
      const dAvg = mean(d0!.d, d1!.d);
      const kAvg = mean(d0!.k!, d1!.k!);
      here.applyD(dAvg, kAvg);
      here.classStep(b.real, b.classes);
      const [g0, g1] = halves.map((h) => here.gGradients(h));
      const gAvg = mean(g0!.g, g1!.g);
      here.applyG(gAvg);
      expect(viaWorker.d).toBeCloseTo((d0!.losses.d + d1!.losses.d) / 2, 5);
      expect(viaWorker.criticD).toBeCloseTo((d0!.losses.criticD + d1!.losses.criticD) / 2, 5);
      expect(viaWorker.shapeD).toBeCloseTo((d0!.losses.shapeD + d1!.losses.shapeD) / 2, 5);
      expect(viaWorker.shapeG).toBeCloseTo((g0!.losses.shapeG + g1!.losses.shapeG) / 2, 4);
      expect(viaWorker.g).toBeCloseTo((g0!.losses.g + g1!.losses.g) / 2, 4);
      const flat = (tr: GanTrainer) => [...tr.gVars, ...tr.dVars, ...tr.kVars, ...tr.classes!.C.trainableWeights.map((w) => w.read())].flatMap((v) => Array.from(v.dataSync()));
      const [wa, wb] = [flat(a), flat(here)];
      let maxDiff = 0;
      wa.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - wb[i]!))));
      expect(maxDiff).toBeLessThan(1e-5);
      // …and the step moved every network: the comparison is not between untouched nets.
      const fresh = flat(make());
      expect(wa.filter((v, i) => Math.abs(v - fresh[i]!) > 1e-6).length).toBeGreaterThan(wa.length / 4);
      tf.dispose([...dAvg, ...kAvg, ...gAvg, ...d0!.d, ...d0!.k!, ...d1!.d, ...d1!.k!, ...g0!.g, ...g1!.g, ...halves.flatMap((h) => Object.values(h) as tf.Tensor[])]);
    } finally {
      await worker.terminate();
      tf.dispose([...(Object.values(b) as tf.Tensor[]), captionEmb]);
    }
  });
});

describe('training CLI plumbing', () => {
  it('checkpoints, resumes from the checkpoint, and writes weights + samples', async () => {
    const root = mkdtempSync(join(tmpdir(), 'latent-arena-train-'));
    tmpRoots.push(root);
    await trainClip({ ...parseArgs(['--seed', '3', '--steps', '3', '--root', root, '--quiet']) }, 8);
    const st1 = JSON.parse(readFileSync(join(root, 'checkpoints', 'clip', 'current', 'state.json'), 'utf8'));
    expect(st1.step).toBe(3);
    expect(st1.cursor).toBe(24);
    const { losses } = await trainClip({ ...parseArgs(['--seed', '3', '--steps', '5', '--root', root, '--quiet']) }, 8);
    expect(losses.length).toBe(2); // resumed at step 3, ran steps 3 and 4
    const st2 = JSON.parse(readFileSync(join(root, 'checkpoints', 'clip', 'current', 'state.json'), 'utf8'));
    expect(st2.step).toBe(5);
    expect(existsSync(join(root, 'weights', 'text-encoder', 'model.json'))).toBe(true);
    expect(existsSync(join(root, 'weights', 'image-encoder', 'weights.bin'))).toBe(true);
    expect(existsSync(join(root, 'samples', 'clip', 'step-00005.png'))).toBe(true);
    await expect(trainClip({ ...parseArgs(['--seed', '4', '--steps', '6', '--root', root, '--quiet']) }, 8)).rejects.toThrow(/seed/);

    // The GAN, on that text encoder: its checkpoint carries the weight-averaged G, a resume
    // continues the average, and the exported generator is the average, not the trained G.
    const gan = (steps: number) => trainGan(parseArgs(['--seed', '3', '--steps', String(steps), '--root', root, '--quiet']), { batch: 8 });
    const first = await gan(2);
    expect(existsSync(join(root, 'checkpoints', 'gan', 'current', 'generator_ema.json'))).toBe(true);
    const second = await gan(3);
    expect(second.losses.length).toBe(1);
    const { loadModel } = await import('../../models/tf/fs.ts');
    const { model: shipped, metadata } = await loadModel(join(root, 'weights', 'generator'));
    expect(metadata.trainedSteps).toBe(3);
    const rng = createRng(5);
    const z = seededNormal(rng, 4, GAN_CONFIG.zDim);
    const phi = seededNormal(rng, 4, 64);
    const out = (m: tf.LayersModel) => (m.predict([z, phi]) as tf.Tensor).dataSync();
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    expect(maxDiff(out(shipped), out(second.generatorAverage))).toBeLessThan(0.02); // float16
    expect(maxDiff(out(second.generatorAverage), out(second.trainer.G))).toBeGreaterThan(0.02);
    expect(first.generatorAverage).not.toBe(second.generatorAverage);

    // A new run started from that checkpoint with --init-from: G's object network comes from
    // the source's weight average and, with --g-trains background, stays as copied while the
    // background learns. Its checkpoint refuses to resume with another background or --g-trains.
    const objectLayer = (m: tf.LayersModel) => Array.from(m.getLayer('g_fc').getWeights()[0]!.dataSync());
    const bgRun = (more: string[]) =>
      trainGan(parseArgs(['--seed', '3', '--steps', '2', '--root', root, '--quiet', '--run', 'gan-bg', '--init-from', 'gan', ...more], GAN_OPTIONS), { batch: 8 });
    const tuned = await bgRun(['--g-trains', 'background']);
    expect(objectLayer(tuned.trainer.G)).toEqual(objectLayer(second.generatorAverage));
    expect(Array.from(tuned.trainer.G.getLayer('bg_rgb').getWeights()[0]!.dataSync())).not.toEqual(
      Array.from(second.generatorAverage.getLayer('bg_rgb').getWeights()[0]!.dataSync()),
    );
    expect(existsSync(join(root, 'checkpoints', 'gan-bg', 'export', 'generator', 'model.json'))).toBe(true);
    await expect(bgRun(['--g-trains', 'background', '--background', 'gaussian'])).rejects.toThrow(/background reads codes z/);
    await expect(bgRun([])).rejects.toThrow(/--g-trains background/);

    // The background critic, trained data-parallel with a worker thread: the checkpoint keeps
    // both (and K's weights), a resume keeps its --workers, and another --workers is refused.
    const criticRun = (steps: number, more: string[] = []) =>
      trainGan(parseArgs(['--seed', '3', '--steps', String(steps), '--root', root, '--quiet', '--run', 'gan-k', '--bg-critic', '1', ...more], GAN_OPTIONS), { batch: 8 });
    const k1 = await criticRun(2, ['--workers', '1']);
    expect(k1.trainer.critic).not.toBeNull();
    const kState = JSON.parse(readFileSync(join(root, 'checkpoints', 'gan-k', 'current', 'state.json'), 'utf8')) as { extra: Record<string, unknown> };
    expect(kState.extra).toMatchObject({ bgCritic: 1, workers: 1 });
    expect(existsSync(join(root, 'checkpoints', 'gan-k', 'current', 'bg_critic.json'))).toBe(true);
    await expect(criticRun(3, ['--workers', '0'])).rejects.toThrow(/--workers 1/);
    const k2 = await criticRun(3);
    expect(k2.losses.length).toBe(1);
    expect(k2.losses.every((l) => Number.isFinite(l.d) && Number.isFinite(l.g))).toBe(true);

    // The style encoder on that G, with the real images' targets (the default); a G without
    // background codes (v5, v6: no 'background' in its metadata) is refused.
    const style = (more: string[] = []) => trainStyle(parseArgs(['--seed', '3', '--steps', '2', '--root', root, '--quiet', ...more], ['real-weight']), { batch: 8 });
    await style();
    const styleMeta = JSON.parse(readFileSync(join(root, 'weights', 'style-encoder', 'model.json'), 'utf8')) as { userDefinedMetadata: { realWeight: number } };
    expect(styleMeta.userDefinedMetadata.realWeight).toBe(STYLE_REAL_WEIGHT);
    const gJson = join(root, 'weights', 'generator', 'model.json');
    const g = JSON.parse(readFileSync(gJson, 'utf8')) as { userDefinedMetadata: Record<string, unknown> };
    delete g.userDefinedMetadata.background;
    writeFileSync(gJson, JSON.stringify(g));
    await expect(style(['--fresh'])).rejects.toThrow(/background codes/);
    await style(['--fresh', '--real-weight', '0']);
  });
});

describe('weight averaging (EMA)', () => {
  it('averages every weight, BatchNorm statistics included, by the given decay', async () => {
    await initNodeWasm();
    const build = () => {
      const x = tf.input({ shape: [3] });
      const h = tf.layers.dense({ units: 2, name: 'fc' }).apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor });
    };
    const src = build();
    seedInit(src, 1);
    const ema = new WeightEma(src, build());
    const before = ema.model.getWeights().map((w) => w.dataSync().slice());
    expect(before.length).toBe(6); // kernel, bias, γ, β, moving mean, moving variance
    src.setWeights(src.getWeights().map((w) => tf.add(w, 1)));
    ema.update(0.75);
    ema.model.getWeights().forEach((w, i) => {
      Array.from(w.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(before[i]![j]! + 0.25, 5));
    });
  });

  it('decay schedules: the warm-up, and a half-life that is a share of the steps so far', () => {
    expect(warmupDecay(0, 0.999)).toBeCloseTo(0.1, 10);
    expect(warmupDecay(1e6, 0.999)).toBe(0.999);
    expect(halfLifeDecay(3000, 300, 0.1) ** 300).toBeCloseTo(0.5, 10); // half-life 300 steps
    expect(halfLifeDecay(1000, 300, 0.1) ** 100).toBeCloseTo(0.5, 10); // ramp: 10% of 1,000
    expect(halfLifeDecay(0, 300, 0.1)).toBe(0.5);
  });
});

describe('shipped-weight encoding', () => {
  it('float16 TF.js weights reload with the same predictions (to half precision)', async () => {
    await initNodeWasm();
    const { serializeModel, deserializeModel, quantizeFloat16, float16Bits } = await import('../../models/tf/io.ts');
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(1e-7)).toBe(0x0002); // subnormal
    const G = buildGenerator(GAN_CONFIG);
    seedInit(G, 9);
    const files = await serializeModel(G, { note: 'x' });
    const q = quantizeFloat16(files);
    expect(q.weightsBin.length).toBe(files.weightsBin.length / 2);
    const { model, metadata } = await deserializeModel(q);
    expect(metadata.note).toBe('x');
    const rng = createRng(1);
    const z = seededNormal(rng, 4, GAN_CONFIG.zDim);
    const phi = seededNormal(rng, 4, 64);
    const a = (G.predict([z, phi]) as tf.Tensor).dataSync();
    const b = (model.predict([z, phi]) as tf.Tensor).dataSync();
    let maxErr = 0;
    a.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - b[i]!))));
    expect(maxErr).toBeLessThan(0.02);
  });
});
