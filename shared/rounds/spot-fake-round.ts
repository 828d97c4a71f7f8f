import { z } from 'zod';
import { makeSample, parseCaption, renderImage, sampleStyle } from '../dataset/index.ts';
import { randomCaption } from './caption-pairs.ts';
import type { RoundDraws } from '../random.ts';
import { DIFFICULTIES, FAKE_SOURCES, recipeFor, type Difficulty, type FakeSource, type NeuralOpponents, type RenderRecipe } from '../render/recipes.ts';
import { answerToD, CONFIDENCES, LOG_SCORE_FORMULA, logScore, NOT_SURE, offeredStep, valueTerm } from './log-score.ts';
import { checkAnsweredIds, imageAnswersSchema } from './answered-ids.ts';
import { serveImage } from '../render/served-image.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';
import { afterRound, EQUILIBRIUM_VALUE, nextCandidates, type AdversaryCandidate, type AdversaryMemory, type AdversaryRound } from './adversary.ts';
import { imageIds } from './image-ids.ts';

/** The largest generator team a host may ask for (the playlist's editor reads it too). */
export const GENERATOR_TEAM_MAX = 4;

/** "Spot the fake": every player is the discriminator D of the GAN minimax game. */
const spotFakeOptionsSchema = z
  .object({
    images: z.number().int().min(2).max(8),
    source: z.enum(FAKE_SOURCES),
    difficulty: z.enum(DIFFICULTIES),
    /** Players who play G this round: they pick which z to submit, and score when D is fooled. */
    generators: z.number().int().min(0).max(GENERATOR_TEAM_MAX).default(0),
    /** G plays back: across the game's adversarial rounds G searches for fakes that fool the class (adversary.ts). */
    adversarial: z.boolean().default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.adversarial && o.source !== 'gan')
      ctx.addIssue({ code: 'custom', path: ['adversarial'], message: 'the generator that plays back is the GAN: choose fakes from the GAN' });
    if (o.adversarial && o.generators > 0) ctx.addIssue({ code: 'custom', path: ['adversarial'], message: 'with a generator team the players are G: turn one of them off' });
  });
type SpotFakeOptions = z.infer<typeof spotFakeOptionsSchema>;
const SPOT_FAKE_DEFAULTS: SpotFakeOptions = { images: 4, source: 'gan', difficulty: 'medium', generators: 0, adversarial: false };
/** A perfect discriminator answer earns just under this; G earns what D leaves of it. */
/** Zero-sum with D: G earns what D's log score did not (D's best is 100 per image). */
const GENERATOR_UNIT = 100;

interface SpotFakeImage {
  id: string;
  real: boolean;
  caption: string;
  pixels: Uint8Array;
  /** Index into the round's render jobs, for fakes. */
  job: number | null;
}
export interface SpotFakeSecret {
  images: SpotFakeImage[];
  source: FakeSource;
  difficulty: Difficulty;
  /** The trained discriminator's D(x, φ(t)) per image id, filled in before the reveal. */
  neural: Record<string, number> | null;
  /** Adversarial rounds: each fake's z and ψ by image id, and the series so far. */
  adversary?: { candidates: Record<string, AdversaryCandidate>; history: AdversaryRound[] };
}
export interface SpotFakeQuestion {
  kind: 'spot-fake';
  images: { id: string; caption: string; pixels: Uint8Array }[];
  confidences: readonly number[];
}
interface SpotFakeAnswer {
  answers: { id: string; real: boolean; confidence: number }[];
}
export interface SpotFakeReveal {
  kind: 'spot-fake';
  source: FakeSource;
  images: {
    id: string;
    real: boolean;
    caption: string;
    pixels: Uint8Array;
    /** Mean D over the class's answers, and how many said real / fake / not sure. */
    classD: number | null;
    saidReal: number;
    saidFake: number;
    notSure: number;
    neuralD: number | null;
    /** Who this image fooled (a fake called real, or a real called fake). */
    fooled: string[];
  }[];
  /** V(D,G) estimated from the class's answers and from the neural D, in nats; −log 4 at the equilibrium. */
  classValue: number | null;
  neuralValue: number | null;
  equilibriumValue: number;
  players: { playerId: string; nickname: string; points: number; correct: number }[];
  /** Adversarial rounds: the series so far, this round last (V(D,G) and fool rate per round). */
  adversary: AdversaryRound[] | null;
  /** The generator team: whose fake each was, whom it fooled, and the zero-sum points. */
  generators: { playerId: string; nickname: string; imageId: string; points: number; fooled: string[] }[];
}

