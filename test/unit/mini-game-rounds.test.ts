import { describe, expect, it } from 'vitest';
import { parseCaption } from '../../shared/dataset/index.ts';
import { cosineSchedule, linearSchedule } from '../../shared/diffusion/index.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { blendRound, blendScore } from '../../shared/rounds/blend-round.ts';
import { labScore, noiseLabRound } from '../../shared/rounds/noise-lab-round.ts';
import { restyleRound, RESTYLE_POINTS, RESTYLE_ROW } from '../../shared/rounds/restyle-round.ts';
import { alphaBarAt, buildSchedule, curveDistance, destroyedAt, diagnoseSchedule } from '../../shared/rounds/schedule-spec.ts';

const px = (v: number) => new Uint8Array(IMAGE_BYTES).fill(v);

describe('blend (GAN-INT)', () => {
  it('scores closeness in β', () => {
    expect(blendScore(0.3, 0.3)).toBe(1000);
    expect(blendScore(0.3, 0.55)).toBe(500);
    expect(blendScore(0.1, 0.9)).toBe(0);
  });
  it('keeps β on the server; match mode gives the device z but never β', () => {
    for (const mode of ['guess', 'match'] as const) {
      const options = { mode, differences: 2 };
      const [job] = blendRound.renderJobs!(5, options);
      expect(job!.model).toBe('gan-int');
      const { secret, question } = blendRound.prepare(5, options, [px(3)]);
      expect(job).toMatchObject({ beta: secret.beta, caption: secret.caption1, caption2: secret.caption2 });
      expect(secret.beta).toBeGreaterThan(0);
      expect(secret.beta).toBeLessThan(1);
      expect(Object.keys(question)).not.toContain('beta');
      expect('zSeed' in question).toBe(mode === 'match');
      const a = parseCaption(question.caption1)!;
      const b = parseCaption(question.caption2)!;
      expect((['size', 'colour', 'shape'] as const).filter((k) => a[k] !== b[k])).toHaveLength(2);
    }
  });
});

describe('restyle (style encoder)', () => {
  it('asks which result kept the reference style, and scores the right one', () => {
    const options = { mode: 'which-result' as const, choices: 3 };
    const jobs = restyleRound.renderJobs!(8, options);
    expect(jobs).toHaveLength(3 + RESTYLE_ROW);
    const renders = jobs.map((_, i) => px(i + 1));
    const { secret, question } = restyleRound.prepare(8, options, renders);
    expect(question.choices).toHaveLength(3);
    // The right choice shows the restyled version of the shown reference (render 0).
    expect(question.choices.find((c) => c.id === secret.correct)!.pixels).toEqual(renders[0]);
    expect(restyleRound.score(secret, { choice: secret.correct }, null).points).toBe(RESTYLE_POINTS);
    const wrong = question.choices.find((c) => c.id !== secret.correct)!.id;
    expect(restyleRound.score(secret, { choice: wrong }, null).points).toBe(0);
    expect(restyleRound.validateAnswer!(secret, { choice: 'nope' }, new Set())).toMatch(/not one of/);
    const reveal = restyleRound.reveal(secret, [], []);
    expect(reveal.row).toHaveLength(RESTYLE_ROW);
  });
});

describe('noise schedule lab', () => {
  it('compares ᾱ curves across T and finds when an image is destroyed', () => {
    const linear = linearSchedule(1000);
    expect(curveDistance(linear, linearSchedule(1000))).toBe(0);
    expect(curveDistance(cosineSchedule(1000), cosineSchedule(100))).toBeLessThan(0.01);
    expect(curveDistance(linear, cosineSchedule(1000))).toBeGreaterThan(0.1);
    expect(alphaBarAt(linear, 0.5)).toBeCloseTo(linear.alphaBars[499]!, 6);
    // Linear: ᾱ < 0.01 first near t ≈ 0.6 T; cosine later.
    expect(destroyedAt(linear)).toBeGreaterThan(0.5);
    expect(destroyedAt(linear)).toBeLessThan(0.7);
    expect(destroyedAt(cosineSchedule(1000))).toBeGreaterThan(destroyedAt(linear));
  });

  it('scores the challenges exactly and explains bad schedules', () => {
    const cosineTask = { challenge: 'match-curve' as const, target: { kind: 'cosine' as const, T: 1000 } };
    expect(labScore(cosineTask, { kind: 'cosine', T: 250 })).toBeGreaterThan(950);
    expect(labScore(cosineTask, { kind: 'linear', T: 1000 })).toBeLessThan(500);
    const window = { challenge: 'destroy-window' as const, notBefore: 0.5, by: 0.7 };
    expect(labScore(window, { kind: 'linear', T: 1000 })).toBe(1000);
    const fast = { kind: 'custom' as const, T: 1000, points: [{ t: 0.1, value: 0 }] };
    expect(labScore(window, fast)).toBe(0);
    expect(diagnoseSchedule(buildSchedule(fast)).join(' ')).toMatch(/Too fast/);
    expect(diagnoseSchedule(buildSchedule({ kind: 'custom', T: 1000, points: [{ t: 1, value: 0.5 }] })).join(' ')).toMatch(/Too slow/);
    expect(diagnoseSchedule(linearSchedule(1000), 4).join(' ')).toMatch(/Only 4 sampling steps/);
    const { question } = noiseLabRound.prepare(3, { challenge: 'destroy-window' }, []);
    expect(question.task.challenge).toBe('destroy-window');
    expect(noiseLabRound.answerSchema.safeParse({ schedule: { kind: 'custom', T: 5, points: [{ t: 0.5, value: 0.5 }] } }).success).toBe(false);
  });
});
