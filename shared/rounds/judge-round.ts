import { z } from 'zod';
import { CAPTION_ATTRIBUTES, makeSample, type CaptionAttributes } from '../dataset/index.ts';
import { captionChanging } from './caption-pairs.ts';
import type { Rng, RoundDraws } from '../random.ts';
import { DIFFICULTIES, FAKE_SOURCES, recipeFor, type Difficulty, type FakeSource, type NeuralOpponents, type RenderRecipe } from '../render/recipes.ts';
import { imageIds } from './image-ids.ts';
import { checkAnsweredIds } from './answered-ids.ts';
import { serveImage } from '../render/served-image.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';

/**
 * "Judge": the matching-aware discriminator of GAN-CLS. Each item is one of the three
 * pairs in L_CLS = log D(I_real, T_real) + 0.5 log(1 − D(I_real, T_fake)) + 0.5 log(1 − D(I_fake, T_real)),
 * and a correct verdict earns points with the same weights.
 */
export const VERDICTS = ['match', 'mismatch', 'fake'] as const;
export type Verdict = (typeof VERDICTS)[number];
const VERDICT_WEIGHT: Record<Verdict, number> = { match: 1, mismatch: 0.5, fake: 0.5 };
export const JUDGE_UNIT = 200;

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
  answers: { id: string; verdict: Verdict }[];
}
export interface JudgeReveal {
  kind: 'judge';
  source: FakeSource;
  weights: Record<Verdict, number>;
  items: (Omit<JudgeItem, 'job'> & { votes: Record<Verdict, number>; neural: { match: number; real: number; verdict: Verdict } | null })[];
  players: { playerId: string; nickname: string; points: number; correct: number }[];
}

export function judgeScore(truth: Verdict, verdict: Verdict): number {
  return truth === verdict ? Math.round(JUDGE_UNIT * VERDICT_WEIGHT[truth]) : 0;
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
  answerSchema: z.object({ answers: z.array(z.object({ id: z.string().max(16), verdict: z.enum(VERDICTS) }).strict()).max(8) }).strict(),
  formula: `points per item = ${JUDGE_UNIT} × weight if right: real & matching × 1, real & mismatched × 0.5, fake × 0.5 (the weights of L_CLS)`,

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
    let points = 0;
    for (const a of answer.answers) points += judgeScore(secret.items.find((it) => it.id === a.id)!.truth, a.verdict);
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
    return {
      kind: 'judge',
      source: secret.source,
      weights: VERDICT_WEIGHT,
      items: secret.items.map(({ job: _job, ...item }) => {
        const votes: Record<Verdict, number> = { match: 0, mismatch: 0, fake: 0 };
        for (const a of answers) {
          const v = a.answer.answers.find((x) => x.id === item.id)?.verdict;
          if (v) votes[v]++;
        }
        return { ...item, votes, neural: secret.neural?.[item.id] ?? null };
      }),
      players: answers.map((a) => ({
        playerId: a.playerId,
        nickname: a.nickname,
        points: a.points,
        correct: a.answer.answers.filter((x) => secret.items.find((it) => it.id === x.id)?.truth === x.verdict).length,
      })),
    };
  },

  formatAnswer: (answer) => answer.answers.map((a) => `${a.id}:${a.verdict}`).join(' '),
  formatTruth: (secret) => secret.items.map((it) => `${it.id}:${it.truth}`).join(' '),
});
