import { describe, expect, it } from 'vitest';
import { parseCaption } from '../../shared/dataset/index.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { answerToD, logScore } from '../../shared/rounds/log-score.ts';
import { judgeRound, judgeScore, type JudgeSecret } from '../../shared/rounds/judge-round.ts';
import { spotFakeRound, type SpotFakeSecret } from '../../shared/rounds/spot-fake-round.ts';
import { seededDraws } from '../../shared/random.ts';

const pixels = (v: number) => new Uint8Array(IMAGE_BYTES).fill(v);

describe('log score (the discriminator objective as points)', () => {
  it('matches hand-computed values', () => {
    // 100 · (2 + log2 p), clamped at 0
    expect(logScore(0.99)).toBe(199);
    expect(logScore(0.9)).toBe(185);
    expect(logScore(0.75)).toBe(158);
    expect(logScore(0.6)).toBe(126);
    expect(logScore(0.5)).toBe(100);
    expect(logScore(0.4)).toBe(68);
    expect(logScore(0.25)).toBe(0);
    expect(logScore(0.01)).toBe(0); // an overconfident miss costs nothing beyond the chance it gave up
    expect(answerToD(true, 0.9)).toBe(0.9);
    expect(answerToD(false, 0.9)).toBeCloseTo(0.1);
  });
});

describe('spot the fake', () => {
  const secret: SpotFakeSecret = {
    source: 'gan',
    difficulty: 'medium',
    neural: { a: 0.8, b: 0.3 },
    images: [
      { id: 'a', real: true, caption: 'a small red circle', pixels: pixels(1), job: null },
      { id: 'b', real: false, caption: 'a large blue star', pixels: pixels(2), job: 0 },
    ],
  };

  it('scores log D(x) on reals and log(1 − D(G(z))) on fakes', () => {
    const answer = {
      answers: [
        { id: 'a', real: true, confidence: 0.9 },
        { id: 'b', real: true, confidence: 0.6 },
      ],
    };
    // a: p = 0.9 → 185; b: D = 0.6 on a fake → p = 0.4 → 68
    expect(spotFakeRound.score(secret, answer, null).points).toBe(185 + 68);
    expect(spotFakeRound.score(secret, { answers: [] }, null).points).toBe(0);
  });

  it('estimates V(D,G) from the class and from the neural D, and says who was fooled', () => {
    const answers = [
      {
        playerId: 'p1',
        nickname: 'Ann',
        points: 0,
        elapsedMs: 1,
        answer: {
          answers: [
            { id: 'a', real: true, confidence: 0.9 },
            { id: 'b', real: true, confidence: 0.6 },
          ],
        },
      },
      {
        playerId: 'p2',
        nickname: 'Ben',
        points: 0,
        elapsedMs: 1,
        answer: {
          answers: [
            { id: 'a', real: true, confidence: 0.6 },
            { id: 'b', real: false, confidence: 0.9 },
          ],
        },
      },
    ];
    // G picked fake b: Ann's D earned 68 on it, Ben's 185; G earns the rest of 200, averaged: (132 + 15) / 2
    const gPoints = spotFakeRound.generatorPoints!(secret, 0, answers);
    expect(gPoints).toBe(74);
    const reveal = spotFakeRound.reveal(secret, answers, [{ job: 0, playerId: 'g', nickname: 'Gia', points: gPoints }]);
    expect(reveal.generators).toEqual([{ playerId: 'g', nickname: 'Gia', imageId: 'b', points: 74, fooled: ['Ann'] }]);
    // real a: mean D = 0.75 → ln 0.75; fake b: mean D = (0.6 + 0.1)/2 = 0.35 → ln 0.65
    expect(reveal.classValue).toBeCloseTo(Math.log(0.75) + Math.log(0.65), 10);
    expect(reveal.neuralValue).toBeCloseTo(Math.log(0.8) + Math.log(0.7), 10);
    expect(reveal.images.find((im) => im.id === 'b')!.fooled).toEqual(['Ann']);
    expect(reveal.players.map((p) => p.correct)).toEqual([1, 2]);
  });

  it('prepares a round from a seed: half fakes from render jobs, reals from the data set', () => {
    const options = { images: 6, source: 'diffusion' as const, difficulty: 'hard' as const, generators: 0 };
    const jobs = spotFakeRound.renderJobs!(seededDraws(11), options);
    expect(jobs).toHaveLength(3);
    expect(jobs.every((j) => j.model === 'diffusion' && j.steps === 50 && parseCaption(j.caption))).toBe(true);
    const renders = jobs.map((_, i) => pixels(200 + i));
    const a = spotFakeRound.prepare(seededDraws(11), options, renders);
    expect(a).toEqual(spotFakeRound.prepare(seededDraws(11), options, renders));
    // Fakes (and reals) are served copies: near the rendered bytes, never the same.
    const fakes = a.secret.images.filter((im) => !im.real).map((im) => im.pixels);
    fakes.forEach((px, i) => {
      expect(px).not.toEqual(renders[i]);
      expect(Math.abs(px.reduce((s, v) => s + v, 0) / px.length - (200 + i))).toBeLessThan(15);
    });
    expect(Object.keys(a.question.images[0]!).sort()).toEqual(['caption', 'id', 'pixels']);
    const fakeId = a.secret.images.find((im) => im.job === 0)!.id;
    const answer = (id: string) => ({ id, real: false, confidence: 0.6 });
    expect(spotFakeRound.validateAnswer!(a.secret, { answers: [answer(fakeId)] })).toBeNull();
    expect(spotFakeRound.validateAnswer!(a.secret, { answers: [answer('nope')] })).toMatch(/not in this round/);
    expect(spotFakeRound.validateAnswer!(a.secret, { answers: [answer(fakeId), answer(fakeId)] })).toMatch(/not in this round/);
  });
});