function fakeCount(images: number): number {
  return Math.floor(images / 2);
}

interface LayoutItem {
  id: string;
  isFake: boolean;
  caption: string;
  /** a real image's pixels (before serving) */
  pixels: Uint8Array | null;
  fakeSeed: number;
  /** adversarial rounds: the fake G's search proposed */
  candidate: AdversaryCandidate | null;
}

/** Which images are fakes and their captions: the same every time from the same draws. */
function layout(draws: RoundDraws, options: SpotFakeOptions, memory: AdversaryMemory | null): LayoutItem[] {
  if (options.adversarial) return adversarialLayout(draws, options, memory);
  const rng = draws.stream('spot-fake');
  const fakes = fakeCount(options.images);
  const order = rng.shuffle(Array.from({ length: options.images }, (_, i) => i < fakes));
  const ids = imageIds(draws.stream('ids'), options.images);
  return order.map((isFake, i) => {
    const sample = makeSample(rng.int(0, 0x7fffffff));
    return { id: ids[i]!, isFake, caption: sample.caption, pixels: isFake ? null : sample.pixels, fakeSeed: rng.int(0, 0x7fffffff), candidate: null };
  });
}

/**
 * An adversarial round: G's candidates as the fakes, and beside each a real image of the same
 * caption (a fresh style), so that the captions G's search settles on are no tell.
 */
function adversarialLayout(draws: RoundDraws, options: SpotFakeOptions, memory: AdversaryMemory | null): LayoutItem[] {
  const rng = draws.stream('spot-fake');
  const candidates = nextCandidates(memory, draws.stream('adversary'), fakeCount(options.images), () => randomCaption(rng).caption);
  const items: Omit<LayoutItem, 'id'>[] = candidates.flatMap((candidate) => [
    { isFake: true, caption: candidate.caption, pixels: null, fakeSeed: rng.int(0, 0x7fffffff), candidate },
    { isFake: false, caption: candidate.caption, pixels: renderImage(parseCaption(candidate.caption)!, sampleStyle(rng)), fakeSeed: 0, candidate: null },
  ]);
  while (items.length < options.images) {
    const sample = makeSample(rng.int(0, 0x7fffffff));
    items.push({ isFake: false, caption: sample.caption, pixels: sample.pixels, fakeSeed: 0, candidate: null });
  }
  const ids = imageIds(draws.stream('ids'), options.images);
  return rng.shuffle(items).map((item, i) => ({ id: ids[i]!, ...item }));
}

