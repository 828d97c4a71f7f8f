/**
 * npm run train:gan [-- --seed N --fresh --steps N]
 * GAN-CLS + GAN-INT on the frozen text encoder (models/weights/text-encoder must exist:
 * run train:clip first). Writes models/weights/{generator,discriminator}/.
 * If models/weights/classifier exists, the sample step also prints caption faithfulness.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, deriveSeed, type Rng } from '../../shared/random.ts';
import { CAPTION_COUNT, CAPTION_ATTRIBUTES, CAPTION_VALUES, captionFromIndex, captionIndex, renderMask, type Sample } from '../../shared/dataset/index.ts';
import { initNodeWasm, tf } from '../tf/node-wasm.ts';
import { loadModel, saveModel } from '../tf/fs.ts';
import { seedInit, seededNormal } from '../tf/blocks.ts';
import { WeightEma, halfLifeDecay } from '../tf/ema.ts';
import { buildDiscriminator, buildGenerator, calibrateMinibatchStd, GAN_CONFIG, POSITION_DIMS, type GanConfig } from '../gan/networks.ts';
import {
  CLASS_HEAD_WARMUP,
  CRITIC_WARMUP,
  GanTrainer,
  buildBgCritic,
  buildShapeCritic,
  buildClassHead,
  buildInfoHead,
  type BgCritic,
  type ShapeCritic,
  type ClassTerm,
  type ClipGuide,
  type InfoTerm,
} from '../gan/train-step.ts';
import { INT_BETA, interpolate, wrongCaption } from '../gan/conditioning.ts';
import { fitLayoutHead } from '../gan/layout-fit.ts';
import { freezeAllButBackground } from '../gan/freeze.ts';
import { GanGradWorker, parallelGanStep } from '../gan/parallel.ts';
import { codesOf } from '../tf/layers.ts';
import { allCaptionEmbeddings } from '../clip/similarity.ts';
import { classify } from '../classifier/trainer.ts';
import { labelsOf, pixelsToTensor, samplesAt, tensorToPixels } from '../data/stream.ts';
import {
  checkpointDir,
  clearCheckpoint,
  copyMatchingLayers,
  hasCheckpoint,
  loadCheckpoint,
  parseArgs,
  pruneSamples,
  readCheckpointState,
  runLoop,
  samplePath,
  saveCheckpoint,
  writeGrid,
  type TrainArgs,
} from './common.ts';

/**
 * The from-scratch recipe's length: 4,000 steps with the codes, the class term and the
 * background critic on both cores (`--bg-critic 1 --workers 1`) take 1 h 25 min here,
 * inside the 2-hour rule (models/README.md; the runs behind it in models/HISTORY.md).
 */
const GAN_STEPS = 4000;

/**
 * Training options (CLI: --hard-negatives F, --hard-negatives-from STEP, --cond-scale K,
 * --clip-weight λ, --clip-margin m, --mode-seeking μ, --mbstd GROUP, --clip-until STEP, --info-weight W, --run NAME,
 * --place learnt-range|data-layout: how G places its object, see GanConfig.gPlace). Half the mismatched
 * captions are hard negatives (one attribute changed, see wrongCaption); λ weighs G's CLIP
 * guidance term (0 = pure GAN-CLS), m its margin, μ the mode-seeking term (train-step.ts), GROUP D's minibatch-std group (0 = off); from STEP on G trains without the CLIP term (0 = never off);
 * W the InfoGAN term on the layered G's background code (train-step.ts; 0 = off).
 * --background gaussian|codes: what G's background network reads (GanConfig.gBackground); with
 * 'codes', --class-weight W weighs the class term that ties its codes to the real classes
 * (ClassTerm) and the InfoGAN term is off. --init-from RUN starts a new run from RUN's
 * checkpoint: every layer of G (its weight average), D and C whose name and shape match is
 * copied, the rest keep their seeded start (G v7 took G v6's object network this way).
 * --g-trains background trains only G's background (the object network stays as copied).
 * --bg-critic W (with 'codes') adds the background critic K at weight W in G's loss
 * (train-step.ts BgCritic; 0 = off). --shape-critic W (layered G) adds the shape critic M, a
 * discriminator of the placed object's mask against the real images' own masks, at weight W
 * in G's loss (train-step.ts ShapeCritic; 0 = off). --init-from shipped starts from the
 * shipped G and D (models/weights/) instead of a run's checkpoint. --workers 1 computes half of each batch's gradients in
 * a worker thread, on the second core (gan/parallel.ts); a checkpoint keeps its setting.
 */