describe('judge (GAN-CLS)', () => {
  it('weights correct verdicts like L_CLS: 1, 0.5, 0.5', () => {
    expect(judgeScore('match', 'match')).toBe(200);
    expect(judgeScore('mismatch', 'mismatch')).toBe(100);
    expect(judgeScore('fake', 'fake')).toBe(100);
    expect(judgeScore('fake', 'match')).toBe(0);
    expect(judgeScore('match', 'fake')).toBe(0);
  });

  it('always holds all three pairs, with mismatched captions that really differ', () => {
    for (let seed = 0; seed < 30; seed++) {
      const options = { images: 3, source: 'gan' as const, difficulty: 'hard' as const };
      const jobs = judgeRound.renderJobs!(seededDraws(seed), options);
      const { secret, question } = judgeRound.prepare(
        seededDraws(seed),
        options,
        jobs.map(() => pixels(9)),
      );
      expect(secret.items.map((it) => it.truth).sort()).toEqual(['fake', 'match', 'mismatch']);
      const mismatch = secret.items.find((it) => it.truth === 'mismatch')!;
      const shown = parseCaption(mismatch.caption)!;
      const real = parseCaption(mismatch.trueCaption)!;
      const differences = (['size', 'colour', 'shape'] as const).filter((k) => shown[k] !== real[k]);
      expect(differences).toHaveLength(1); // hard: one attribute changed
      expect(question.items.every((it) => Object.keys(it).sort().join() === 'caption,id,pixels')).toBe(true);
    }
  });

  it('combines the CLIP judge and the discriminator into the neural verdict', async () => {
    const secret: JudgeSecret = {
      source: 'gan',
      neural: null,
      items: [
        { id: 'x', truth: 'match', caption: 'a small red circle', trueCaption: 'a small red circle', pixels: pixels(1), job: null },
        { id: 'y', truth: 'mismatch', caption: 'a large red circle', trueCaption: 'a small red circle', pixels: pixels(2), job: null },
        { id: 'z', truth: 'fake', caption: 'a small red circle', trueCaption: 'a small red circle', pixels: pixels(3), job: 0 },
      ],
    };
    await judgeRound.neural!(secret, {
      judge: async () => [0.9, 0.2, 0.8],
      discriminate: async () => [0.7, 0.6, 0.1],
    });
    expect(Object.values(secret.neural!).map((n) => n.verdict)).toEqual(['match', 'mismatch', 'fake']);
  });
});
