/**
 * The latent diffusion model (models/diffusion/): training-time matching for any schedule,
 * float16 weights, tiny training runs that lower their loss, the CLI (checkpoint, resume,
 * export), and the shipped weights: they load in Node and sample images of the right shape.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initNodeWasm, tf } from '../../models/tf/node-wasm.ts';
import { createRng, deriveSeed } from '../../shared/random.ts';
import { cosineSchedule, customSchedule, linearSchedule } from '../../shared/diffusion/index.ts';
import { captionIndex } from '../../shared/dataset/index.ts';
import { pixelsToTensor, samplesAt } from '../../models/data/stream.ts';
import { deserializeModel, float16Bits, quantizeFloat16, quantizeWeights, serializeModel } from '../../models/tf/io.ts';
import { loadModel, readModelDir } from '../../models/tf/fs.ts';
import { EPS_ARCHS, TIME_FEATURES, buildDecoder, buildEpsNet, seedInitDiffusion, timeFeatureBatch, LATENT_SIZE, type EpsArch } from '../../models/diffusion/network.ts';
import { AutoencoderTrainer, EpsTrainer, encodeNormalised, epsBatchAt } from '../../models/diffusion/trainer.ts';
import { GradWorker, parallelEpsStep, partOf } from '../../models/diffusion/parallel.ts';
import { fnv1a, loadDiffusionModel, trainingTimeFor, trainingTimes } from '../../models/diffusion/runtime.ts';
import { fileLoader, WEIGHTS_DIR } from '../../models/runtime/node.ts';
import { EPS_LR, EPS_LR_END, EPS_UINT8_MIN_SIZE, EPS_WARMUP, epsEncoding, epsLearningRate, parseDiffusionArgs, trainDiffusion } from '../../models/train/diffusion.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const tmpRoots: string[] = [];
afterAll(() => tmpRoots.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('training-time matching (any schedule, any T)', () => {
  it('is the identity on the training schedule (linear, T = 1000)', () => {
    const ts = trainingTimes(linearSchedule(1000));
    for (const t of [1, 2, 10, 500, 999, 1000]) expect(ts[t - 1]).toBeCloseTo(t, 9);
  });

  it('maps other schedules monotonically into [0, 1000] with matching ᾱ', () => {
    const lin = linearSchedule(1000);
    for (const s of [
      cosineSchedule(1000),
      linearSchedule(50),
      cosineSchedule(10),
      customSchedule(100, [
        { t: 0.3, value: 0.9 },
        { t: 1, value: 0.001 },
      ]),
    ]) {
      const ts = trainingTimes(s);
      for (let i = 0; i < ts.length; i++) {
        expect(ts[i]).toBeGreaterThanOrEqual(0);
        expect(ts[i]).toBeLessThanOrEqual(1000);
        if (i > 0) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]!);
      }
      // Inside the training range, ᾱ at the matched (integer-rounded) time is close.
      const t = Math.ceil(s.T / 2);
      const tau = ts[t - 1]!;
      if (tau >= 1 && tau < 1000) {
        const lo = Math.floor(tau);
        const abLo = lo === 0 ? 1 : lin.alphaBars[lo - 1]!;
        const abHi = lin.alphaBars[lo]!;
        expect(s.alphaBars[t - 1]!).toBeLessThanOrEqual(abLo + 1e-12);
        expect(s.alphaBars[t - 1]!).toBeGreaterThanOrEqual(abHi - 1e-12);
      }
    }
    expect(trainingTimeFor(1)).toBe(0);
    expect(trainingTimeFor(1e-9)).toBe(1000);
  });
});

describe('shipped weight encodings', () => {
  it('float16Bits rounds like IEEE binary16 (to nearest even)', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(1e6)).toBe(0x7c00);
    expect(float16Bits(0)).toBe(0);
    expect(float16Bits(2 ** -24)).toBe(1); // the smallest subnormal
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to the even neighbour…
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // …up when that one is even
  });

  it('the ε-network ships its large kernels as uint8 and still predicts what it did', async () => {
    await initNodeWasm();
    const net = buildEpsNet(EPS_ARCHS['unet2-phi8']);
    seedInitDiffusion(net, 13);
    net.layers.filter((l) => l.name.endsWith('_zero')).forEach((l, k) => l.setWeights(l.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.05, 'float32', 60 + 10 * k + i))));
    const files = await serializeModel(net, {});
    const q = quantizeWeights(files, epsEncoding);
    const specs = (JSON.parse(q.modelJson) as { weightsManifest: { weights: { shape: number[]; quantization: { dtype: string } }[] }[] }).weightsManifest[0]!.weights;
    const size = (sh: number[]) => sh.reduce((a, b) => a * b, 1);
    expect(specs.every((w) => w.quantization.dtype === (size(w.shape) >= EPS_UINT8_MIN_SIZE ? 'uint8' : 'float16'))).toBe(true);
    const bytes = specs.reduce((a, w) => a + size(w.shape) * (w.quantization.dtype === 'uint8' ? 1 : 2), 0);
    expect(q.weightsBin.byteLength).toBe(bytes);
    expect(q.weightsBin.byteLength).toBeLessThan(files.weightsBin.byteLength * 0.3);
    const { model } = await deserializeModel(q);
    const rng = createRng(17);
    const B = 4;
    const inputs = [
      tf.tensor4d(
        Array.from({ length: B * LATENT_SIZE }, () => rng.normal()),
        [B, 8, 8, 4],
      ),
      tf.tensor2d(timeFeatureBatch([5, 250, 600, 999]), [B, TIME_FEATURES]),
      tf.tensor2d(
        Array.from({ length: B * 64 }, () => rng.normal() / 8),
        [B, 64],
      ),
    ];
    const a = net.predict(inputs) as tf.Tensor;
    const b = model.predict(inputs) as tf.Tensor;
    const rel = tf.div(tf.norm(tf.sub(a, b)), tf.norm(a)).dataSync()[0]!;
    expect(rel).toBeGreaterThan(0); // it was quantized…
    expect(rel).toBeLessThan(0.05); // …and still predicts the same ε̂ to within 5%
    tf.dispose([...inputs, a, b]);
    net.dispose();
    model.dispose();
  });

  it('a float16 model loads back within float16 precision', async () => {
    await initNodeWasm();
    const d = buildDecoder();
    seedInitDiffusion(d, 5);
    const files = await serializeModel(d, { hello: 1 });
    const half = quantizeFloat16(files);
    expect(half.weightsBin.byteLength).toBe(files.weightsBin.byteLength / 2);
    const { model, metadata } = await deserializeModel(half);
    expect(metadata.hello).toBe(1);
    const a = d.getWeights().map((w) => w.dataSync() as Float32Array);
    const b = model.getWeights().map((w) => w.dataSync() as Float32Array);
    a.forEach((x, k) => x.forEach((v, i) => expect(Math.abs(v - b[k]![i]!)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 1e-7)));
    d.dispose();
    model.dispose();
  });
});

describe('ε-network architectures', () => {
  it.each(Object.keys(EPS_ARCHS) as EpsArch[])('%s: maps [B, 8, 8, 4] to ε̂ of the same shape, reads φ, and survives save/load', async (arch) => {
    await initNodeWasm();
    const cfg = EPS_ARCHS[arch];
    const net = buildEpsNet(cfg);
    seedInitDiffusion(net, 9);
    // The zero-initialised layers (branch ends, FiLM γ, output conv) make an untrained
    // network predict ε̂ = 0 whatever φ is. Perturb them so the comparisons mean something.
    net.layers.filter((l) => l.name.endsWith('_zero')).forEach((l, k) => l.setWeights(l.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.1, 'float32', 30 + 10 * k + i))));
    const rng = createRng(11);
    const B = 3;
    const z = tf.tensor4d(
      Array.from({ length: B * LATENT_SIZE }, () => rng.normal()),
      [B, 8, 8, 4],
    );
    const tFeat = tf.tensor2d(timeFeatureBatch([10, 500, 990]), [B, TIME_FEATURES]);
    const phiA = tf.tensor2d(
      Array.from({ length: B * 64 }, () => rng.normal() / 8),
      [B, 64],
    );
    const y = net.predict([z, tFeat, phiA]) as tf.Tensor;
    expect(y.shape).toEqual([B, 8, 8, 4]);
    const yNoCaption = net.predict([z, tFeat, tf.zerosLike(phiA)]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y, yNoCaption))).dataSync()[0]).toBeGreaterThan(1e-4);
    const { model } = await deserializeModel(await serializeModel(net, {}));
    const y2 = model.predict([z, tFeat, phiA]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y, y2))).dataSync()[0]).toBeLessThan(1e-5);
    if (cfg.phiScale) expect(net.getLayer('eps_phi_scale')).toBeTruthy();
    tf.dispose([z, tFeat, phiA, y, yNoCaption, y2]);
    net.dispose();
    model.dispose();
  });
});

describe('tiny training runs lower the loss', () => {
  it('autoencoder: reconstruction loss falls', async () => {
    await initNodeWasm();
    const tr = new AutoencoderTrainer(1);
    const images = pixelsToTensor(samplesAt(1, 'train', 0, 8).map((s) => s.pixels));
    const losses = Array.from({ length: 25 }, (_, i) => tr.step(images, createRng(100 + i)).loss);
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.7);
    images.dispose();
  });

  it('ε-network: L_simple falls on a fixed batch (same t and ε every step)', async () => {
    await initNodeWasm();
    const ae = new AutoencoderTrainer(2);
    const s = samplesAt(2, 'train', 0, 8);
    const images = pixelsToTensor(s.map((x) => x.pixels));
    const z0 = encodeNormalised(ae.encoder, images, [0, 0, 0, 0], [1, 1, 1, 1]);
    const rng = createRng(3);
    const phiRows = new Float32Array(8 * 64);
    for (let i = 0; i < phiRows.length; i++) phiRows[i] = rng.normal() / 8;
    const phi = tf.tensor2d(phiRows, [8, 64]);
    const tr = new EpsTrainer(4, { channels: 16, blocks: 2, embDim: 32 }, 2e-3, 0);
    const losses = Array.from({ length: 20 }, (_, i) => tr.step({ z0, phi }, createRng(7), i).loss);
    expect(mean(losses.slice(-3))).toBeLessThan(losses[0]! * 0.8);
    expect(s.map((x) => captionIndex(x.attributes)).length).toBe(8);
    tf.dispose([images, z0, phi]);
  });
});

describe('data-parallel training (a worker thread per extra core)', () => {
  it('one step with a worker equals the same step with both parts computed here', async () => {
    await initNodeWasm();
    const cfg = { channels: 16, blocks: 2, embDim: 32 };
    const encoderDir = join(WEIGHTS_DIR, 'diffusion-encoder');
    const { model: encoder, metadata } = await loadModel(encoderDir);
    const norm = metadata.latentNorm as { mean: number[]; std: number[] };
    const rng = createRng(21);
    const phiTable = new Float32Array(128 * 64).map(() => rng.normal() / 8);
    const phiT = tf.tensor2d(phiTable, [128, 64]);
    const [seed, s, cursor, batch] = [5, 3, 40, 8];
    const a = new EpsTrainer(6, cfg, 1e-3);
    const worker = await GradWorker.start({ cfg, encoderDir, norm, phiTable, seed, condDropout: a.condDropout });
    try {
      const viaWorker = await parallelEpsStep(a, [worker], encoder, norm, phiT, seed, s, cursor, batch);
      const b = new EpsTrainer(6, cfg, 1e-3);
      const parts = [0, 1].map((k) => {
        const p = partOf(seed, s, cursor, batch, 2, k);
        const bt = epsBatchAt(encoder, norm, phiT, seed, p.cursor, p.n);
        const g = b.gradients(bt, createRng(p.rngSeed));
        tf.dispose([bt.z0, bt.phi]);
        return g;
      });
      const avg = parts[0]!.grads.map((g, i) => tf.div(tf.add(g, parts[1]!.grads[i]!), 2));
      const gradNorm = b.applyGradients(avg, s);
      expect(viaWorker.loss).toBeCloseTo((parts[0]!.loss + parts[1]!.loss) / 2, 6);
      expect(viaWorker.gradNorm).toBeCloseTo(gradNorm, 5);
      const wa = a.flatWeights();
      const wb = b.flatWeights();
      let maxDiff = 0;
      wa.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - wb[i]!))));
      expect(maxDiff).toBeLessThan(1e-6);
      // …and the step moved the weights: the comparison is not between two untouched nets.
      const fresh = new EpsTrainer(6, cfg, 1e-3).flatWeights();
      expect(wa.some((v, i) => Math.abs(v - fresh[i]!) > 1e-5)).toBe(true);
      tf.dispose([...avg, ...parts.flatMap((p) => p.grads)]);
    } finally {
      await worker.terminate();
      phiT.dispose();
      encoder.dispose();
    }
  }, 60_000);

  it('splits a batch into equal parts with their own random streams, and refuses unequal ones', () => {
    const p = [0, 1].map((k) => partOf(1, 7, 100, 64, 2, k));
    expect(p.map((x) => [x.cursor, x.n])).toEqual([
      [100, 32],
      [132, 32],
    ]);
    expect(p[0]!.rngSeed).not.toBe(p[1]!.rngSeed);
    expect(partOf(1, 7, 100, 64, 1, 0).rngSeed).toBe(deriveSeed(1, 'eps step 7'));
    expect(() => partOf(1, 7, 100, 63, 2, 0)).toThrow(/equal parts/);
  });
});

describe('the ε-network learning-rate schedule', () => {
  it('warms up, holds the peak for half the run, then decays along a cosine to its floor', () => {
    const total = 10_000;
    expect(epsLearningRate(0, total)).toBeCloseTo(EPS_LR / EPS_WARMUP, 12);
    expect(epsLearningRate(EPS_WARMUP, total)).toBe(EPS_LR);
    expect(epsLearningRate(total / 2 - 1, total)).toBe(EPS_LR);
    expect(epsLearningRate(total * 0.75, total)).toBeCloseTo((EPS_LR + EPS_LR_END) / 2, 12);
    expect(epsLearningRate(total, total)).toBeCloseTo(EPS_LR_END, 12);
    const rates = Array.from({ length: total / 2 }, (_, i) => epsLearningRate(total / 2 + i, total));
    expect(rates.every((r, i) => i === 0 || r <= rates[i - 1]!)).toBe(true);
  });
});

describe('training CLI', () => {
  it('trains both phases, checkpoints, resumes and exports weights', async () => {
    const root = mkdtempSync(join(tmpdir(), 'diffusion-train-'));
    tmpRoots.push(root);
    // Only the text encoder from the shared weights (no classifier: skips the faithfulness probe).
    const shared = join(root, 'shared');
    mkdirSync(shared);
    symlinkSync(join(WEIGHTS_DIR, 'text-encoder'), join(shared, 'text-encoder'));
    const base = ['--root', root, '--shared-weights', shared, '--quiet', '--ae-steps', '3', '--batch', '8'];
    // The ε phase runs data-parallel (one worker thread), with the two-level U-Net.
    await trainDiffusion(parseDiffusionArgs([...base, '--workers', '1', '--arch', 'unet2-phi8', '--steps', '2']));
    for (const d of ['diffusion-encoder', 'diffusion-decoder', 'diffusion-eps']) expect(existsSync(join(root, 'weights', d, 'weights.bin'))).toBe(true);
    type State = { step: number; extra: { workers: number; arch: string; batch: number } };
    const state = () => JSON.parse(readFileSync(join(root, 'checkpoints', 'diffusion', 'current', 'state.json'), 'utf8')) as State;
    expect(state().step).toBe(2);
    expect(state().extra).toMatchObject({ workers: 1, arch: 'unet2-phi8', batch: 8 });
    // Resuming keeps what the checkpoint was made with, and refuses a contradicting option.
    await expect(trainDiffusion(parseDiffusionArgs([...base, '--arch', 'flat', '--steps', '3']))).rejects.toThrow(/--arch unet2-phi8/);
    await trainDiffusion(parseDiffusionArgs([...base, '--steps', '3']));
    expect(state().step).toBe(3);
    expect(state().extra).toMatchObject({ workers: 1, arch: 'unet2-phi8' });
    const meta = JSON.parse(readFileSync(join(root, 'weights', 'diffusion-eps', 'model.json'), 'utf8')) as { userDefinedMetadata: { trainedSteps: number } };
    expect(meta.userDefinedMetadata.trainedSteps).toBe(3);
  }, 240_000);
});

describe('the shipped weights', () => {
  const shipped = existsSync(join(WEIGHTS_DIR, 'diffusion-eps', 'model.json'));

  it.runIf(shipped)('were trained with the shipped text encoder φ', () => {
    const meta = JSON.parse(readFileSync(join(WEIGHTS_DIR, 'diffusion-eps', 'model.json'), 'utf8')) as { userDefinedMetadata: { textEncoderHash: string } };
    expect(
      fnv1a(readModelDir(join(WEIGHTS_DIR, 'text-encoder')).weightsBin),
      'text encoder retrained: retrain the diffusion model (npm run train:diffusion -- --phase eps --fresh)',
    ).toBe(meta.userDefinedMetadata.textEncoderHash);
  });

  it.runIf(shipped)('stay small (≤ 1.5 MB together)', () => {
    let bytes = 0;
    for (const d of ['diffusion-encoder', 'diffusion-decoder', 'diffusion-eps']) {
      for (const f of ['model.json', 'weights.bin']) bytes += readFileSync(join(WEIGHTS_DIR, d, f)).byteLength;
    }
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });

  it.runIf(shipped)(
    'load in Node and sample 32×32 RGB images (DDIM, DDPM-η, guidance, custom schedules)',
    async () => {
      await initNodeWasm();
      const dm = await loadDiffusionModel(fileLoader(), { encoder: true });
      const caps = ['a large red star', 'a small white ring'];
      let steps = 0;
      const r = await dm.sample({
        captions: caps,
        steps: 5,
        guidance: 3,
        seed: 1,
        onStep: (v) => {
          steps++;
          expect(v.latent.length).toBe(2 * LATENT_SIZE);
          expect(v.x0Pred.length).toBe(2 * LATENT_SIZE);
        },
      });
      expect(steps).toBe(5);
      expect(r.images).toHaveLength(2);
      for (const img of r.images) {
        expect(img).toBeInstanceOf(Uint8Array);
        expect(img.length).toBe(32 * 32 * 3);
        expect(Math.max(...img) - Math.min(...img)).toBeGreaterThan(50); // not a flat image
      }
      // Deterministic from the seed.
      const again = await dm.sample({ captions: caps, steps: 5, guidance: 3, seed: 1 });
      expect(Buffer.from(again.images[0]!).equals(Buffer.from(r.images[0]!))).toBe(true);
      // Other samplers, guidance scales and schedules run and keep the shape.
      for (const o of [
        { guidance: 0, eta: 1, steps: 4 },
        { guidance: 1, schedule: cosineSchedule(20), steps: 20 },
        { guidance: 5, schedule: linearSchedule(10), sampler: 'ddpm' as const },
      ]) {
        const x = await dm.sample({ captions: caps, seed: 2, ...o });
        expect(x.images.map((i) => i.length)).toEqual([3072, 3072]);
      }
      // encode → decode round trip of a real image stays close.
      const real = samplesAt(9, 'test', 0, 4).map((s) => s.pixels);
      const rec = dm.decode(dm.encode(real));
      const err = mean(real.map((img, k) => mean(Array.from(img, (v, j) => Math.abs(v - rec[k]![j]!)))));
      expect(err).toBeLessThan(12);
      expect(dm.pixelView(r.latents, 0.5, new Float32Array(2 * 3072))).toHaveLength(2);
      dm.dispose();
    },
    120_000,
  );
});
