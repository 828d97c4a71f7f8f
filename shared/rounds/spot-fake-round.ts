import { z } from 'zod';
import { makeSample } from '../dataset/index.ts';
import type { RoundDraws } from '../random.ts';
import { DIFFICULTIES, FAKE_SOURCES, recipeFor, type Difficulty, type FakeSource, type NeuralOpponents, type RenderRecipe } from '../render/recipes.ts';
import { answerToD, CONFIDENCES, LOG_SCORE_FORMULA, logScore, NOT_SURE, offeredStep, valueTerm } from './log-score.ts';
import { checkAnsweredIds } from './answered-ids.ts';
import { serveImage } from '../render/served-image.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';
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
  })
  .strict();
type SpotFakeOptions = z.infer<typeof spotFakeOptionsSchema>;
const SPOT_FAKE_DEFAULTS: SpotFakeOptions = { images: 4, source: 'gan', difficulty: 'medium', generators: 0 };
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
  /** The generator team: whose fake each was, whom it fooled, and the zero-sum points. */
  generators: { playerId: string; nickname: string; imageId: string; points: number; fooled: string[] }[];
}

function fakeCount(images: number): number {
  return Math.floor(images / 2);
}

/** Which images are fakes and their captions: the same every time from the same draws. */
function layout(draws: RoundDraws, options: SpotFakeOptions) {
  const rng = draws.stream('spot-fake');
  const fakes = fakeCount(options.images);
  const order = rng.shuffle(Array.from({ length: options.images }, (_, i) => i < fakes));
  const ids = imageIds(draws.stream('ids'), options.images);
  return order.map((isFake, i) => {
    const sample = makeSample(rng.int(0, 0x7fffffff));
    return { id: ids[i]!, isFake, sample, fakeSeed: rng.int(0, 0x7fffffff) };
  });
}

export const spotFakeRound = defineRound<SpotFakeSecret, SpotFakeQuestion, SpotFakeAnswer, SpotFakeReveal, SpotFakeOptions>({
  type: 'spot-fake',
  title: 'Spot the fake',
  blurb: 'You are the discriminator D. Real data-set image or generator fake? Say how sure you are.',
  optionsSchema: spotFakeOptionsSchema,
  defaultOptions: SPOT_FAKE_DEFAULTS,
  answerSchema: z
    .object({
      answers: z
        .array(
          z
            .object({
              id: z.string().max(16),
              real: z.boolean(),
              confidence: offeredStep(CONFIDENCES),
            })
            .strict(),
        )
        .max(8),
    })
    .strict(),
  formula: LOG_SCORE_FORMULA,

  renderJobs(draws, options) {
    return layout(draws, options)
      .filter((item) => item.isFake)
      .map((item): RenderRecipe => recipeFor(options.source, options.difficulty, item.sample.caption, item.fakeSeed));
  },

  prepare(draws, options, renders) {
    let job = 0;
    // Reals and fakes alike go through the served-image pipeline: the bytes do not tell.
    const serve = draws.stream('serve');
    const images: SpotFakeImage[] = layout(draws, options).map((item) => {
      if (!item.isFake) return { id: item.id, real: true, caption: item.sample.caption, pixels: serveImage(item.sample.pixels, serve), job: null };
      const pixels = renders[job];
      if (!pixels) throw new Error('spot-fake: a fake was not rendered');
      return { id: item.id, real: false, caption: item.sample.caption, pixels: serveImage(pixels, serve), job: job++ };
    });
    return {
      secret: { images, source: options.source, difficulty: options.difficulty, neural: null },
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
      equilibriumValue: -Math.log(4),
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

  formatAnswer: (answer) => answer.answers.map((a) => `${a.id}:${a.confidence === NOT_SURE ? 'not sure' : a.real ? 'real' : 'fake'}@${a.confidence}`).join(' '),
  formatTruth: (secret) => secret.images.map((im) => `${im.id}:${im.real ? 'real' : 'fake'}`).join(' '),
});

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
