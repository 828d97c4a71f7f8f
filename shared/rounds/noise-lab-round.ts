import { z } from 'zod';
import { createRng, deriveSeed } from '../random.ts';
import type { RoundRules, ScoreBreakdown } from './round-rules.ts';
import { buildSchedule, curveDistance, destroyedAt, diagnoseSchedule, scheduleSpecSchema, type ScheduleSpec } from './schedule-spec.ts';

/**
 * "Noise schedule" lab: players shape a β schedule for a challenge the host picked, scored
 * exactly from the schedule. (The issue's third challenge, sampling with the player's
 * schedule and rating the samples, is not built yet.)
 */
export const LAB_CHALLENGES = ['match-curve', 'destroy-window'] as const;
export type LabChallenge = (typeof LAB_CHALLENGES)[number];
export const LAB_MAX = 1000;
/** RMSE of ᾱ at which match-curve stops paying. */
export const MATCH_TOLERANCE = 0.2;
/** Distance (in normalised time) outside the window at which destroy-window stops paying. */
export const WINDOW_TOLERANCE = 0.2;

export const labOptionsSchema = z.object({ challenge: z.enum(LAB_CHALLENGES) }).strict();
export type LabOptions = z.infer<typeof labOptionsSchema>;

export type LabTask = { challenge: 'match-curve'; target: ScheduleSpec } | { challenge: 'destroy-window'; notBefore: number; by: number };

export interface LabSecret {
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
}
export interface LabReveal {
  kind: 'noise-lab';
  task: LabTask;
  entries: { playerId: string; nickname: string; schedule: ScheduleSpec; points: number; notes: string[] }[];
}

function drawTask(seed: number, challenge: LabChallenge): LabTask {
  const rng = createRng(deriveSeed(seed, 'noise-lab'));
  switch (challenge) {
    case 'match-curve': {
      // Half the time the cosine schedule itself, half a random smooth drawn curve.
      if (rng.next() < 0.5) return { challenge, target: { kind: 'cosine', T: 1000 } };
      const a = 0.6 + 0.35 * rng.next();
      const b = 0.1 + 0.4 * rng.next();
      return { challenge, target: { kind: 'custom', T: 1000, points: [{ t: 0.3, value: a }, { t: 0.6, value: b * a }, { t: 1, value: 0 }] } };
    }
    case 'destroy-window': {
      const notBefore = rng.int(2, 6) / 10;
      return { challenge, notBefore, by: Math.min(0.95, notBefore + rng.int(1, 3) / 10) };
    }
  }
}

export function labScore(task: LabTask, spec: ScheduleSpec): number {
  const schedule = buildSchedule(spec);
  switch (task.challenge) {
    case 'match-curve':
      return Math.round(LAB_MAX * Math.max(0, 1 - curveDistance(schedule, buildSchedule(task.target)) / MATCH_TOLERANCE));
    case 'destroy-window': {
      const at = destroyedAt(schedule);
      const miss = at < task.notBefore ? task.notBefore - at : at > task.by ? at - task.by : 0;
      return Math.round(LAB_MAX * Math.max(0, 1 - miss / WINDOW_TOLERANCE));
    }
  }
}

export const noiseLabRound: RoundRules<LabSecret, LabQuestion, LabAnswer, LabReveal, LabOptions> = {
  type: 'noise-lab',
  title: 'Noise schedule lab',
  blurb: 'Shape a β schedule (linear, cosine or drawn) to meet the challenge; watch x_t, ᾱ_t and the SNR change.',
  optionsSchema: labOptionsSchema,
  defaultOptions: { challenge: 'match-curve' },
  answerSchema: z.object({ schedule: scheduleSpecSchema }).strict(),
  formula: `match the curve: ${LAB_MAX} · max(0, 1 − RMSE(ᾱ) / ${MATCH_TOLERANCE}); destroy in the window: ${LAB_MAX} · max(0, 1 − time outside the window / ${WINDOW_TOLERANCE})`,

  prepare(seed, options) {
    const task = drawTask(seed, options.challenge);
    return { secret: { task }, question: { kind: 'noise-lab', task, previewSeed: deriveSeed(seed, 'preview') } };
  },

  score(secret, answer): ScoreBreakdown {
    const points = labScore(secret.task, answer.schedule);
    return { points, accuracy: points, speedBonus: 0 };
  },

  reveal(secret, answers) {
    return {
      kind: 'noise-lab',
      task: secret.task,
      entries: answers.map((a) => ({
        playerId: a.playerId,
        nickname: a.nickname,
        schedule: a.answer.schedule,
        points: a.points,
        notes: diagnoseSchedule(buildSchedule(a.answer.schedule)),
      })),
    };
  },

  formatAnswer: (answer) =>
    answer.schedule.kind === 'custom'
      ? `custom T=${answer.schedule.T} ${answer.schedule.points.map((p) => `${p.t.toFixed(2)}:${p.value.toFixed(3)}`).join(' ')}`
      : `${answer.schedule.kind} T=${answer.schedule.T}`,
  formatTruth: (secret) =>
    secret.task.challenge === 'match-curve' ? `match ${secret.task.target.kind}` : `destroy in [${secret.task.notBefore}, ${secret.task.by}]`,
};
