import { z } from 'zod';
import { IMAGE_BYTES, type NeuralOpponents } from '../render/recipes.ts';
import type { RoundDraws } from '../random.ts';
import { randomCaption } from './caption-pairs.ts';
import { defineRound, type ScoreBreakdown } from './round-rules.ts';
import {
  buildSchedule,
  curveDistance,
  DDPM_MAX_T,
  destroyedAt,
  diagnoseSampling,
  diagnoseSchedule,
  MAX_SAMPLE_STEPS,
  MIN_SAMPLE_STEPS,
  SAMPLERS,
  samplerQuality,
  scheduleSpecSchema,
  type SamplerKind,
  type ScheduleSpec,
} from './schedule-spec.ts';

/**
 * "Noise schedule" lab: players shape a β schedule for a challenge the host picked.
 * 'match-curve' and 'destroy-window' are scored exactly from the schedule. 'sample': each
 * player's device runs the diffusion model with their schedule and step count to draw a
 * caption; the schedule earns points at once (samplerQuality), the sample earns the rest
 * from ratings during the reveal (the class's stars, or the neural judge in solo mode).
 */
const LAB_CHALLENGES = ['match-curve', 'destroy-window', 'sample'] as const;
type LabChallenge = (typeof LAB_CHALLENGES)[number];
const LAB_MAX = 1000;
/** RMSE of ᾱ at which match-curve stops paying. */
const MATCH_TOLERANCE = 0.2;
/** Distance (in normalised time) outside the window at which destroy-window stops paying. */
const WINDOW_TOLERANCE = 0.2;
/** 'sample': points for the set-up itself (schedule not too fast or slow, enough steps), given at once… */
export const SAMPLE_SETUP_POINTS = 400;
/** …and for the sample, from its fair mean rating (1 star: 0, 5 stars: all), added when the ratings close. */
export const SAMPLE_RATING_POINTS = LAB_MAX - SAMPLE_SETUP_POINTS;
/** Guidance every lab sample uses (the model's default; not a player's choice here). */
export const SAMPLE_GUIDANCE = 3;
/** A sample travels as base64 of its 32×32 RGB bytes: exactly this many characters, no padding. */
export const SAMPLE_BASE64_LENGTH = (IMAGE_BYTES / 3) * 4;

const labOptionsSchema = z.object({ challenge: z.enum(LAB_CHALLENGES) }).strict();
type LabOptions = z.infer<typeof labOptionsSchema>;

export type LabTask =
  | { challenge: 'match-curve'; target: ScheduleSpec }
  | { challenge: 'destroy-window'; notBefore: number; by: number }
  /** Draw `caption`, starting from the x_T of `noiseSeed` (the same for everyone, so only schedules and steps differ). */
  | { challenge: 'sample'; caption: string; noiseSeed: number };

