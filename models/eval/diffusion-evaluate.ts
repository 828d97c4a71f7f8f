/**
 * Evaluation of the shipped diffusion model (models/weights/diffusion-*):
 *  - caption faithfulness under two rulers (./two-rulers.ts): the Models I attribute
 *    classifier (A) and the hand-made feature ruler (B) read size, colour and shape of each
 *    generated image; an image counts when all three match its caption. Captions are spread
 *    evenly over all 128. The bar applies to the lower of the two.
 *  - for the barred row: faithfulness per attribute and per shape, how often each background
 *    pattern is drawn, and the rotation spread against the data's, all under both rulers.
 *  - KID (×1000) between generated images and held-out real test images, in the Models I
 *    image-encoder embedding space, beside the floor KID(real, other real) of the same size.
 * Rows: DDIM 10 / 20 / 50 steps and DDPM 1000 steps at the default guidance, and DDIM 50 at
 * guidance w = 0, 1, 3, 5. Bar: faithfulness ≥ 90% at DDIM 50 with the default guidance.
 */
import { join } from 'node:path';
import { deriveSeed } from '../../shared/random.ts';
import { allCaptions, captionOf } from '../../shared/dataset/index.ts';
import { CAPTION_ATTRIBUTES } from '../../shared/dataset/vocabulary.ts';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { loadModel } from '../tf/fs.ts';
import { DEFAULT_SEED, pixelsToTensor, samplesAt } from '../data/stream.ts';
import { fileLoader, WEIGHTS_DIR } from '../runtime/node.ts';
import { kid } from './metrics.ts';
import { formatTable, RULER_LEGEND, type EvalRow } from './rows.ts';
import { faithfulnessRows, loadRulers, readBoth, readReal, rotationSpreadRow, rotationSpreads, RULER_BARS, styleDrawnRows } from './two-rulers.ts';
import { DEFAULT_GUIDANCE, loadDiffusionModel, type DiffusionModel } from '../diffusion/runtime.ts';

interface DiffusionEvalConfig {
  id: string;
  sampler: 'ddim' | 'ddpm';
  steps: number;
  guidance: number;
  /** true for the row(s) with a bar */
  barred: boolean;
}

const DIFFUSION_EVAL_CONFIGS: readonly DiffusionEvalConfig[] = [
  { id: 'ddim10', sampler: 'ddim', steps: 10, guidance: DEFAULT_GUIDANCE, barred: false },
  { id: 'ddim20', sampler: 'ddim', steps: 20, guidance: DEFAULT_GUIDANCE, barred: false },
  { id: 'ddim50', sampler: 'ddim', steps: 50, guidance: DEFAULT_GUIDANCE, barred: true },
  { id: 'ddpm1000', sampler: 'ddpm', steps: 1000, guidance: DEFAULT_GUIDANCE, barred: false },
  { id: 'ddim50-w0', sampler: 'ddim', steps: 50, guidance: 0, barred: false },
  { id: 'ddim50-w1', sampler: 'ddim', steps: 50, guidance: 1, barred: false },
  { id: 'ddim50-w5', sampler: 'ddim', steps: 50, guidance: 5, barred: false },
];

interface DiffusionEvalOptions {
  /** images per DDIM row */
  n: number;
  /** images for the DDPM 1000-step row (slow: 1000 network calls) */
  nDdpm: number;
  seed: number;
  weightsDir: string;
  /** run only these config ids (default: all) */
  only: readonly string[] | null;
  /** images per sampler call */
  chunk: number;
}

export const DIFFUSION_EVAL_DEFAULTS: DiffusionEvalOptions = {
  n: 256,
  nDdpm: 32,
  seed: DEFAULT_SEED,
  weightsDir: WEIGHTS_DIR,
  only: null,
  chunk: 128,
};

interface DiffusionEvalRow {
  config: DiffusionEvalConfig;
  n: number;
  /** the lower of the two rulers' */
  faithfulness: number;
  /** ruler A, ruler B */
  readings: readonly [number, number];
  /** per attribute, the lower of the two rulers' */
  perAttribute: Record<string, number>;
  /** the barred row's figures per shape, pattern and rotation (empty for the others) */
  details: EvalRow[];
  kid: number;
  kidFloor: number;
  seconds: number;
  bar: number | null;
  pass: boolean;
}

export async function generate(dm: DiffusionModel, captions: readonly string[], cfg: DiffusionEvalConfig, seed: number, chunk: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < captions.length; i += chunk) {
    const { images } = await dm.sample({
      captions: captions.slice(i, i + chunk),
      sampler: cfg.sampler,
      steps: cfg.steps,
      guidance: cfg.guidance,
      // Same x_T for every config (chunk-wise), so rows differ only by sampler and guidance.
      seed: deriveSeed(seed, `x_T ${i}`),
    });
    out.push(...images);
  }
  return out;
}

