import { z } from 'zod';
import { makeSample } from '../dataset/index.ts';
import type { RoundDraws } from '../random.ts';
import type { RenderRecipe } from '../render/recipes.ts';
import { captionChanging, randomCaption } from './caption-pairs.ts';
import { imageIds } from './image-ids.ts';
import { serveImage } from '../render/served-image.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';

/**
 * "Restyle": Reed et al.'s style encoder. s ← S(x), x̂ ← G(s, φ(t_new)) keeps what the
 * caption does not say and changes what it does.
 */

/**
 * What the shipped S and G keep of a reference, and so all that the round may claim they
 * keep: eval:models holds each under both rulers (rotation is not kept: the shipped G
 * barely turns objects, so it is neither claimed nor barred).
 */
export const RESTYLE_KEEPS = ['position', 'background', 'pattern'] as const;
export const RESTYLE_MODES = ['which-result', 'which-reference'] as const;
type RestyleMode = (typeof RESTYLE_MODES)[number];
export const RESTYLE_POINTS = 600;
/** Captions fed with S(x) in the reveal's row. */
export const RESTYLE_ROW = 5;

const restyleOptionsSchema = z
  .object({
    mode: z.enum(RESTYLE_MODES),
    choices: z.number().int().min(2).max(4),
  })
  .strict();
type RestyleOptions = z.infer<typeof restyleOptionsSchema>;

interface RestyleSecret {
  mode: RestyleMode;
  caption: string;
  referenceSeeds: number[];
  /** Which choice is right: the result of the true reference (which-result), or the true reference (which-reference). */
  correct: string;
  choiceIds: string[];
  references: Uint8Array[];
  results: Uint8Array[];
  rowCaptions: string[];
  row: Uint8Array[];
}
export interface RestyleQuestion {
  kind: 'restyle';
  mode: RestyleMode;
  caption: string;
  /** which-result: one reference and several results; which-reference: one result and several references. */
  shown: Uint8Array;
  choices: { id: string; pixels: Uint8Array }[];
}
interface RestyleAnswer {
  choice: string;
}
interface RestyleReveal {
  kind: 'restyle';
  mode: RestyleMode;
  caption: string;
  correct: string;
  reference: Uint8Array;
  result: Uint8Array;
  rowCaptions: string[];
  row: Uint8Array[];
  votes: Record<string, number>;
  guesses: { playerId: string; nickname: string; choice: string; points: number }[];
}

/**
 * References in different grid cells, so the right answer is decidable by eye: the place is
 * the style G carries most reliably (its layout is driven by z[0:2]; the background code is
 * weaker, see models/README.md). The new caption changes colour and shape, and is small.
 */
function draw(draws: RoundDraws, options: RestyleOptions) {
  const rng = draws.stream('restyle');
  const referenceSeeds: number[] = [];
  const styleKeys = new Set<string>();
  while (referenceSeeds.length < options.choices) {
    const s = rng.int(0, 0x7fffffff);
    const { style } = makeSample(s);
    const key = `${style.posX}/${style.posY}`;
    if (styleKeys.has(key)) continue;
    styleKeys.add(key);
    referenceSeeds.push(s);
  }
  // t_new is always small: a small object has room to travel (± 6 px in the data, against
  // ± 2 px for a large one), so the kept place shows. Colour and shape change too.
  const ref = makeSample(referenceSeeds[0]!).attributes;
  const caption = captionChanging(rng, { ...ref, size: 'small' }, 2, ['colour', 'shape']);
  const order = rng.shuffle(referenceSeeds.map((_, i) => i));
  const choiceIds = imageIds(draws.stream('ids'), options.choices);
  const rowCaptions = Array.from({ length: RESTYLE_ROW }, () => randomCaption(rng).caption);
  return { referenceSeeds, caption, order, choiceIds, rowCaptions };
}

export const restyleRound = defineRound<RestyleSecret, RestyleQuestion, RestyleAnswer, RestyleReveal, RestyleOptions>({
  type: 'restyle',
  title: 'Restyle',
  blurb: 'The style encoder S(x) keeps what the caption does not say. Which image kept the style?',
  optionsSchema: restyleOptionsSchema,
  defaultOptions: { mode: 'which-result', choices: 3 },
  answerSchema: z.object({ choice: z.string().max(16) }).strict(),
  formula: `points = ${RESTYLE_POINTS} for the right choice`,

  renderJobs(draws, options): RenderRecipe[] {
    const d = draw(draws, options);
    // Results of every reference with the new caption, then the reveal's row: S(x) with several captions.
    return [
      ...d.referenceSeeds.map((referenceSeed): RenderRecipe => ({ model: 'restyle', referenceSeed, caption: d.caption })),
      ...d.rowCaptions.map((caption): RenderRecipe => ({ model: 'restyle', referenceSeed: d.referenceSeeds[0]!, caption })),
    ];
  },

  prepare(draws, options, renders) {
    const d = draw(draws, options);
    const n = d.referenceSeeds.length;
    if (renders.length !== n + RESTYLE_ROW) throw new Error('restyle: renders missing');
    // Served with hidden per-image noise, so G(S(x), φ(t)) on a device never reproduces a choice exactly.
    const serve = draws.stream('serve');
    const references = d.referenceSeeds.map((s) => serveImage(makeSample(s).pixels, serve));
    const results = renders.slice(0, n).map((px) => serveImage(px, serve));
    const pool = options.mode === 'which-result' ? results : references;
    const choices = d.order.map((k, i) => ({ id: d.choiceIds[i]!, pixels: pool[k]! }));
    const correct = d.choiceIds[d.order.indexOf(0)]!;
    return {
      secret: {
        mode: options.mode,
        caption: d.caption,
        referenceSeeds: d.referenceSeeds,
        correct,
        choiceIds: d.choiceIds,
        references,
        results,
        rowCaptions: d.rowCaptions,
        row: renders.slice(n),
      },
      question: {
        kind: 'restyle',
        mode: options.mode,
        caption: d.caption,
        shown: options.mode === 'which-result' ? references[0]! : results[0]!,
        choices,
      },
    };
  },

  validateAnswer(secret, answer) {
    return secret.choiceIds.includes(answer.choice) ? null : 'That is not one of the choices.';
  },

  score(secret, answer): ScoreBreakdown {
    const points = answer.choice === secret.correct ? RESTYLE_POINTS : 0;
    return { points, accuracy: points, speedBonus: 0 };
  },

  reveal(secret, answers) {
    const votes = Object.fromEntries(secret.choiceIds.map((id) => [id, 0]));
    for (const a of answers) votes[a.answer.choice] = (votes[a.answer.choice] ?? 0) + 1;
    return {
      kind: 'restyle',
      mode: secret.mode,
      caption: secret.caption,
      correct: secret.correct,
      reference: secret.references[0]!,
      result: secret.results[0]!,
      rowCaptions: secret.rowCaptions,
      row: secret.row,
      votes,
      guesses: answers.map((a) => ({ playerId: a.playerId, nickname: a.nickname, choice: a.answer.choice, points: a.points })),
    };
  },

  formatAnswer: (answer) => answer.choice,
  formatTruth: (secret) => secret.correct,
});