export const spotFakeRound = defineRound<SpotFakeSecret, SpotFakeQuestion, SpotFakeAnswer, SpotFakeReveal, SpotFakeOptions, AdversaryMemory>({
  type: 'spot-fake',
  title: 'Spot the fake',
  blurb: 'You are the discriminator D. Real data-set image or generator fake? Say how sure you are.',
  optionsSchema: spotFakeOptionsSchema,
  defaultOptions: SPOT_FAKE_DEFAULTS,
  answerSchema: imageAnswersSchema({ real: z.boolean(), confidence: offeredStep(CONFIDENCES) }),
  formula: LOG_SCORE_FORMULA,

  renderJobs(draws, options, memory) {
    return layout(draws, options, memory ?? null)
      .filter((item) => item.isFake)
      .map((item): RenderRecipe => {
        const c = item.candidate;
        // G's search chose z and ψ itself: no difficulty pick on top.
        return c
          ? { model: 'gan', caption: item.caption, zSeed: item.fakeSeed, truncation: c.psi, z: c.z }
          : recipeFor(options.source, options.difficulty, item.caption, item.fakeSeed);
      });
  },

  prepare(draws, options, renders, memory) {
    let job = 0;
    // Reals and fakes alike go through the served-image pipeline: the bytes do not tell.
    const serve = draws.stream('serve');
    const items = layout(draws, options, memory ?? null);
    const images: SpotFakeImage[] = items.map((item) => {
      if (!item.isFake) return { id: item.id, real: true, caption: item.caption, pixels: serveImage(item.pixels!, serve), job: null };
      const pixels = renders[job];
      if (!pixels) throw new Error('spot-fake: a fake was not rendered');
      return { id: item.id, real: false, caption: item.caption, pixels: serveImage(pixels, serve), job: job++ };
    });
    return {
      secret: {
        images,
        source: options.source,
        difficulty: options.difficulty,
        neural: null,
        ...(options.adversarial
          ? { adversary: { candidates: Object.fromEntries(items.flatMap((it) => (it.candidate ? [[it.id, it.candidate]] : []))), history: memory?.history ?? [] } }
          : {}),
      },
      question: {
        kind: 'spot-fake',
        images: images.map(({ id, caption, pixels }) => ({ id, caption, pixels })),
        confidences: CONFIDENCES,
      },
    };
  },

  validateAnswer: (secret, answer) => checkAnsweredIds(answer.answers, secret.images, 'image'),

  score(secret, answer): ScoreBreakdown {
    let sum = 0;
    for (const a of answer.answers) {
      const image = secret.images.find((im) => im.id === a.id)!;
      const d = answerToD(a.real, a.confidence);
      sum += logScore(image.real ? d : 1 - d);
    }
    // Rounded once per answer, not per image, so rounding cannot tip which answer pays best.
    const points = Math.round(sum);
    return { points, accuracy: points, speedBonus: 0 };
  },

  generatorCount: (options) => options.generators,

  generatorPoints(secret, job, answers) {
    const image = secret.images.find((im) => im.job === job);
    if (!image) return 0;
    const dPoints = answers.flatMap((a) => {
      const given = a.answer.answers.find((x) => x.id === image.id);
      return given ? [logScore(1 - answerToD(given.real, given.confidence))] : [];
    });
    if (!dPoints.length) return 0;
    // Zero-sum, as in min_G max_D V(D,G): G earns what the discriminators did not.
    return Math.round(dPoints.reduce((sum, p) => sum + (GENERATOR_UNIT - p), 0) / dPoints.length);
  },

  async neural(secret, opponents: NeuralOpponents) {
    const d = await opponents.discriminate(
      secret.images.map((im) => im.pixels),
      secret.images.map((im) => im.caption),
    );
    secret.neural = Object.fromEntries(secret.images.map((im, i) => [im.id, d[i]!]));
  },

  reveal(secret, answers, generators) {
    const neuralTerms: number[] = [];
    const images = secret.images.map((im) => {
      let sum = 0;
      let saidReal = 0;
      let saidFake = 0;
      let notSure = 0;
      const fooled: string[] = [];
      for (const a of answers) {
        const given = a.answer.answers.find((x) => x.id === im.id);
        if (!given) continue;
        const d = answerToD(given.real, given.confidence);
        sum += d;
        if (given.confidence === NOT_SURE) notSure++;
        else if (given.real) saidReal++;
        else saidFake++;
        if (given.confidence !== NOT_SURE && given.real !== im.real) fooled.push(a.nickname);
      }
      const n = saidReal + saidFake + notSure;
      const neuralD = secret.neural?.[im.id] ?? null;
      if (neuralD !== null) neuralTerms.push(valueTerm(im.real, neuralD));
      return { id: im.id, real: im.real, caption: im.caption, pixels: im.pixels, classD: n ? sum / n : null, saidReal, saidFake, notSure, neuralD, fooled };
    });
    return {
      kind: 'spot-fake',
      source: secret.source,
      images,
      classValue: valueEstimate(secret, answers),
      neuralValue: neuralTerms.length ? valueFromTerms(secret, (im) => secret.neural?.[im.id] ?? null) : null,
      adversary: secret.adversary ? [...secret.adversary.history, { round: secret.adversary.history.length + 1, ...seriesEntry(secret, answers) }] : null,
      equilibriumValue: EQUILIBRIUM_VALUE,
      players: answers.map((a) => ({
        playerId: a.playerId,
        nickname: a.nickname,
        points: a.points,
        correct: a.answer.answers.filter((x) => x.confidence !== NOT_SURE && secret.images.find((im) => im.id === x.id)?.real === x.real).length,
      })),
      generators: generators.map((g) => {
        const image = images.find((im) => secret.images.find((s) => s.id === im.id)?.job === g.job)!;
        return { playerId: g.playerId, nickname: g.nickname, imageId: image.id, points: g.points, fooled: image.fooled };
      }),
    };
  },

  series: {
    active: (options) => options.adversarial,
    after(memory, secret, answers) {
      const judged = Object.entries(secret.adversary?.candidates ?? {}).map(([id, c]) => ({ ...c, fitness: realnessToJudges(secret, answers, id) }));
      return afterRound(memory, judged, seriesEntry(secret, answers));
    },
    shown: (memory) => memory.history,
  },

  formatAnswer: (answer) => answer.answers.map((a) => `${a.id}:${a.confidence === NOT_SURE ? 'not sure' : a.real ? 'real' : 'fake'}@${a.confidence}`).join(' '),
  formatTruth: (secret) => secret.images.map((im) => `${im.id}:${im.real ? 'real' : 'fake'}`).join(' '),
});

