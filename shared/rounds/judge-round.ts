import { z } from 'zod';
import { CAPTION_ATTRIBUTES, makeSample, type CaptionAttributes } from '../dataset/index.ts';
import { captionChanging } from './caption-pairs.ts';
import type { Rng, RoundDraws } from '../random.ts';
import { DIFFICULTIES, FAKE_SOURCES, recipeFor, type Difficulty, type FakeSource, type NeuralOpponents, type RenderRecipe } from '../render/recipes.ts';
import { imageIds } from './image-ids.ts';
import { checkAnsweredIds, imageAnswersSchema } from './answered-ids.ts';
import { serveImage } from '../render/served-image.ts';
import { logPoints, offeredStep } from './log-score.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';

/**
 * "Judge": the matching-aware discriminator of GAN-CLS. Each item is one of the three
 * pairs in L_CLS = log D(I_real, T_real) + 0.5 log(1 − D(I_real, T_fake)) + 0.5 log(1 − D(I_fake, T_real)).
 * A player picks a verdict and says how sure: confidence c on the pick, (1 − c)/2 on each
 * other verdict. Points are a log score of the probability given to the truth, so honest
 * answers pay best (the pick should be the likeliest verdict, c its chance). The L_CLS
 * weights weigh a loss, not a reward: as points (200/100/100) they made "real & matching"
 * the best pick whenever it had half the chance of another. The reveal shows them as what
 * D's loss would have made of the class's answers.
 */
export const VERDICTS = ['match', 'mismatch', 'fake'] as const;
export type Verdict = (typeof VERDICTS)[number];
const VERDICT_WEIGHT: Record<Verdict, number> = { match: 1, mismatch: 0.5, fake: 0.5 };
/** "Not sure" is a third on each verdict. */
export const JUDGE_NOT_SURE = 1 / 3;
export const JUDGE_CONFIDENCES = [JUDGE_NOT_SURE, 0.5, 0.75, 0.9, 0.99] as const;
/** The least probability an offered answer gives the truth: (1 − 0.99) / 2, where points reach 0. */
const JUDGE_WORST = 0.005;

/** The probability an answer gives to `truth`. */
export function judgeProbability(answer: { verdict: Verdict; confidence: number }, truth: Verdict): number {
  if (answer.confidence === JUDGE_NOT_SURE) return JUDGE_NOT_SURE;
  return answer.verdict === truth ? answer.confidence : (1 - answer.confidence) / 2;
}

/** Points (unrounded) for giving probability p to the truth: 100 at p = 1, 0 at p = 0.005. */
export function judgePoints(p: number): number {
  return logPoints(p, JUDGE_WORST);
}

export function judgeScore(truth: Verdict, answer: { verdict: Verdict; confidence: number }): number {
  return judgePoints(judgeProbability(answer, truth));
}

const judgeOptionsSchema = z
  .object({
    images: z.number().int().min(3).max(8),
    source: z.enum(FAKE_SOURCES),
    difficulty: z.enum(DIFFICULTIES),
  })
  .strict();
type JudgeOptions = z.infer<typeof judgeOptionsSchema>;
const JUDGE_DEFAULTS: JudgeOptions = { images: 3, source: 'gan', difficulty: 'medium' };

interface JudgeItem {
  id: string;
  truth: Verdict;
  /** The caption shown; for a mismatch, the caption the image really has is `trueCaption`. */
  caption: string;
  trueCaption: string;
  pixels: Uint8Array;
  job: number | null;
}
export interface JudgeSecret {
  items: JudgeItem[];
  source: FakeSource;
  neural: Record<string, { match: number; real: number; verdict: Verdict }> | null;
}
export interface JudgeQuestion {
  kind: 'judge';
  items: { id: string; caption: string; pixels: Uint8Array }[];
}
interface JudgeAnswer {
  answers: { id: string; verdict: Verdict; confidence: number }[];
}
export interface JudgeReveal {
  kind: 'judge';
  source: FakeSource;
  /** L_CLS's weights on its three terms. */
  weights: Record<Verdict, number>;
  /** L_CLS (in nats) with the class's mean probability of "real & matching" as D; null without answers of every kind. */
  classLoss: number | null;
  items: (Omit<JudgeItem, 'job'> & {
    votes: Record<Verdict, number>;
    notSure: number;
    /** The class's mean probability that this pair is real and matching: its D(image, text). */
    classD: number | null;
    neural: { match: number; real: number; verdict: Verdict } | null;
  })[];
  players: { playerId: string; nickname: string; points: number; correct: number }[];
}

/** A caption that differs from the true one: in one attribute when hard, in all when easy. */
function mismatchedCaption(rng: Rng, attrs: CaptionAttributes, difficulty: Difficulty): string {
  return captionChanging(rng, attrs, { easy: CAPTION_ATTRIBUTES.length, medium: 2, hard: 1 }[difficulty]);
}

function layout(draws: RoundDraws, options: JudgeOptions) {
  const rng = draws.stream('judge');
  const ids = imageIds(draws.stream('ids'), options.images);
  // Every case appears, then the rest at random: the class always meets all three pairs.
  const truths = rng.shuffle(Array.from({ length: options.images }, (_, i): Verdict => (i < VERDICTS.length ? VERDICTS[i]! : rng.pick(VERDICTS))));
  return truths.map((truth, i) => {
    const sample = makeSample(rng.int(0, 0x7fffffff));
    const shown = truth === 'mismatch' ? mismatchedCaption(rng, sample.attributes, options.difficulty) : sample.caption;
    return { id: ids[i]!, truth, sample, shown, fakeSeed: rng.int(0, 0x7fffffff) };
  });
}

