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
import { createRng } from '../../shared/random.ts';
import { cosineSchedule, customSchedule, linearSchedule } from '../../shared/diffusion/index.ts';
import { captionIndex } from '../../shared/dataset/index.ts';
import { pixelsToTensor, samplesAt } from '../../models/data/stream.ts';
import { deserializeModel, serializeModel } from '../../models/tf/io.ts';
import { readModelDir } from '../../models/tf/fs.ts';
import { buildDecoder, seedInitDiffusion, LATENT_SIZE } from '../../models/diffusion/network.ts';
import { toFloat16, toHalf } from '../../models/diffusion/float16.ts';
import { AutoencoderTrainer, EpsTrainer, encodeNormalised } from '../../models/diffusion/trainer.ts';
import { fnv1a, loadDiffusionModel, trainingTimeFor, trainingTimes } from '../../models/diffusion/runtime.ts';
import { fileLoader, WEIGHTS_DIR } from '../../models/runtime/node.ts';
import { parseDiffusionArgs, trainDiffusion } from '../../models/train/diffusion.ts';

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
    for (const s of [cosineSchedule(1000), linearSchedule(50), cosineSchedule(10), customSchedule(100, [{ t: 0.3, value: 0.9 }, { t: 1, value: 0.001 }])]) {
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

describe('float16 weights', () => {
  it('toHalf rounds like IEEE binary16', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(toHalf(0)).toBe(0);
    expect(toHalf(5.960464477539063e-8)).toBe(1);
  });

  it('a float16 model loads back within float16 precision', async () => {
    await initNodeWasm();
    const d = buildDecoder();
    seedInitDiffusion(d, 5);
    const files = await serializeModel(d, { hello: 1 });
    const half = toFloat16(files);
    expect(half.weightsBin.byteLength).toBe(files.weightsBin.byteLength / 2);
    const { model, metadata } = await deserializeModel(half);
    expect(metadata['hello']).toBe(1);
    const a = d.getWeights().map((w) => w.dataSync() as Float32Array);
    const b = model.getWeights().map((w) => w.dataSync() as Float32Array);
    a.forEach((x, k) => x.forEach((v, i) => expect(Math.abs(v - b[k]![i]!)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 1e-7)));
    d.dispose();
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

describe('training CLI', () => {
  it('trains both phases, checkpoints, resumes and exports weights', async () => {
    const root = mkdtempSync(join(tmpdir(), 'diffusion-train-'));
    tmpRoots.push(root);
    // Only the text encoder from the shared weights (no classifier: skips the faithfulness probe).
    const shared = join(root, 'shared');
    mkdirSync(shared);
    symlinkSync(join(WEIGHTS_DIR, 'text-encoder'), join(shared, 'text-encoder'));
    const base = ['--root', root, '--shared-weights', shared, '--quiet', '--ae-steps', '3', '--steps', '2'];
    await trainDiffusion(parseDiffusionArgs(base));
    for (const d of ['diffusion-encoder', 'diffusion-decoder', 'diffusion-eps']) expect(existsSync(join(root, 'weights', d, 'weights.bin'))).toBe(true);
    const st = JSON.parse(readFileSync(join(root, 'checkpoints', 'diffusion', 'current', 'state.json'), 'utf8')) as { step: number };
    expect(st.step).toBe(2);
    await trainDiffusion(parseDiffusionArgs([...base.slice(0, -2), '--steps', '3']));
    const st2 = JSON.parse(readFileSync(join(root, 'checkpoints', 'diffusion', 'current', 'state.json'), 'utf8')) as { step: number };
    expect(st2.step).toBe(3);
    const meta = JSON.parse(readFileSync(join(root, 'weights', 'diffusion-eps', 'model.json'), 'utf8')) as { userDefinedMetadata: { trainedSteps: number } };
    expect(meta.userDefinedMetadata.trainedSteps).toBe(3);
  }, 240_000);
});

describe('the shipped weights', () => {
  const shipped = existsSync(join(WEIGHTS_DIR, 'diffusion-eps', 'model.json'));

  it.runIf(shipped)('were trained with the shipped text encoder φ', () => {
    const meta = JSON.parse(readFileSync(join(WEIGHTS_DIR, 'diffusion-eps', 'model.json'), 'utf8')) as { userDefinedMetadata: { textEncoderHash: string } };
    expect(fnv1a(readModelDir(join(WEIGHTS_DIR, 'text-encoder')).weightsBin), 'text encoder retrained: retrain the diffusion model (npm run train:diffusion -- --phase eps --fresh)').toBe(meta.userDefinedMetadata.textEncoderHash);
  });

  it.runIf(shipped)('stay small (≤ 1.5 MB together)', () => {
    let bytes = 0;
    for (const d of ['diffusion-encoder', 'diffusion-decoder', 'diffusion-eps']) {
      for (const f of ['model.json', 'weights.bin']) bytes += readFileSync(join(WEIGHTS_DIR, d, f)).byteLength;
    }
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });

  it.runIf(shipped)('load in Node and sample 32×32 RGB images (DDIM, DDPM-η, guidance, custom schedules)', async () => {
    await initNodeWasm();
    const dm = await loadDiffusionModel(fileLoader(), { encoder: true });
    const caps = ['a large red star', 'a small white ring'];
    let steps = 0;
    const r = await dm.sample({ captions: caps, steps: 5, guidance: 3, seed: 1, onStep: (v) => {
      steps++;
      expect(v.latent.length).toBe(2 * LATENT_SIZE);
      expect(v.x0Pred.length).toBe(2 * LATENT_SIZE);
    } });
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
  }, 120_000);
});