/**
 * How real the judges found a fake: the mean D of the class's answers on it. With one player
 * or none (solo), the neural D judges beside them: solo plays against the neural D.
 */
function realnessToJudges(secret: SpotFakeSecret, answers: readonly { answer: SpotFakeAnswer }[], id: string): number {
  const ds = answers.flatMap((a) => a.answer.answers.filter((x) => x.id === id).map((x) => answerToD(x.real, x.confidence)));
  const neural = secret.neural?.[id];
  if (answers.length <= 1 && neural !== undefined) ds.push(neural);
  return ds.length ? ds.reduce((s, d) => s + d, 0) / ds.length : 0.5;
}

/** This round's point of the series: V(D,G) and the fool rate, from the class and from the neural D. */
function seriesEntry(secret: SpotFakeSecret, answers: readonly { answer: SpotFakeAnswer }[]): Omit<AdversaryRound, 'round'> {
  const fakes = secret.images.filter((im) => !im.real);
  const onFakes = answers.flatMap((a) => a.answer.answers.filter((x) => fakes.some((im) => im.id === x.id)));
  const neural = secret.neural;
  return {
    classValue: valueEstimate(secret, answers),
    neuralValue: neural ? valueFromTerms(secret, (im) => neural[im.id] ?? null) : null,
    foolRate: onFakes.length ? onFakes.filter((x) => x.real && x.confidence !== NOT_SURE).length / onFakes.length : null,
    neuralFoolRate: neural && fakes.length ? fakes.filter((im) => (neural[im.id] ?? 0) > 0.5).length / fakes.length : null,
  };
}

/**
 * V(D,G) = E_real[log D(x)] + E_fake[log(1 − D(G(z)))]: each expectation is the mean over
 * that kind of image of the class's mean D, so the estimate has the lecture's form.
 */
function valueEstimate(secret: SpotFakeSecret, answers: readonly { answer: SpotFakeAnswer }[]): number | null {
  return valueFromTerms(secret, (im) => {
    const ds = answers.flatMap((a) => a.answer.answers.filter((x) => x.id === im.id).map((x) => answerToD(x.real, x.confidence)));
    return ds.length ? ds.reduce((s, d) => s + d, 0) / ds.length : null;
  });
}

function valueFromTerms(secret: SpotFakeSecret, dOf: (im: SpotFakeImage) => number | null): number | null {
  const real: number[] = [];
  const fake: number[] = [];
  for (const im of secret.images) {
    const d = dOf(im);
    if (d === null) continue;
    (im.real ? real : fake).push(valueTerm(im.real, d));
  }
  if (!real.length || !fake.length) return null;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return mean(real) + mean(fake);
}