export const judgeRound = defineRound<JudgeSecret, JudgeQuestion, JudgeAnswer, JudgeReveal, JudgeOptions>({
  type: 'judge',
  title: 'Judge',
  blurb: 'You are the matching-aware discriminator: real and matching, real but mismatched, or fake?',
  optionsSchema: judgeOptionsSchema,
  defaultOptions: JUDGE_DEFAULTS,
  answerSchema: imageAnswersSchema({ verdict: z.enum(VERDICTS), confidence: offeredStep(JUDGE_CONFIDENCES) }),
  formula:
    'points per item = 100 · (1 + log₂ p / log₂ 200), where p is the probability your answer gave the truth: your confidence if your verdict was right, half of the rest if not, ⅓ if not sure (a proper score: saying what you believe pays best)',

  renderJobs(draws, options) {
    return layout(draws, options)
      .filter((item) => item.truth === 'fake')
      .map((item): RenderRecipe => recipeFor(options.source, options.difficulty, item.sample.caption, item.fakeSeed));
  },

  prepare(draws, options, renders) {
    let job = 0;
    // Reals and fakes alike go through the served-image pipeline: the bytes do not tell.
    const serve = draws.stream('serve');
    const items: JudgeItem[] = layout(draws, options).map((item) => {
      const isFake = item.truth === 'fake';
      const pixels = isFake ? renders[job] : item.sample.pixels;
      if (!pixels) throw new Error('judge: a fake was not rendered');
      return { id: item.id, truth: item.truth, caption: item.shown, trueCaption: item.sample.caption, pixels: serveImage(pixels, serve), job: isFake ? job++ : null };
    });
    return {
      secret: { items, source: options.source, neural: null },
      question: { kind: 'judge', items: items.map(({ id, caption, pixels }) => ({ id, caption, pixels })) },
    };
  },

  validateAnswer: (secret, answer) => checkAnsweredIds(answer.answers, secret.items, 'item'),

  score(secret, answer): ScoreBreakdown {
    let sum = 0;
    for (const a of answer.answers) sum += judgeScore(secret.items.find((it) => it.id === a.id)!.truth, a);
    // Rounded once per answer, so rounding cannot tip which answer pays best.
    const points = Math.round(sum);
    return { points, accuracy: points, speedBonus: 0 };
  },

  async neural(secret, opponents: NeuralOpponents) {
    const images = secret.items.map((it) => it.pixels);
    const captions = secret.items.map((it) => it.caption);
    const [match, real] = await Promise.all([opponents.judge(images, captions), opponents.discriminate(images, captions)]);
    secret.neural = Object.fromEntries(
      secret.items.map((it, i) => {
        const m = match[i]!;
        const r = real[i]!;
        // The CLIP pair speaks to matching; the GAN's D to realness.
        const verdict: Verdict = m < 0.5 ? 'mismatch' : r < 0.5 ? 'fake' : 'match';
        return [it.id, { match: m, real: r, verdict }];
      }),
    );
  },

  reveal(secret, answers) {
    const items = secret.items.map(({ job: _job, ...item }) => {
      const votes: Record<Verdict, number> = { match: 0, mismatch: 0, fake: 0 };
      let notSure = 0;
      const ds: number[] = [];
      for (const a of answers) {
        const given = a.answer.answers.find((x) => x.id === item.id);
        if (!given) continue;
        if (given.confidence === JUDGE_NOT_SURE) notSure++;
        else votes[given.verdict]++;
        ds.push(judgeProbability(given, 'match'));
      }
      const classD = ds.length ? ds.reduce((s, d) => s + d, 0) / ds.length : null;
      return { ...item, votes, notSure, classD, neural: secret.neural?.[item.id] ?? null };
    });
    return {
      kind: 'judge',
      source: secret.source,
      weights: VERDICT_WEIGHT,
      classLoss: lossCls(items),
      items,
      players: answers.map((a) => ({
        playerId: a.playerId,
        nickname: a.nickname,
        points: a.points,
        correct: a.answer.answers.filter((x) => x.confidence !== JUDGE_NOT_SURE && secret.items.find((it) => it.id === x.id)?.truth === x.verdict).length,
      })),
    };
  },

  formatAnswer: (answer) => answer.answers.map((a) => `${a.id}:${a.confidence === JUDGE_NOT_SURE ? 'not sure' : `${a.verdict}@${a.confidence}`}`).join(' '),
  formatTruth: (secret) => secret.items.map((it) => `${it.id}:${it.truth}`).join(' '),
});

/**
 * L_CLS = E[log D(I, T)] + ½ E[log(1 − D(I, T̂))] + ½ E[log(1 − D(Î, T))] over the round's
 * pairs of each kind, with D the class's mean probability of "real & matching" (D maximises it).
 */
function lossCls(items: readonly { truth: Verdict; classD: number | null }[]): number | null {
  const eps = 1e-6;
  let total = 0;
  for (const v of VERDICTS) {
    const ds = items.filter((it) => it.truth === v && it.classD !== null).map((it) => it.classD!);
    if (!ds.length) return null;
    const terms = ds.map((d) => Math.log(Math.min(1 - eps, Math.max(eps, v === 'match' ? d : 1 - d))));
    total += VERDICT_WEIGHT[v] * (terms.reduce((s, t) => s + t, 0) / terms.length);
  }
  return total;
}
