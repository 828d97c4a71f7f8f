/**
 * One GAN-CLS + GAN-INT training step (Reed et al. 2016), non-saturating generator loss.
 *
 * Discriminator (maximises L_CLS, here minimised as binary cross-entropy on logits):
 *   L_D = −log D(x, φ(t)) − 0.5·log(1 − D(x, φ(t̂))) − 0.5·log(1 − D(G(z, φ(t)), φ(t)))
 *         − 0.5·log(1 − D(G(z', φ_β), φ_β))
 *   with t̂ a different (wrong) caption and φ_β = β·φ(t1) + (1 − β)·φ(t2), β = 0.5 (GAN-INT):
 *   the three GAN-CLS terms with weights 1, 0.5, 0.5, plus the interpolated fakes as a fake
 *   term of their own (weight 0.5, like the right-text fakes).
 * Generator (non-saturating: maximises log D(G(z))):
 *   L_G = −log D(G(z, φ(t)), φ(t)) − log D(G(z', φ_β), φ_β)
 * The four D inputs run as one batch of 4B for speed.
 *
 * Optional CLIP guidance for G (as in LAFITE and StyleGAN-T): the frozen CLIP pair scores
 * G(z, φ(t)) against all 128 captions and G also minimises λ·CE(softmax(s·cos), t), the
 * image→text half of the CLIP loss. GAN-CLS alone taught size and colour but hardly shape
 * (14–20% over 3,700 steps); the contrastive term names the shape directly. It is a
 * term of G's loss only (with a margin, and a mode-seeking term against the collapse it
 * causes: see ClipGuide); D is trained exactly as above. The evaluation's faithfulness
 * uses a separate classifier trained on real images, so it cannot be gamed through the
 * CLIP image encoder.
 */
import * as tf from '@tensorflow/tfjs';
import { EMBED_DIM } from '../clip/encoders.ts';
import { conv, convTrunk, dense, trainableVars } from '../tf/blocks.ts';
import { codesOf, MinibatchStd } from '../tf/layers.ts';

export interface GanBatch {
  /** real images [B, 32, 32, 3] in [−1, 1] */
  real: tf.Tensor4D;
  /** φ(t) of the real images' captions [B, 64] */
  phi: tf.Tensor2D;
  /** φ(t̂) of mismatched captions [B, 64] */
  phiWrong: tf.Tensor2D;
  /** φ_β = β φ(t1) + (1 − β) φ(t2) [B, 64] */
  phiInt: tf.Tensor2D;
  /** noise for the right-text fakes and the interpolated fakes [B, zDim] each */
  z: tf.Tensor2D;
  zInt: tf.Tensor2D;
  /** caption indices of the batch [B] (int32), for CLIP guidance */
  caps?: tf.Tensor1D;
  /** a second noise for the right-text fakes [B, zDim], for the mode-seeking term */
  z2?: tf.Tensor2D;
  /** the real images' classes for the class term [B, groups] (int32) */
  classes?: tf.Tensor2D;
  /** for the background critic: a class pair other than each real image's own [B] (int32) */
  pairsWrong?: tf.Tensor1D;
  /** for the shape critic: the real images' object masks [B, 32, 32, 1] in [0, 1] (renderMask) */
  realMasks?: tf.Tensor4D;
}

/**
 * G's anti-collapse term (mode seeking, Mao et al. 2019): two noises, one caption; G is
 * paid for images that differ as much as the noises do, L_ms = 1 / (mean|G(z1) − G(z2)| /
 * mean|z1 − z2| + ε). Without it the CLIP term pulls every z to one prototype per caption
 * (seen here: every object centred, whatever z).
 */
const MODE_SEEKING_EPS = 1e-5;

export interface ClipGuide {
  /** the frozen CLIP image encoder (L2-normalised 64-d output) */
  imageEncoder: tf.LayersModel;
  /** φ of all captions, in caption-index order [K, 64] */
  captionEmb: tf.Tensor2D;
  /** the CLIP pair's learned log temperature */
  logScale: number;
  /** λ, the weight of the CLIP term in L_G */
  weight: number;
  /**
   * m: per image, only CE above m counts (max(0, CE − m)): once the pair reads the caption
   * with p ≥ e^(−m), G is left to the adversarial term, which keeps images realistic.
   */
  margin: number;
  /** weight of the mode-seeking term (0 = off) */
  modeSeeking: number;
}