const GAN_TRAINING = {
  hardNegatives: 0.5,
  hardNegativesFrom: 0,
  condInitScale: 1,
  clipWeight: 1,
  clipMargin: 0.2,
  modeSeeking: 0,
  mbstdGroup: GAN_CONFIG.dMbstdGroup,
  clipUntil: 0,
  infoWeight: 1,
  classWeight: 1,
  bgCritic: 0,
  shapeCritic: 0,
};
const GAN_BATCH = 32;

/** The options train:gan accepts besides the common ones (see GAN_TRAINING's comment). */
export const GAN_OPTIONS = [
  'run',
  'hard-negatives',
  'hard-negatives-from',
  'cond-scale',
  'clip-weight',
  'clip-margin',
  'mode-seeking',
  'mbstd',
  'clip-until',
  'info-weight',
  'place',
  'background',
  'class-weight',
  'init-from',
  'g-trains',
  'bg-critic',
  'shape-critic',
  'workers',
];

/**
 * The shipped G is an exponential moving average of the trained one (ProGAN/StyleGAN), with
 * StyleGAN's ramp: half-life 10% of the steps so far, at most 300 steps. G v5's own weights
 * swung the probe between 67% and 83% from one checkpoint to the next (steps 1,500–3,000).
 */
const GAN_EMA = { maxHalfLife: 300, ramp: 0.1 };

/** Captions of the sample grid's columns: spread over colours, shapes and sizes. */
export const GRID_CAPTIONS = [0, 9, 18, 27, 36 + 64, 45 + 64, 54 + 64, 63 + 64];