export async function evaluateDiffusion(opts: Partial<DiffusionEvalOptions> = {}, log: (s: string) => void = () => {}): Promise<DiffusionEvalRow[]> {
  const o = { ...DIFFUSION_EVAL_DEFAULTS, ...opts };
  await initNodeWasm();
  const dm = await loadDiffusionModel(fileLoader(o.weightsDir));
  const rulers = await loadRulers(o.weightsDir, o.seed);
  const { model: imageEncoder } = await loadModel(join(o.weightsDir, 'image-encoder'));
  const seed = deriveSeed(o.seed, 'diffusion eval');
  const all = allCaptions();
  const embed = (images: readonly Uint8Array[]): tf.Tensor2D => tf.tidy(() => imageEncoder.predict(pixelsToTensor(images)) as tf.Tensor2D);
  const realCache = new Map<number, { real: tf.Tensor2D; floor: number }>();
  const reference = (n: number) => {
    let r = realCache.get(n);
    if (!r) {
      const a = embed(samplesAt(seed, 'test', 0, n).map((s) => s.pixels));
      const b = embed(samplesAt(seed, 'test', n, n).map((s) => s.pixels));
      r = { real: a, floor: kid(a, b) };
      b.dispose();
      realCache.set(n, r);
    }
    return r;
  };
  let spreads: [number, number] | null = null;
  /** The data's rotation spread under both readers, from at least 1000 real test images (once). */
  const dataSpreads = (): [number, number] => {
    if (!spreads) {
      const real = samplesAt(seed, 'test', 0, Math.max(o.n, 1000));
      spreads = rotationSpreads(
        readReal(rulers, real),
        real.map((s) => s.attributes.shape),
      );
    }
    return spreads;
  };
  const rows: DiffusionEvalRow[] = [];
  for (const cfg of DIFFUSION_EVAL_CONFIGS) {
    if (o.only && !o.only.includes(cfg.id)) continue;
    const n = cfg.sampler === 'ddpm' ? o.nDdpm : o.n;
    const t0 = performance.now();
    const attrs = Array.from({ length: n }, (_, i) => all[i % all.length]!);
    const images = await generate(dm, attrs.map(captionOf), cfg, seed, o.chunk);
    const reads = readBoth(rulers, images);
    const faith = faithfulnessRows('diffusion', cfg.id, reads, attrs);
    const [overall, ...perAttr] = faith;
    const perAttribute = Object.fromEntries(CAPTION_ATTRIBUTES.map((k, j) => [k, perAttr[j]!.value]));
    const details = cfg.barred
      ? [
          ...faith,
          ...styleDrawnRows('diffusion', cfg.id, reads),
          rotationSpreadRow(
            'diffusion',
            cfg.id,
            reads,
            attrs.map((a) => a.shape),
            dataSpreads(),
          ),
        ]
      : [];
    const ref = reference(n);
    const e = embed(images);
    const k = kid(ref.real, e);
    e.dispose();
    const bar = cfg.barred ? RULER_BARS.faithfulness : null;
    const okAll = overall!.value;
    const row: DiffusionEvalRow = {
      config: cfg,
      n,
      faithfulness: okAll,
      readings: overall!.readings!,
      perAttribute,
      details,
      kid: k * 1000,
      kidFloor: ref.floor * 1000,
      seconds: (performance.now() - t0) / 1000,
      bar,
      pass: (bar === null || okAll >= bar) && details.every((d) => d.pass),
    };
    rows.push(row);
    log(`${cfg.id}: faithfulness ${(okAll * 100).toFixed(1)}%, KID×1000 ${row.kid.toFixed(2)} (floor ${row.kidFloor.toFixed(2)}), ${row.seconds.toFixed(0)} s`);
  }
  for (const r of realCache.values()) r.real.dispose();
  rulers.dispose();
  imageEncoder.dispose();
  dm.dispose();
  return rows;
}

export function formatDiffusionTable(rows: readonly DiffusionEvalRow[]): string {
  const lines = [
    '| sampler | steps | guidance w | n | faithfulness A | faithfulness B | lower (size+colour+shape) | size | colour | shape | KID×1000 (floor) | bar | |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  for (const r of rows) {
    const c = r.config;
    lines.push(
      `| ${c.sampler.toUpperCase()} | ${c.steps} | ${c.guidance} | ${r.n} | ${pct(r.readings[0])} | ${pct(r.readings[1])} | ${pct(r.faithfulness)} | ${pct(r.perAttribute.size!)} | ${pct(r.perAttribute.colour!)} | ${pct(r.perAttribute.shape!)} | ${r.kid.toFixed(2)} (${r.kidFloor.toFixed(2)}) | ${r.bar === null ? '' : `≥ ${(r.bar * 100).toFixed(0)}%`} | ${r.bar === null ? '' : r.pass ? 'pass' : 'FAIL'} |`,
    );
  }
  const details = rows.flatMap((r) => r.details);
  if (details.length > 0) lines.push('', formatTable(details), '', RULER_LEGEND);
  return lines.join('\n');
}