interface LabSecret {
  task: LabTask;
}
export interface LabQuestion {
  kind: 'noise-lab';
  task: LabTask;
  /** A real image for the live x_t preview. */
  previewSeed: number;
}
export interface LabAnswer {
  schedule: ScheduleSpec;
  /** 'sample' only: how the device sampled, and the 32×32 RGB result (base64). */
  sampler?: SamplerKind;
  steps?: number;
  image?: string;
}
export interface LabRevealEntry {
  playerId: string;
  nickname: string;
  schedule: ScheduleSpec;
  points: number;
  notes: string[];
  sample?: { sampler: SamplerKind; steps: number; image: string };
}
export interface LabReveal {
  kind: 'noise-lab';
  task: LabTask;
  entries: LabRevealEntry[];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** 32×32 RGB bytes → the base64 a sample answer carries. */
export function encodeSample(bytes: Uint8Array): string {
  if (bytes.length !== IMAGE_BYTES) throw new Error(`a sample is ${IMAGE_BYTES} bytes, not ${bytes.length}`);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  return out;
}

/** The inverse of `encodeSample` (the schema has already checked length and alphabet). */
export function decodeSample(text: string): Uint8Array {
  if (text.length !== SAMPLE_BASE64_LENGTH) throw new Error(`a sample is ${SAMPLE_BASE64_LENGTH} base64 characters`);
  const out = new Uint8Array(IMAGE_BYTES);
  for (let i = 0, j = 0; i < text.length; i += 4, j += 3) {
    const n = (B64.indexOf(text[i]!) << 18) | (B64.indexOf(text[i + 1]!) << 12) | (B64.indexOf(text[i + 2]!) << 6) | B64.indexOf(text[i + 3]!);
    out[j] = (n >> 16) & 255;
    out[j + 1] = (n >> 8) & 255;
    out[j + 2] = n & 255;
  }
  return out;
}

const sampleImageSchema = z
  .string()
  .length(SAMPLE_BASE64_LENGTH, `a sample is exactly ${IMAGE_BYTES} bytes (32×32 RGB), ${SAMPLE_BASE64_LENGTH} base64 characters`)
  .regex(/^[A-Za-z0-9+/]+$/, 'a sample is unpadded base64');

const labAnswerSchema = z.union([
  z.object({ schedule: scheduleSpecSchema }).strict(),
  z
    .object({
      schedule: scheduleSpecSchema,
      sampler: z.enum(SAMPLERS),
      steps: z.number().int().min(MIN_SAMPLE_STEPS).max(MAX_SAMPLE_STEPS),
      image: sampleImageSchema,
    })
    .strict(),
]);

function drawTask(draws: RoundDraws, challenge: LabChallenge): LabTask {
  const rng = draws.stream('noise-lab');
  switch (challenge) {
    case 'match-curve': {
      // Half the time the cosine schedule itself, half a random smooth drawn curve.
      if (rng.next() < 0.5) return { challenge, target: { kind: 'cosine', T: 1000 } };
      const a = 0.6 + 0.35 * rng.next();
      const b = 0.1 + 0.4 * rng.next();
      return {
        challenge,
        target: {
          kind: 'custom',
          T: 1000,
          points: [
            { t: 0.3, value: a },
            { t: 0.6, value: b * a },
            { t: 1, value: 0 },
          ],
        },
      };
    }
    case 'destroy-window': {
      const notBefore = rng.int(2, 6) / 10;
      return { challenge, notBefore, by: Math.min(0.95, notBefore + rng.int(1, 3) / 10) };
    }
    case 'sample':
      return { challenge, caption: randomCaption(rng).caption, noiseSeed: rng.int(0, 0x7fffffff) };
  }
}

/** Points for an answer at submit time ('sample': the set-up part only; ratings come later). */
export function labScore(task: LabTask, spec: ScheduleSpec, sampling?: { sampler: SamplerKind; steps: number }): number {
  const schedule = buildSchedule(spec);
  switch (task.challenge) {
    case 'match-curve':
      return Math.round(LAB_MAX * Math.max(0, 1 - curveDistance(schedule, buildSchedule(task.target)) / MATCH_TOLERANCE));
    case 'destroy-window': {
      const at = destroyedAt(schedule);
      const miss = at < task.notBefore ? task.notBefore - at : at > task.by ? at - task.by : 0;
      return Math.round(LAB_MAX * Math.max(0, 1 - miss / WINDOW_TOLERANCE));
    }
    case 'sample':
      return sampling ? Math.round(SAMPLE_SETUP_POINTS * samplerQuality(schedule, sampling.sampler, sampling.steps)) : 0;
  }
}

/**
 * Rating points of a sample: the fair mean of its stars (`shared/game/fair-ratings.ts`),
 * about 1..5, mapped onto 0..SAMPLE_RATING_POINTS (clamped); none without ratings.
 */
export function sampleRatingPoints(mean: number | null): number {
  if (mean === null) return 0;
  return Math.round((SAMPLE_RATING_POINTS * Math.min(4, Math.max(0, mean - 1))) / 4);
}

function samplingOf(answer: LabAnswer): { sampler: SamplerKind; steps: number } | undefined {
  return answer.sampler !== undefined && answer.steps !== undefined ? { sampler: answer.sampler, steps: answer.steps } : undefined;
}

function scheduleText(spec: ScheduleSpec): string {
  return spec.kind === 'custom' ? `custom T=${spec.T} ${spec.points.map((p) => `${p.t.toFixed(2)}:${p.value.toFixed(3)}`).join(' ')}` : `${spec.kind} T=${spec.T}`;
}

export const noiseLabRound = defineRound<LabSecret, LabQuestion, LabAnswer, LabReveal, LabOptions>({
  type: 'noise-lab',
  title: 'Noise schedule lab',
  blurb:
    'Shape a β schedule (linear, cosine or drawn) to meet the challenge; watch x_t, ᾱ_t and the SNR change. In "sample", run the diffusion model with it and let the class rate the result.',
  optionsSchema: labOptionsSchema,
  defaultOptions: { challenge: 'match-curve' },
  answerSchema: labAnswerSchema,
  formula: `match the curve: ${LAB_MAX} · max(0, 1 − RMSE(ᾱ) / ${MATCH_TOLERANCE}); destroy in the window: ${LAB_MAX} · max(0, 1 − time outside the window / ${WINDOW_TOLERANCE}); sample: up to ${SAMPLE_SETUP_POINTS} for the set-up (not too fast, not too slow, enough steps) + ${SAMPLE_RATING_POINTS} · (fair mean stars − 1) / 4 from the ratings (each rater's stars measured against that rater's own average)`,

  prepare(draws, options) {
    const task = drawTask(draws, options.challenge);
    return { secret: { task }, question: { kind: 'noise-lab', task, previewSeed: draws.stream('preview').int(0, 0x7fffffff) } };
  },

  validateAnswer(secret, answer) {
    if (secret.task.challenge !== 'sample') return answer.image === undefined ? null : 'This challenge takes a schedule only.';
    const sampling = samplingOf(answer);
    if (!sampling || answer.image === undefined) return 'Sample an image first: the answer needs the sampler, the step count and the sample.';
    if (sampling.sampler === 'ddpm') {
      if (answer.schedule.T > DDPM_MAX_T) return `DDPM runs every step of the schedule: only for T ≤ ${DDPM_MAX_T}.`;
      if (sampling.steps !== answer.schedule.T) return 'DDPM takes exactly T steps.';
    } else if (sampling.steps > answer.schedule.T) return 'DDIM cannot take more steps than the schedule has.';
    return null;
  },

  score(secret, answer): ScoreBreakdown {
    const points = labScore(secret.task, answer.schedule, samplingOf(answer));
    return { points, accuracy: points, speedBonus: 0 };
  },

  ratings: {
    rated: (secret) => secret.task.challenge === 'sample',
    ratingPoints: (_secret, fairMean) => sampleRatingPoints(fairMean),
    async judge(secret, answers, opponents: NeuralOpponents) {
      const task = secret.task;
      const out = new Map<string, number>();
      const withImage = answers.filter((a) => a.answer.image !== undefined);
      if (task.challenge !== 'sample' || withImage.length === 0) return out;
      const probabilities = await opponents.judge(
        withImage.map((a) => decodeSample(a.answer.image!)),
        withImage.map(() => task.caption),
      );
      withImage.forEach((a, i) => out.set(a.playerId, probabilities[i]!));
      return out;
    },
  },

  reveal(secret, answers) {
    return {
      kind: 'noise-lab',
      task: secret.task,
      entries: answers.map((a) => {
        const schedule = buildSchedule(a.answer.schedule);
        const sampling = samplingOf(a.answer);
        const entry: LabRevealEntry = {
          playerId: a.playerId,
          nickname: a.nickname,
          schedule: a.answer.schedule,
          points: a.points,
          notes: sampling ? diagnoseSampling(schedule, sampling.sampler, sampling.steps) : diagnoseSchedule(schedule),
        };
        if (sampling && a.answer.image !== undefined) entry.sample = { ...sampling, image: a.answer.image };
        return entry;
      }),
    };
  },

  formatAnswer: (answer) => {
    const sampling = samplingOf(answer);
    return sampling ? `${scheduleText(answer.schedule)} · ${sampling.sampler} ${sampling.steps} steps` : scheduleText(answer.schedule);
  },
  formatTruth: (secret) => {
    const task = secret.task;
    switch (task.challenge) {
      case 'match-curve':
        return `match ${task.target.kind}`;
      case 'destroy-window':
        return `destroy in [${task.notBefore}, ${task.by}]`;
      case 'sample':
        return `sample "${task.caption}"`;
    }
  },
});