/**
 * InfoGAN's mutual-information term (Chen et al. 2016) on the background part of z: a small
 * head Q reads G's image, average-pooled to 8×8 so that speckle cannot carry the code, and
 * G and Q together minimise weight · mean (Q(pool(G(z))) − z[begin : begin + size])². A G
 * whose background ignores those dims cannot lower it. The head is training-only.
 */
export interface InfoTerm {
  Q: tf.LayersModel;
  weight: number;
  begin: number;
  size: number;
}

export function buildInfoHead(size: number): tf.LayersModel {
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  let h = tf.layers.averagePooling2d({ poolSize: 4, strides: 4, name: 'q_pool' }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.flatten({ name: 'q_flat' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: 64, name: 'q_fc', kernelInitializer: 'glorotNormal' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.2, name: 'q_fc_act' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: size, name: 'q_code', kernelInitializer: 'glorotNormal' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out, name: 'info_head' });
}

/**
 * G v7's class term (AC-GAN, Odena et al. 2017, with a classifier that only ever sees real
 * images): a head C gives, for each group of G's categorical background codes (the
 * background colour and the pattern, OneHotCodes), logits over that group's values. C
 * learns from real images and their labels beside D's update (with its own Adam); in G's
 * update, C must read G(z)'s codes as z's own (the argmax of each group). C never learns
 * from G's images, so G cannot teach it a private code: code k has to look like real
 * class k. The head is training-only; it keeps full resolution because the patterns are
 * 1–2 px marks. A fresh head first learns alone for CLASS_HEAD_WARMUP steps, so that G's
 * term means something from G's first step.
 */
export interface ClassTerm {
  C: tf.LayersModel;
  weight: number;
  /** where the codes start in z, and the number of values of each group */
  begin: number;
  groups: readonly number[];
}

export function buildClassHead(groups: readonly number[]): tf.LayersModel {
  return fullResolutionHead(
    'c',
    groups.reduce((a, k) => a + k, 0),
    'class_head',
  );
}

/**
 * The trunk of the class head and the background critic: conv 3×3 16 at full resolution
 * (the patterns are 1–2 px marks) → conv 3×3/2 32 → conv 3×3/2 32 → flatten → `units`.
 * Flattened, not average-pooled: a pooled head read the patterns at chance after 500 steps
 * on real images, a flattened one at 99% after 300.
 */
function fullResolutionHead(prefix: string, units: number, name: string): tf.LayersModel {
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  let h: tf.SymbolicTensor = x;
  (
    [
      [16, 1],
      [32, 2],
      [32, 2],
    ] as const
  ).forEach(([filters, strides], i) => {
    h = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', name: `${prefix}_conv${i}`, kernelInitializer: 'glorotNormal' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: 0.2, name: `${prefix}_conv${i}_act` }).apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.flatten({ name: `${prefix}_flat` }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units, name: `${prefix}_logits`, kernelInitializer: 'glorotNormal' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out, name });
}

/**
 * The background critic K (opt-in, --bg-critic W): a discriminator for the background
 * alone, conditioned on its class pair (colour × pattern) the way D is on the caption. C
 * (above) only asks that G's image be read as its code; G v7 met that by drawing the dots
 * of its 'dots' code over streaks that no real 'dots' background has (the evaluation's
 * classifier read 30% of them as stripes or plain). K sees G's images and tells them from
 * real ones of the same pair, so such mixtures are fakes to it. It is matching-aware like
 * GAN-CLS: real image + its pair (real), real image + another pair (×0.5), G's image + its
 * codes' pair (×0.5). It keeps full resolution (C's trunk) and gives one logit per pair.
 */
export interface BgCritic {
  K: tf.LayersModel;
  weight: number;
  /** where the codes start in z, and the number of values of each of the two groups */
  begin: number;
  groups: readonly [number, number];
}

export function buildBgCritic(groups: readonly [number, number]): tf.LayersModel {
  return fullResolutionHead('k', groups[0] * groups[1], 'bg_critic');
}

/**
 * The shape critic M (opt-in, --shape-critic W): a discriminator of silhouettes, in the
 * spirit of LR-GAN's mask (Yang et al. 2017). It sees only the object's alpha mask after
 * G places it, never colour or background, and tells it from the real images' own object
 * masks (the data set renders them exactly), conditioned on the caption like D:
 * real mask + its caption (real), real mask + a mismatched caption (×0.5), G's mask + its
 * caption (×0.5). D judges the whole image, where a bell passes for a triangle once colour
 * and background look right; M judges the outline alone, and its minibatch-std channel lets
 * it see a batch of G's masks that all stand upright when real ones turn ±25°.
 */
export interface ShapeCritic {
  M: tf.LayersModel;
  weight: number;
}

export function buildShapeCritic(): tf.LayersModel {
  const mask = tf.input({ shape: [32, 32, 1], name: 'mask' });
  const phi = tf.input({ shape: [EMBED_DIM], name: 'phi' });
  let h = convTrunk(mask, [16, 32, 64], 'm'); // [4, 4, 64]
  h = new MinibatchStd({ groupSize: 4, name: 'm_mbstd' }).apply(h) as tf.SymbolicTensor;
  const c = dense(phi, 16, 'm_cond');
  const tiled = tf.layers
    .reshape({ targetShape: [4, 4, 16], name: 'm_tile' })
    .apply(tf.layers.repeatVector({ n: 16, name: 'm_rep' }).apply(c) as tf.SymbolicTensor) as tf.SymbolicTensor;
  let j = tf.layers.concatenate({ name: 'm_join' }).apply([h, tiled]) as tf.SymbolicTensor;
  j = conv(j, 64, 1, 1, 'm_joint');
  j = tf.layers.flatten({ name: 'm_flat' }).apply(j) as tf.SymbolicTensor;
  const logit = dense(j, 1, 'm_logit', 'linear');
  return tf.model({ inputs: [mask, phi], outputs: logit, name: 'shape_critic' });
}

/** The placed object's alpha [B, 32, 32, 1] from G's placed RGBA layer [B, 32, 32, 4]. */
function alphaOf(rgba: tf.Tensor4D): tf.Tensor4D {
  return tf.slice(rgba, [0, 0, 0, 3], [-1, -1, -1, 1]);
}

/** The class pair index c0·k1 + c1 of classes [B, 2] (int32). */
export function pairOf(classes: tf.Tensor2D, groups: readonly [number, number]): tf.Tensor1D {
  return tf.tidy(() => {
    const [c0, c1] = tf.unstack(tf.cast(classes, 'int32'), 1) as [tf.Tensor1D, tf.Tensor1D];
    return tf.add(tf.mul(c0, tf.scalar(groups[1], 'int32')), c1) as tf.Tensor1D;
  });
}

/** Each row's logit at its pair: logits [B, P], pairs [B] → [B]. */
function logitAt(logits: tf.Tensor2D, pairs: tf.Tensor1D): tf.Tensor1D {
  return tf.sum(tf.mul(logits, tf.oneHot(pairs, logits.shape[1])), 1) as tf.Tensor1D;
}

/** Σ over groups of the softmax cross-entropy of `logits` [B, Σk] against `classes` [B, groups] (int32), mean over B. */
export function groupedCrossEntropy(logits: tf.Tensor2D, classes: tf.Tensor2D, groups: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const parts = tf.split(logits, [...groups], 1);
    const labels = tf.unstack(classes, 1);
    return tf.addN(parts.map((p, i) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels[i]! as tf.Tensor1D, groups[i]!), p))) as tf.Scalar;
  });
}