export async function trainGan(
  args: TrainArgs,
  opts: { batch?: number; textEncoder?: tf.LayersModel } = {},
): Promise<{ trainer: GanTrainer; generatorAverage: tf.LayersModel; losses: { d: number; g: number }[] }> {
  await initNodeWasm();
  const batch = opts.batch ?? GAN_BATCH;
  const text = opts.textEncoder ?? (await loadModel(join(args.root, 'weights', 'text-encoder'))).model;
  const phiTable = allCaptionEmbeddings(text);
  // A run's name picks its checkpoint and sample directories; runs other than 'gan' (the
  // shipped one) export their weights under checkpoints/<run>/export/ instead of weights/.
  const run = args.options.run ?? 'gan';
  const hard = Number(args.options['hard-negatives'] ?? GAN_TRAINING.hardNegatives);
  const hardFrom = Number(args.options['hard-negatives-from'] ?? GAN_TRAINING.hardNegativesFrom);
  const condScale = Number(args.options['cond-scale'] ?? GAN_TRAINING.condInitScale);
  const clipWeight = Number(args.options['clip-weight'] ?? GAN_TRAINING.clipWeight);
  const clipMargin = Number(args.options['clip-margin'] ?? GAN_TRAINING.clipMargin);
  const modeSeeking = Number(args.options['mode-seeking'] ?? GAN_TRAINING.modeSeeking);
  const mbstdGroup = Number(args.options.mbstd ?? GAN_TRAINING.mbstdGroup);
  const clipUntil = Number(args.options['clip-until'] ?? GAN_TRAINING.clipUntil);
  const background = (args.options.background ?? GAN_CONFIG.gBackground) as GanConfig['gBackground'];
  if (background !== 'gaussian' && background !== 'codes') throw new Error(`--background must be gaussian or codes, not ${String(background)}`);
  const gTrains = args.options['g-trains'] ?? 'all';
  if (gTrains !== 'all' && gTrains !== 'background') throw new Error(`--g-trains must be all or background, not ${gTrains}`);
  const initFrom = args.options['init-from'];
  const layered = GAN_CONFIG.gLayout === 'layered';
  const infoWeight = layered && background === 'gaussian' ? Number(args.options['info-weight'] ?? GAN_TRAINING.infoWeight) : 0;
  const classWeight = layered && background === 'codes' ? Number(args.options['class-weight'] ?? GAN_TRAINING.classWeight) : 0;
  const bgCritic = Number(args.options['bg-critic'] ?? GAN_TRAINING.bgCritic);
  const shapeCritic = Number(args.options['shape-critic'] ?? GAN_TRAINING.shapeCritic);
  if (shapeCritic > 0 && !layered) throw new Error('--shape-critic needs a layered G (its object layer has a mask)');
  const workersGiven = args.options.workers === undefined ? null : Number(args.options.workers);
  if (workersGiven !== null && workersGiven !== 0 && workersGiven !== 1) throw new Error('--workers must be 0 or 1 (this machine has two cores)');
  if (bgCritic > 0 && !(layered && background === 'codes')) throw new Error('--bg-critic needs a G whose background reads codes (--background codes)');
  if (mbstdGroup > 0 && batch % mbstdGroup !== 0) throw new Error(`--mbstd ${mbstdGroup} must divide the batch (${batch})`);
  let guide: ClipGuide | null = null;
  if (clipWeight > 0) {
    const { model: imageEncoder, metadata } = await loadModel(join(args.root, 'weights', 'image-encoder'));
    imageEncoder.trainable = false;
    const logScale = typeof metadata.logScale === 'number' ? metadata.logScale : Math.log(1 / 0.07);
    guide = { imageEncoder, captionEmb: phiTable, logScale, weight: clipWeight, margin: clipMargin, modeSeeking };
  }
  const place = (args.options.place ?? GAN_CONFIG.gPlace) as GanConfig['gPlace'];
  if (place !== 'learnt-range' && place !== 'data-layout') throw new Error(`--place must be learnt-range or data-layout, not ${String(place)}`);
  const gCfg: GanConfig = { ...GAN_CONFIG, gPlace: place, gBackground: background, gRotate: GAN_CONFIG.gRotate && background === 'codes' };
  const G = buildGenerator(gCfg);
  const D = buildDiscriminator({ ...GAN_CONFIG, dMbstdGroup: mbstdGroup });
  seedInit(G, deriveSeed(args.seed, 'init generator'));
  seedInit(D, deriveSeed(args.seed, 'init discriminator'));
  if (place === 'data-layout') {
    const worst = fitLayoutHead(G, phiTable);
    if (!args.quiet)
      console.log(
        `[${run}] layout head fitted to the data set's geometry; largest error per field: ${Object.entries(worst)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ')}`,
      );
  }
  if (condScale !== 1) {
    for (const [net, layer] of [
      [G, 'g_cond'],
      [D, 'd_cond'],
    ] as const) {
      const k = net.getLayer(layer);
      const [w, b] = k.getWeights();
      k.setWeights([tf.mul(w!, condScale), b!]);
    }
  }
  let info: InfoTerm | null = null;
  if (infoWeight > 0) {
    const Q = buildInfoHead(GAN_CONFIG.bgDim);
    seedInit(Q, deriveSeed(args.seed, 'init info head'));
    info = { Q, weight: infoWeight, begin: POSITION_DIMS, size: GAN_CONFIG.bgDim };
  }
  let classes: ClassTerm | null = null;
  if (classWeight > 0) {
    const C = buildClassHead(gCfg.bgCodes);
    seedInit(C, deriveSeed(args.seed, 'init class head'));
    classes = { C, weight: classWeight, begin: POSITION_DIMS, groups: gCfg.bgCodes };
  }
  let critic: BgCritic | null = null;
  if (bgCritic > 0) {
    const groups = [gCfg.bgCodes[0]!, gCfg.bgCodes[1]!] as const;
    const K = buildBgCritic(groups);
    seedInit(K, deriveSeed(args.seed, 'init background critic'));
    critic = { K, weight: bgCritic, begin: POSITION_DIMS, groups };
  }
  let shape: ShapeCritic | null = null;
  if (shapeCritic > 0) {
    const M = buildShapeCritic();
    seedInit(M, deriveSeed(args.seed, 'init shape critic'));
    shape = { M, weight: shapeCritic };
  }
  const starting = args.fresh || !hasCheckpoint(args.root, run);
  if (initFrom !== undefined && starting) {
    const copied = await copyMatchingLayers(args.root, initFrom, { generator_ema: G, discriminator: D, ...(classes ? { class_head: classes.C } : {}) });
    if (!args.quiet) console.log(`[${run}] started from ${initFrom}: ${copied}`);
  }
  // The average pairs G's weights by position, and freezing a layer moves its weights to the
  // end of G's list: pair them first.
  const gEma = new WeightEma(G, buildGenerator(gCfg));
  if (gTrains === 'background') {
    freezeAllButBackground(G);
  }
  const tr = new GanTrainer(G, D, undefined, guide, info, classes, critic, shape);
  const nets = {
    generator: G,
    discriminator: D,
    generator_ema: gEma.model,
    ...(info ? { info_head: info.Q } : {}),
    ...(classes ? { class_head: classes.C } : {}),
    ...(critic ? { bg_critic: critic.K } : {}),
    ...(shape ? { shape_critic: shape.M } : {}),
  };
  /** the step the average started at (0, or the step of a checkpoint saved before G had one) */
  let emaFrom = 0;
  const optimizers = { adamG: tr.optG, adamD: tr.optD, ...(tr.optC ? { adamC: tr.optC } : {}), ...(tr.optK ? { adamK: tr.optK } : {}) };
  let step = 0;
  let cursor = 0;
  let prevElapsed = 0;
  let workers = workersGiven ?? 0;
  /** The numeric training options a checkpoint records and a resumed run must repeat. */
  const numericOptions = {
    hardNegatives: hard,
    hardNegativesFrom: hardFrom,
    condInitScale: condScale,
    clipWeight,
    clipMargin,
    modeSeeking,
    mbstdGroup,
    clipUntil,
    infoWeight,
    classWeight,
    bgCritic,
    shapeCritic,
  };
  if (args.fresh) clearCheckpoint(args.root, run);
  else if (hasCheckpoint(args.root, run)) {
    // Checkpoints from before the option are G v5's ('learnt-range').
    const saved = readCheckpointState(args.root, run).extra;
    const savedPlace = (saved.place as string | undefined) ?? 'learnt-range';
    if (savedPlace !== place) throw new Error(`checkpoint ${run} has a G placed by ${savedPlace}: pass --place ${savedPlace} (or --fresh)`);
    // Checkpoints from before the option are G v5's and v6's ('gaussian').
    const savedBackground = (saved.background as string | undefined) ?? 'gaussian';
    if (savedBackground !== background) throw new Error(`checkpoint ${run} has a G whose background reads ${savedBackground} z: pass --background ${savedBackground} (or --fresh)`);
    // Checkpoints from before the option are G v9's and earlier (no RotateObject).
    const savedRotate = (saved.rotate as boolean | undefined) ?? false;
    if (savedRotate !== gCfg.gRotate) throw new Error(`checkpoint ${run} has a G ${savedRotate ? 'with' : 'without'} the rotation layer: start it again with --fresh`);
    const savedWorkers = (saved.workers as number | undefined) ?? 0;
    if (workersGiven !== null && workersGiven !== savedWorkers) throw new Error(`checkpoint ${run} was trained with --workers ${savedWorkers}: pass it (or --fresh)`);
    workers = savedWorkers;
    const savedTrains = (saved.gTrains as string | undefined) ?? 'all';
    if (savedTrains !== gTrains) throw new Error(`checkpoint ${run} was trained with --g-trains ${savedTrains}: pass it (or --fresh)`);
    const hasEma = existsSync(join(checkpointDir(args.root, run), 'current', 'generator_ema.json'));
    const { generator_ema: _, ...withoutEma } = nets;
    const st = await loadCheckpoint(args.root, run, hasEma ? nets : withoutEma, optimizers);
    const cfg = st.extra as Partial<Record<keyof typeof GAN_TRAINING, number>>;
    const now = numericOptions;
    // A checkpoint whose CLIP term was on throughout (clipUntil 0, or saved before the option
    // existed) agrees with any clipUntil at or after its step.
    const compatible = (k: keyof typeof now) => k === 'clipUntil' && (cfg[k] ?? 0) === 0 && st.step <= clipUntil;
    const differs = (Object.keys(now) as (keyof typeof now)[]).filter((k) => !compatible(k) && (cfg[k] ?? 0) !== now[k]);
    if (differs.length) {
      throw new Error(`checkpoint ${run} was trained with ${differs.map((k) => `${k} ${cfg[k] ?? 0}`).join(', ')}: pass those options (or --fresh)`);
    }
    if (st.seed !== args.seed) throw new Error(`checkpoint was made with --seed ${st.seed}; pass it or use --fresh`);
    ({ step, cursor } = st);
    prevElapsed = st.elapsedSeconds;
    emaFrom = hasEma ? ((st.extra.emaFrom as number | undefined) ?? 0) : step;
    if (!hasEma) gEma.reset(G);
    if (!args.quiet) console.log(`[${run}] resumed at step ${step}${hasEma ? '' : ' (no weight average in the checkpoint: it starts here)'}`);
  }
  /** Step s's batch: the real samples, their captions' φ, the mismatched and interpolated φ, the noises. */
  const batchAt = (rng: Rng, samples: Sample[], s: number) => {
    const labels = samples.map(classesOf);
    const caps = samples.map((x) => captionIndex(x.attributes));
    const wrong = caps.map((c) => wrongCaption(rng, c, s >= hardFrom ? hard : 0));
    const other = caps.map(() => rng.int(0, CAPTION_COUNT - 1));
    return {
      real: pixelsToTensor(samples.map((x) => x.pixels)),
      phi: tf.gather(phiTable, tf.tensor1d(caps, 'int32')) as tf.Tensor2D,
      phiWrong: tf.gather(phiTable, tf.tensor1d(wrong, 'int32')) as tf.Tensor2D,
      phiInt: interpolate(phiTable, caps, other, INT_BETA),
      z: seededNormal(rng, batch, GAN_CONFIG.zDim),
      zInt: seededNormal(rng, batch, GAN_CONFIG.zDim),
      caps: tf.tensor1d(caps, 'int32'),
      ...(guide && modeSeeking > 0 ? { z2: seededNormal(rng, batch, GAN_CONFIG.zDim) } : {}),
      ...(classes || critic ? { classes: tf.tensor2d(labels, [batch, 2], 'int32') } : {}),
      // drawn last, so that runs without the critic keep their random stream
      ...(critic
        ? {
            pairsWrong: tf.tensor1d(
              labels.map(([c0, c1]) => otherPair(rng, c0! * critic.groups[1] + c1!, critic.groups[0] * critic.groups[1])),
              'int32',
            ),
          }
        : {}),
      // the masks the data set rendered the real images with (no random draw)
      ...(shape ? { realMasks: tf.tensor4d(Float32Array.from(samples.flatMap((x) => [...renderMask(x.attributes, x.style)])), [batch, 32, 32, 1]) } : {}),
    };
  };
  if (classes && step === 0) {
    // The class head learns the real classes alone first (train-step.ts ClassTerm), on the
    // run's own first training batches.
    const warmup = Math.min(CLASS_HEAD_WARMUP, args.steps ?? CLASS_HEAD_WARMUP);
    for (let s = 0; s < warmup; s++) {
      const samples = samplesAt(args.seed, 'train', s * batch, batch);
      const real = pixelsToTensor(samples.map((x) => x.pixels));
      const labels = tf.tensor2d(samples.map(classesOf), [batch, 2], 'int32');
      const ce = tr.classStep(real, labels);
      tf.dispose([real, labels]);
      if (!args.quiet && ((s + 1) % 100 === 0 || s + 1 === warmup)) console.log(`[${run}] class head alone on real images, step ${s + 1}/${warmup}: loss ${ce.toFixed(4)}`);
    }
  }
  if ((critic || shape) && step === 0) {
    // The critics learn alone first against the starting G (train-step.ts CRITIC_WARMUP).
    const warmup = Math.min(CRITIC_WARMUP, args.steps ?? CRITIC_WARMUP);
    for (let s = 0; s < warmup; s++) {
      const b = batchAt(createRng(deriveSeed(args.seed, `gan critic warm-up ${s}`)), samplesAt(args.seed, 'train', s * batch, batch), 0);
      const loss = tr.criticWarmStep(b);
      tf.dispose(Object.values(b));
      if (!args.quiet && ((s + 1) % 50 === 0 || s + 1 === warmup)) {
        console.log(
          `[${run}] critics alone, step ${s + 1}/${warmup}:${critic ? ` background critic loss ${loss.critic.toFixed(4)}` : ''}${shape ? ` shape critic loss ${loss.shape.toFixed(4)}` : ''}`,
        );
      }
    }
  }
  const classifierDir = join(args.root, 'weights', 'classifier');
  let classifier = existsSync(join(classifierDir, 'model.json')) ? (await loadModel(classifierDir)).model : null;
  const total = args.steps ?? GAN_STEPS;
  const losses: { d: number; g: number }[] = [];
  const gridRng = createRng(deriveSeed(args.seed, 'gan grid'));
  const gridZ = seededNormal(gridRng, 8, GAN_CONFIG.zDim);

  // D's inference-time minibatch-std constant, from 256 held-out real images (MinibatchStd),
  // rendered once and reused at every checkpoint and the export.
  const calibration: { images?: tf.Tensor4D } = {};
  const calibrate = (): number => {
    calibration.images ??= pixelsToTensor(samplesAt(args.seed, 'val', 0, 256).map((x) => x.pixels));
    return calibrateMinibatchStd(D, calibration.images);
  };

  let worker: GanGradWorker | null = null;
  if (workers > 0) {
    if (info || (guide && modeSeeking > 0)) throw new Error('--workers 1 supports neither the InfoGAN term (--background gaussian) nor --mode-seeking');
    worker = await GanGradWorker.start({
      gCfg,
      dCfg: { ...GAN_CONFIG, dMbstdGroup: mbstdGroup },
      gTrains: gTrains as 'all' | 'background',
      guide: guide ? { encoderDir: join(args.root, 'weights', 'image-encoder'), logScale: guide.logScale, weight: guide.weight, margin: guide.margin } : null,
      phiTable: phiTable.dataSync() as Float32Array,
      classes: classes ? { weight: classes.weight, begin: classes.begin, groups: [...classes.groups] } : null,
      critic: critic ? { weight: critic.weight, begin: critic.begin, groups: [critic.groups[0], critic.groups[1]] } : null,
      shape: shape ? { weight: shape.weight } : null,
    });
    if (!args.quiet) console.log(`[${run}] data-parallel: 2 threads, ${batch / 2} samples each per step`);
  }
  const last = await runLoop(run, step, prevElapsed, args, {
    total,
    logEvery: 25,
    sampleEvery: 250,
    step: async (s) => {
      const b = batchAt(createRng(deriveSeed(args.seed, `gan step ${s}`)), samplesAt(args.seed, 'train', cursor, batch), s);
      cursor += batch;
      const bs = clipUntil > 0 && s >= clipUntil ? { ...b, caps: undefined } : b;
      const l = worker ? await parallelGanStep(tr, worker, bs) : tr.step(bs);
      gEma.update(halfLifeDecay(s + 1, GAN_EMA.maxHalfLife, GAN_EMA.ramp));
      tf.dispose(Object.values(b));
      losses.push({ d: l.d, g: l.g });
      return {
        lossD: l.d,
        lossG: l.g,
        ...(guide ? { clip: l.clip } : {}),
        ...(info ? { info: l.info } : {}),
        ...(classes ? { 'class(real)': l.classReal, 'class(G)': l.classFake } : {}),
        ...(critic ? { 'critic(K)': l.criticD, 'critic(G)': l.criticG } : {}),
        ...(shape ? { 'shape(M)': l.shapeD, 'shape(G)': l.shapeG } : {}),
        'D(real)': l.dReal,
        'D(wrong)': l.dWrong,
        'D(fake)': l.dFake,
      };
    },
    writeSamples: async (s) => {
      if (!classifier && existsSync(join(classifierDir, 'model.json'))) classifier = (await loadModel(classifierDir)).model;
      // Rows: 8 fixed z; columns: 8 captions (GRID_CAPTIONS).
      const imgs = tf.tidy(() => {
        const z = tf.reshape(tf.tile(gridZ.expandDims(1), [1, 8, 1]), [64, GAN_CONFIG.zDim]);
        const phi = tf.gather(
          phiTable,
          tf.tensor1d(
            Array.from({ length: 64 }, (_, i) => GRID_CAPTIONS[i % 8]!),
            'int32',
          ),
        );
        return gEma.model.predict([z, phi]) as tf.Tensor4D;
      });
      writeGrid(samplePath(args.root, run, s), tensorToPixels(imgs), 8);
      imgs.dispose();
      pruneSamples(join(args.root, 'samples', run));
      if (classifier && !args.quiet) {
        // Caption faithfulness on 256 fresh samples (monitoring only; eval:models is the real figure).
        for (const [label, net] of [
          ['', gEma.model],
          [' (G without averaging)', G],
        ] as const) {
          console.log(
            `[${run}] step ${s}: caption faithfulness${label} ${probeFaithfulness(classifier, net, phiTable, deriveSeed(args.seed, `gan monitor ${s}`), classes ? gCfg.bgCodes : null)}`,
          );
        }
      }
    },
    checkpoint: (s, elapsed) => {
      calibrate();
      return saveCheckpoint(args.root, run, nets, optimizers, {
        step: s,
        cursor,
        seed: args.seed,
        extra: {
          place,
          background,
          rotate: gCfg.gRotate,
          gTrains,
          ...(initFrom !== undefined ? { initFrom } : {}),
          emaFrom,
          ...numericOptions,
          workers,
        },
        savedAt: new Date().toISOString(),
        elapsedSeconds: elapsed,
      });
    },
  }).finally(() => worker?.terminate());
  if (last >= total) {
    const out = run === 'gan' ? join(args.root, 'weights') : join(args.root, 'checkpoints', run, 'export');
    const meta = {
      trainedSteps: last,
      seed: args.seed,
      place,
      background,
      rotate: gCfg.gRotate,
      gTrains,
      ...(initFrom !== undefined ? { initFrom } : {}),
      ...numericOptions,
      mbstdCalibrated: calibrate(),
    };
    await saveModel(join(out, 'generator'), gEma.model, { ...meta, zDim: GAN_CONFIG.zDim, weightAverage: { ...GAN_EMA, from: emaFrom } }, { float16: true });
    await saveModel(join(out, 'discriminator'), D, meta, { float16: true });
    if (!args.quiet) console.log(`[${run}] done: weights in ${out}`);
  }
  phiTable.dispose();
  gridZ.dispose();
  calibration.images?.dispose();
  guide?.imageEncoder.dispose();
  info?.Q.dispose();
  classes?.C.dispose();
  critic?.K.dispose();
  shape?.M.dispose();
  return { trainer: tr, generatorAverage: gEma.model, losses };
}

