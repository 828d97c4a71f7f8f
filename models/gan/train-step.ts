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
import { trainableVars } from '../tf/blocks.ts';
import { codesOf } from '../tf/layers.ts';

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
}

/**
 * G's anti-collapse term (mode seeking, Mao et al. 2019): two noises, one caption; G is
 * paid for images that differ as much as the noises do, L_ms = 1 / (mean|G(z1) − G(z2)| /
 * mean|z1 − z2| + ε). Without it the CLIP term pulls every z to one prototype per caption
 * (seen here: every object centred, whatever z).
 */
export const MODE_SEEKING_EPS = 1e-5;

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
  const x = tf.input({ shape: [32, 32, 3], name: 'image' });
  let h: tf.SymbolicTensor = x;
  ([[16, 1], [32, 2], [32, 2]] as const).forEach(([filters, strides], i) => {
    h = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', name: `c_conv${i}`, kernelInitializer: 'glorotNormal' }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: 0.2, name: `c_conv${i}_act` }).apply(h) as tf.SymbolicTensor;
  });
  // Flattened, not average-pooled: a pooled head read the patterns at chance after 500 steps
  // on real images, a flattened one at 99% after 300.
  h = tf.layers.flatten({ name: 'c_flat' }).apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: groups.reduce((a, k) => a + k, 0), name: 'c_logits', kernelInitializer: 'glorotNormal' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out, name: 'class_head' });
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
}

export const GAN_LR = 2e-4;
export const CLASS_HEAD_LR = 1e-3;
export const CLASS_HEAD_WARMUP = 400;
export const GAN_BETA1 = 0.5;

export class GanTrainer {
  readonly G: tf.LayersModel;
  readonly D: tf.LayersModel;
  readonly optG: tf.AdamOptimizer;
  readonly optD: tf.AdamOptimizer;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  readonly guide: ClipGuide | null;
  readonly info: InfoTerm | null;
  readonly classes: ClassTerm | null;
  /** the class head's own optimizer: a plain supervised classifier, at a classifier's rate */
  readonly optC: tf.AdamOptimizer | null;

  constructor(G: tf.LayersModel, D: tf.LayersModel, lr = GAN_LR, guide: ClipGuide | null = null, info: InfoTerm | null = null, classes: ClassTerm | null = null) {
    this.guide = guide;
    this.info = info;
    this.classes = classes;
    this.G = G;
    this.D = D;
    this.optG = tf.train.adam(lr, GAN_BETA1, 0.999) as tf.AdamOptimizer;
    this.optD = tf.train.adam(lr, GAN_BETA1, 0.999) as tf.AdamOptimizer;
    this.gVars = [...trainableVars(G), ...(info ? trainableVars(info.Q) : [])];
    this.dVars = trainableVars(D);
    this.optC = classes ? (tf.train.adam(CLASS_HEAD_LR) as tf.AdamOptimizer) : null;
  }

  /** One discriminator update then one generator update on the same batch. */
  step(b: GanBatch): GanLosses {
    const d = this.dStep(b);
    const { g, clip, info, classFake } = this.gStep(b);
    return { ...d, g, clip, info, classFake };
  }

  /** Discriminator update (L_D above) and the class head's update on the real images; G is only run forward. */
  dStep(b: GanBatch): Omit<GanLosses, 'g' | 'clip' | 'info' | 'classFake'> {
    const n = b.real.shape[0];
    const term = this.classes;
    if (term && !b.classes) throw new Error('the class term needs the real images\' classes (GanBatch.classes)');
    return tf.tidy(() => {
      let classReal = NaN;
      const fakes = this.G.apply([tf.concat([b.z, b.zInt], 0), tf.concat([b.phi, b.phiInt], 0)], { training: true }) as tf.Tensor4D;
      const xs = tf.concat([b.real, b.real, fakes], 0);
      const phis = tf.concat([b.phi, b.phiWrong, b.phi, b.phiInt], 0);
      let probs: number[] = [];
      const dLoss = this.optD.minimize(
        () => {
          const logits = (this.D.apply([xs, phis], { training: true }) as tf.Tensor).reshape([4, n]);
          const [lr, lw, lf, li] = tf.unstack(logits, 0) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          probs = [lr, lw, lf].map((l) => tf.sigmoid(l).mean().dataSync()[0]!);
          const real = tf.softplus(tf.neg(lr)).mean();
          const wrong = tf.softplus(lw).mean();
          const fake = tf.softplus(lf).mean();
          const fakeInt = tf.softplus(li).mean();
          return real.add(wrong.mul(0.5)).add(fake.mul(0.5)).add(fakeInt.mul(0.5)) as tf.Scalar;
        },
        true,
        this.dVars,
      )!;
      if (term) classReal = this.classStep(b.real, b.classes!);
      return { d: dLoss.dataSync()[0]!, dReal: probs[0]!, dWrong: probs[1]!, dFake: probs[2]!, classReal };
    });
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

  /** Generator update (non-saturating L_G above, + λ·CLIP term), gradients through the current D. */
  gStep(b: GanBatch): { g: number; clip: number; info: number; classFake: number } {
    const n = b.real.shape[0];
    const guide = this.guide && b.caps ? this.guide : null;
    const infoTerm = this.info;
    const classTerm = this.classes;
    return tf.tidy(() => {
      const zAll = tf.concat([b.z, b.zInt], 0);
      const phiG = tf.concat([b.phi, b.phiInt], 0);
      const codes = classTerm
        ? codesOf(tf.slice(zAll, [0, classTerm.begin], [-1, classTerm.groups.reduce((a, k) => a + k, 0)]) as tf.Tensor2D, classTerm.groups)
        : null;
      let clip = NaN;
      let info = NaN;
      let classFake = NaN;
      const gLoss = this.optG.minimize(
        () => {
          const f = this.G.apply([zAll, phiG], { training: true }) as tf.Tensor4D;
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
            const ratio = tf.abs(tf.sub(f1, f2)).mean().div(tf.abs(tf.sub(b.z, b.z2)).mean());
            loss = loss.add(tf.div(guide.modeSeeking, ratio.add(MODE_SEEKING_EPS))) as tf.Scalar;
          }
          return loss;
        },
        true,
        this.gVars,
      )!;
      return { g: gLoss.dataSync()[0]!, clip, info, classFake };
    });
  }
}