export interface GanLosses {
  d: number;
  g: number;
  /** mean D probabilities, for monitoring */
  dReal: number;
  dWrong: number;
  dFake: number;
  /** the CLIP guidance term (before λ), NaN without guidance */
  clip: number;
  /** the InfoGAN term (before its weight), NaN without it */
  info: number;
  /** the class term (before its weight) on real images (C's loss) and on G's (G's), NaN without it */
  classReal: number;
  classFake: number;
  /** the background critic's loss (K's) and G's term against it (before its weight), NaN without it */
  criticD: number;
  criticG: number;
  /** the shape critic's loss (M's) and G's term against it (before its weight), NaN without it */
  shapeD: number;
  shapeG: number;
}

/** What a D update reports (GanLosses' D half). */
type DLosses = Pick<GanLosses, 'd' | 'dReal' | 'dWrong' | 'dFake' | 'classReal' | 'criticD' | 'shapeD'>;
/** What a G update reports (GanLosses' G half). */
type GLosses = Pick<GanLosses, 'g' | 'clip' | 'info' | 'classFake' | 'criticG' | 'shapeG'>;

const GAN_LR = 2e-4;
const CLASS_HEAD_LR = 1e-3;
export const CLASS_HEAD_WARMUP = 400;
/**
 * The background critic's rate, 5× D's (two time-scale rule, Heusel et al. 2017): at D's
 * 2e-4 it had not yet told real pairs from wrong ones after 100 steps. A fresh K first
 * learns alone for CRITIC_WARMUP steps against the current G.
 */