/** A class pair other than `pair`, uniform over the other `pairs` − 1. */
function otherPair(rng: Rng, pair: number, pairs: number): number {
  const w = rng.int(0, pairs - 2);
  return w >= pair ? w + 1 : w;
}

/** A real sample's classes for the class term: [background, pattern] (GAN_CONFIG.bgCodes' order). */
function classesOf(x: Sample): number[] {
  const { background, pattern } = labelsOf(x.attributes, x.style);
  return [background, pattern];
}

/** "83.2% (size 100%, colour 100%, shape 83%)" for 256 seeded random captions. */
function probeFaithfulness(classifier: tf.LayersModel, G: tf.LayersModel, phiTable: tf.Tensor2D, seed: number, codes: readonly number[] | null): string {
  const mrng = createRng(seed);
  const caps = Array.from({ length: 256 }, () => mrng.int(0, CAPTION_COUNT - 1));
  const z = seededNormal(mrng, 256, GAN_CONFIG.zDim);
  const gen = tf.tidy(() => G.predict([z, tf.gather(phiTable, tf.tensor1d(caps, 'int32'))]) as tf.Tensor4D);
  const pred = classify(classifier, gen);
  gen.dispose();
  // With background codes: how often the classifier reads z's own background and pattern.
  let kept = '';
  if (codes) {
    const want = tf.tidy(() => codesOf(tf.slice(z, [0, POSITION_DIMS], [-1, codes.reduce((a, k) => a + k, 0)]) as tf.Tensor2D, codes).arraySync());
    const share = (k: number, got: Int32Array) => ((want.filter((w, i) => w[k] === got[i]).length / 256) * 100).toFixed(0);
    kept = `; z's background ${share(0, pred.background)}%, pattern ${share(1, pred.pattern)}%`;
  }
  z.dispose();
  const per: Record<string, number> = {};
  let all = 0;
  caps.forEach((c, i) => {
    const a = captionFromIndex(c);
    let ok = true;
    for (const k of CAPTION_ATTRIBUTES) {
      const hit = pred[k][i] === indexOfAttr(k, a[k]);
      per[k] = (per[k] ?? 0) + (hit ? 1 / 256 : 0);
      ok &&= hit;
    }
    all += ok ? 1 : 0;
  });
  return `${((all / 256) * 100).toFixed(1)}% (${Object.entries(per)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(', ')})${kept}`;
}

function indexOfAttr(k: (typeof CAPTION_ATTRIBUTES)[number], v: string): number {
  return (CAPTION_VALUES[k] as readonly string[]).indexOf(v);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await trainGan(parseArgs(process.argv.slice(2), GAN_OPTIONS));
}