const CRITIC_LR = 1e-3;
export const CRITIC_WARMUP = 200;
const GAN_BETA1 = 0.5;

export class GanTrainer {
  readonly G: tf.LayersModel;
  readonly D: tf.LayersModel;
  readonly optG: tf.AdamOptimizer;
  readonly optD: tf.AdamOptimizer;
  /** the variables each optimizer updates, in the order of their gradients */
  readonly gVars: tf.Variable[];
  readonly dVars: tf.Variable[];
  readonly kVars: tf.Variable[];

  readonly guide: ClipGuide | null;
  readonly info: InfoTerm | null;
  readonly classes: ClassTerm | null;
  /** the class head's own optimizer: a plain supervised classifier, at a classifier's rate */
  readonly optC: tf.AdamOptimizer | null;
  readonly critic: BgCritic | null;
  readonly shape: ShapeCritic | null;
  /** the critics' own optimizer (CRITIC_LR): the background critic's and the shape critic's variables, in kVars */
  readonly optK: tf.AdamOptimizer | null;
  /** G with a second output, the placed object layer (RGBA), for the shape critic */
  private readonly gRgba: tf.LayersModel | null;

  constructor(
    G: tf.LayersModel,
    D: tf.LayersModel,
    lr = GAN_LR,
    guide: ClipGuide | null = null,
    info: InfoTerm | null = null,
    classes: ClassTerm | null = null,
    critic: BgCritic | null = null,
    shape: ShapeCritic | null = null,
  ) {
    this.critic = critic;
    this.shape = shape;
    this.optK = critic || shape ? (tf.train.adam(CRITIC_LR, GAN_BETA1, 0.999) as tf.AdamOptimizer) : null;
    this.gRgba = shape ? tf.model({ inputs: G.inputs, outputs: [G.outputs[0]!, G.getLayer('g_place').output as tf.SymbolicTensor] }) : null;
    this.guide = guide;
    this.info = info;
    this.classes = classes;
    this.G = G;
    this.D = D;
    this.optG = tf.train.adam(lr, GAN_BETA1, 0.999) as tf.AdamOptimizer;
    this.optD = tf.train.adam(lr, GAN_BETA1, 0.999) as tf.AdamOptimizer;
    this.gVars = [...trainableVars(G), ...(info ? trainableVars(info.Q) : [])];
    this.dVars = trainableVars(D);
    this.kVars = [...(critic ? trainableVars(critic.K) : []), ...(shape ? trainableVars(shape.M) : [])];
    this.optC = classes ? (tf.train.adam(CLASS_HEAD_LR) as tf.AdamOptimizer) : null;
  }

  /** One discriminator update then one generator update on the same batch. */
  step(b: GanBatch): GanLosses {
    const d = this.dStep(b);
    const { g, clip, info, classFake, criticG, shapeG } = this.gStep(b);
    return { ...d, g, clip, info, classFake, criticG, shapeG };
  }

  /** Discriminator update (L_D above), the background critic's (if any) and the class head's on the real images; G is only run forward. */
  dStep(b: GanBatch): DLosses {
    const r = this.dGradients(b);
    this.applyD(r.d, r.k);
    tf.dispose([...r.d, ...(r.k ?? [])]);
    const classReal = this.classes ? this.classStep(b.real, b.classes!) : NaN;
    return { ...r.losses, classReal };
  }

  /** Generator update (G's loss below), gradients through the current D. */
  gStep(b: GanBatch): GLosses {
    const r = this.gGradients(b);
    this.applyG(r.g);
    tf.dispose(r.g);
    return r.losses;
  }

  /**
   * The gradients of L_D (in `dVars` order) and of the background critic's loss (in
   * `kVars` order), on one set of G's images; nothing is updated. Each loss is a mean
   * over the batch, so the mean of two halves' gradients is the whole batch's (parallel.ts).
   */
  dGradients(b: GanBatch): { d: tf.Tensor[]; k: tf.Tensor[] | null; losses: Omit<DLosses, 'classReal'> } {
    const n = b.real.shape[0];
    if (this.classes && !b.classes) throw new Error("the class term needs the real images' classes (GanBatch.classes)");
    const critic = this.critic;
    if (critic && (!b.classes || !b.pairsWrong)) throw new Error("the background critic needs the real images' classes and other pairs (GanBatch.classes, pairsWrong)");
    if (this.shape && !b.realMasks) throw new Error("the shape critic needs the real images' masks (GanBatch.realMasks)");
    let out: { d: tf.Tensor[]; k: tf.Tensor[] | null; losses: Omit<DLosses, 'classReal'> } | null = null;
    tf.tidy(() => {
      const zAll = tf.concat([b.z, b.zInt], 0) as tf.Tensor2D;
      const { image: fakes, rgba } = this.draw(zAll, tf.concat([b.phi, b.phiInt], 0) as tf.Tensor2D);
      const xs = tf.concat([b.real, b.real, fakes], 0);
      const phis = tf.concat([b.phi, b.phiWrong, b.phi, b.phiInt], 0);
      let probs: number[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const logits = (this.D.apply([xs, phis], { training: true }) as tf.Tensor).reshape([4, n]);
        const [lr, lw, lf, li] = tf.unstack(logits, 0) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        probs = [lr, lw, lf].map((l) => tf.sigmoid(l).mean().dataSync()[0]!);
        const real = tf.softplus(tf.neg(lr)).mean();
        const wrong = tf.softplus(lw).mean();
        const fake = tf.softplus(lf).mean();
        const fakeInt = tf.softplus(li).mean();
        return real.add(wrong.mul(0.5)).add(fake.mul(0.5)).add(fakeInt.mul(0.5)) as tf.Scalar;
      }, this.dVars);
      const k = critic || this.shape ? this.criticGradients(b, fakes, rgba, zAll) : null;
      out = {
        d: this.dVars.map((v) => tf.keep(grads[v.name]!)),
        k: k ? k.grads.map((g) => tf.keep(g)) : null,
        losses: { d: value.dataSync()[0]!, dReal: probs[0]!, dWrong: probs[1]!, dFake: probs[2]!, criticD: k ? k.criticLoss : NaN, shapeD: k ? k.shapeLoss : NaN },
      };
    });
    return out!;
  }

  /** Applies gradients from dGradients: one Adam step of D, and of the background critic. */
  applyD(d: readonly tf.Tensor[], k: readonly tf.Tensor[] | null): void {
    this.optD.applyGradients(named(this.dVars, d));
    if (k) this.optK!.applyGradients(named(this.kVars, k));
  }

  /** Applies gradients from gGradients: one Adam step of G. */
  applyG(g: readonly tf.Tensor[]): void {
    this.optG.applyGradients(named(this.gVars, g));
  }

  /** One update of the class head on real images and their classes [B, groups]; returns its loss. */
  classStep(real: tf.Tensor4D, classes: tf.Tensor2D): number {
    const term = this.classes;
    if (!term) throw new Error('this trainer has no class term');
    return tf.tidy(() => {
      const ce = this.optC!.minimize(() => groupedCrossEntropy(term.C.apply(real, { training: true }) as tf.Tensor2D, classes, term.groups), true, trainableVars(term.C))!;
      return ce.dataSync()[0]!;
    });
  }

  /** One update of the critics alone, on G's images of the batch's z and z_int (their warm-up); returns their losses. */
  criticWarmStep(b: GanBatch): { critic: number; shape: number } {
    const r = tf.tidy(() => {
      const z = tf.concat([b.z, b.zInt], 0) as tf.Tensor2D;
      const { image, rgba } = this.draw(z, tf.concat([b.phi, b.phiInt], 0) as tf.Tensor2D);
      const k = this.criticGradients(b, image, rgba, z);
      return { grads: k.grads, losses: tf.tensor1d([k.criticLoss, k.shapeLoss]) };
    });
    this.optK!.applyGradients(named(this.kVars, r.grads));
    const [critic, shape] = r.losses.dataSync();
    tf.dispose([...r.grads, r.losses]);
    return { critic: critic!, shape: shape! };
  }

  /** G's images (and, with the shape critic, its placed object layer) for noises z and text φ. */
  private draw(z: tf.Tensor2D, phi: tf.Tensor2D): { image: tf.Tensor4D; rgba: tf.Tensor4D | null } {
    if (!this.gRgba) return { image: this.G.apply([z, phi], { training: true }) as tf.Tensor4D, rgba: null };
    const [image, rgba] = this.gRgba.apply([z, phi], { training: true }) as tf.Tensor4D[];
    return { image: image!, rgba: rgba! };
  }

  /**
   * The critics' losses and gradients (in kVars order): the background critic's (BgCritic)
   * on real images and G's images `fakes` of noises `z`; the shape critic's (ShapeCritic) on
   * the real masks and the masks of G's right-text fakes (the first B rows of `rgba`). The
   * two share no variable, so one gradient of their sum is each one's own.
   */
  private criticGradients(b: GanBatch, fakes: tf.Tensor4D, rgba: tf.Tensor4D | null, z: tf.Tensor2D): { grads: tf.Tensor[]; criticLoss: number; shapeLoss: number } {
    const k = this.critic;
    const m = this.shape;
    const n = b.real.shape[0];
    const pairReal = k ? pairOf(b.classes!, k.groups) : null;
    const pairFake = k ? pairOf(codesOf(tf.slice(z, [0, k.begin], [-1, k.groups[0] + k.groups[1]]) as tf.Tensor2D, k.groups), k.groups) : null;
    let criticLoss = NaN;
    let shapeLoss = NaN;
    const { grads } = tf.variableGrads(() => {
      let total = tf.scalar(0);
      if (k) {
        const logits = k.K.apply(tf.concat([b.real, fakes], 0), { training: true }) as tf.Tensor2D;
        const onReal = tf.slice(logits, [0, 0], [n, -1]) as tf.Tensor2D;
        const onFake = tf.slice(logits, [n, 0], [-1, -1]) as tf.Tensor2D;
        const real = tf.softplus(tf.neg(logitAt(onReal, pairReal!))).mean();
        const wrong = tf.softplus(logitAt(onReal, b.pairsWrong!)).mean();
        const fake = tf.softplus(logitAt(onFake, pairFake!)).mean();
        const lk = real.add(wrong.mul(0.5)).add(fake.mul(0.5)) as tf.Scalar;
        criticLoss = lk.dataSync()[0]!;
        total = total.add(lk);
      }
      if (m) {
        const fakeMasks = alphaOf(tf.slice(rgba!, [0, 0, 0, 0], [n, -1, -1, -1]));
        const masks = tf.concat([b.realMasks!, b.realMasks!, fakeMasks], 0);
        const phis = tf.concat([b.phi, b.phiWrong, b.phi], 0);
        const [lr, lw, lf] = tf.unstack((m.M.apply([masks, phis], { training: true }) as tf.Tensor).reshape([3, n]), 0) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const lm = tf.softplus(tf.neg(lr)).mean().add(tf.softplus(lw).mean().mul(0.5)).add(tf.softplus(lf).mean().mul(0.5)) as tf.Scalar;
        shapeLoss = lm.dataSync()[0]!;
        total = total.add(lm);
      }
      return total as tf.Scalar;
    }, this.kVars);
    return { grads: this.kVars.map((v) => grads[v.name]!), criticLoss, shapeLoss };
  }

  /** The gradients of G's loss (non-saturating L_G above, + λ·CLIP term and the background terms) in `gVars` order; nothing is updated. */
  gGradients(b: GanBatch): { g: tf.Tensor[]; losses: GLosses } {
    const n = b.real.shape[0];
    const guide = this.guide && b.caps ? this.guide : null;
    const infoTerm = this.info;
    const classTerm = this.classes;
    const critic = this.critic;
    const shape = this.shape;
    let out: { g: tf.Tensor[]; losses: GLosses } | null = null;
    tf.tidy(() => {
      const zAll = tf.concat([b.z, b.zInt], 0);
      const phiG = tf.concat([b.phi, b.phiInt], 0);
      const codes = classTerm ? codesOf(tf.slice(zAll, [0, classTerm.begin], [-1, classTerm.groups.reduce((a, k) => a + k, 0)]) as tf.Tensor2D, classTerm.groups) : null;
      let clip = NaN;
      let info = NaN;
      let classFake = NaN;
      let criticG = NaN;
      let shapeG = NaN;
      const pairG = critic ? pairOf(codesOf(tf.slice(zAll, [0, critic.begin], [-1, critic.groups[0] + critic.groups[1]]) as tf.Tensor2D, critic.groups), critic.groups) : null;
      const { value, grads } = tf.variableGrads(() => {
        const { image: f, rgba } = this.draw(zAll as tf.Tensor2D, phiG as tf.Tensor2D);
        const logits = (this.D.apply([f, phiG], { training: true }) as tf.Tensor).reshape([2, n]);
        let adv = tf.softplus(tf.neg(logits)).mean(1).sum() as tf.Scalar;
        if (infoTerm) {
          const code = tf.slice(zAll, [0, infoTerm.begin], [-1, infoTerm.size]);
          const mse = tf.square(tf.sub(infoTerm.Q.apply(f) as tf.Tensor2D, code)).mean() as tf.Scalar;
          info = mse.dataSync()[0]!;
          adv = adv.add(mse.mul(infoTerm.weight)) as tf.Scalar;
        }
        if (classTerm) {
          // C's weights are not in G's variables: this term moves G only.
          const ce = groupedCrossEntropy(classTerm.C.apply(f) as tf.Tensor2D, codes!, classTerm.groups);
          classFake = ce.dataSync()[0]!;
          adv = adv.add(ce.mul(classTerm.weight)) as tf.Scalar;
        }
        if (critic) {
          // K's weights are not in G's variables either: non-saturating, like G's D term.
          const lk = tf.softplus(tf.neg(logitAt(critic.K.apply(f) as tf.Tensor2D, pairG!))).mean() as tf.Scalar;
          criticG = lk.dataSync()[0]!;
          adv = adv.add(lk.mul(critic.weight)) as tf.Scalar;
        }
        if (shape) {
          // Only the right-text fakes: an interpolated φ_β names no real shape.
          const masks = alphaOf(tf.slice(rgba!, [0, 0, 0, 0], [n, -1, -1, -1]));
          const lm = tf.softplus(tf.neg(shape.M.apply([masks, b.phi], { training: true }) as tf.Tensor)).mean() as tf.Scalar;
          shapeG = lm.dataSync()[0]!;
          adv = adv.add(lm.mul(shape.weight)) as tf.Scalar;
        }
        if (!guide) return adv;
        const f1 = f.slice([0, 0, 0, 0], [n, -1, -1, -1]);
        const emb = guide.imageEncoder.apply(f1) as tf.Tensor2D;
        const sim = tf.matMul(emb, guide.captionEmb, false, true).mul(Math.exp(guide.logScale));
        const target = tf.oneHot(b.caps!, guide.captionEmb.shape[0]);
        const ce = tf.losses.softmaxCrossEntropy(target, sim, undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D;
        clip = ce.mean().dataSync()[0]!;
        let loss = adv.add(tf.relu(ce.sub(guide.margin)).mean().mul(guide.weight)) as tf.Scalar;
        if (guide.modeSeeking > 0 && b.z2) {
          const f2 = this.G.apply([b.z2, b.phi], { training: true }) as tf.Tensor4D;
          const ratio = tf
            .abs(tf.sub(f1, f2))
            .mean()
            .div(tf.abs(tf.sub(b.z, b.z2)).mean());
          loss = loss.add(tf.div(guide.modeSeeking, ratio.add(MODE_SEEKING_EPS))) as tf.Scalar;
        }
        return loss;
      }, this.gVars);
      out = { g: this.gVars.map((v) => tf.keep(grads[v.name]!)), losses: { g: value.dataSync()[0]!, clip, info, classFake, criticG, shapeG } };
    });
    return out!;
  }
}

/** Gradients in the order of `vars` → what Optimizer.applyGradients takes. */
function named(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): { name: string; tensor: tf.Tensor }[] {
  if (vars.length !== grads.length) throw new Error(`${grads.length} gradients for ${vars.length} variables`);
  return vars.map((v, i) => ({ name: v.name, tensor: grads[i]! }));
}
