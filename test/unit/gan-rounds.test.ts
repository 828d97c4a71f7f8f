import { describe, expect, it } from 'vitest';
import { parseCaption } from '../../shared/dataset/index.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { answerToD, CONFIDENCES, logScore, NOT_SURE } from '../../shared/rounds/log-score.ts';
import { JUDGE_CONFIDENCES, JUDGE_NOT_SURE, judgePoints, judgeRound, judgeScore, type JudgeSecret, VERDICTS, type Verdict } from '../../shared/rounds/judge-round.ts';
import { spotFakeRound, type SpotFakeSecret } from '../../shared/rounds/spot-fake-round.ts';
import { seededDraws } from '../../shared/random.ts';

const pixels = (v: number) => new Uint8Array(IMAGE_BYTES).fill(v);

describe('log score (the discriminator objective as points)', () => {
  it('matches hand-computed values: 100 · (1 + log₂ p / log₂ 100), no clamp', () => {
    expect(logScore(1)).toBe(100);
    expect(logScore(0.01)).toBeCloseTo(0, 10);
    expect(logScore(0.5)).toBeCloseTo(84.949, 3);
    expect(logScore(0.99)).toBeCloseTo(99.782, 3);
    expect(logScore(0.001)).toBeLessThan(0); // no clamp: a confident miss costs what it risked
    expect(answerToD(true, 0.9)).toBe(0.9);
    expect(answerToD(false, 0.9)).toBeCloseTo(0.1);
    expect(CONFIDENCES).toContain(NOT_SURE);
  });

  // The D values a player can give one image: real or fake at each offered confidence.
  const offered = [...new Set(CONFIDENCES.flatMap((c) => [c, 1 - c]))].sort((a, b) => a - b);
  const image = (real: boolean): SpotFakeSecret => ({
    source: 'gan',
    difficulty: 'medium',
    neural: null,
    images: [{ id: 'x', real, caption: 'a small red circle', pixels: pixels(0), job: null }],
  });
  /** Average points the round gives for answering D when the image is real with probability q (its own rounding included). */
  const expected = (q: number, d: number, points: (real: boolean, d: number) => number) => q * points(true, d) + (1 - q) * points(false, d);
  const roundPoints = (real: boolean, d: number) => {
    const answer = d >= 0.5 ? { id: 'x', real: true, confidence: d } : { id: 'x', real: false, confidence: 1 - d };
    return spotFakeRound.score(image(real), { answers: [{ ...answer, confidence: Number(answer.confidence.toFixed(2)) }] }, null).points;
  };
  const best = (q: number, points: (real: boolean, d: number) => number) => offered.reduce((b, d) => (expected(q, d, points) > expected(q, b, points) ? d : b), offered[0]!);

  it('is proper over the offered answers: for every belief the best answer is the offered step nearest it on one side or the other', () => {
    for (let q = 0.001; q < 1; q += 0.001) {
      const below = Math.max(...offered.filter((d) => d <= q + 1e-9));
      const above = Math.min(...offered.filter((d) => d >= q - 1e-9));
      expect([below, above], `belief ${q.toFixed(3)}`).toContain(best(q, roundPoints));
    }
    // Believing exactly an offered step, saying it is the best answer; "not sure" is best at ½.
    for (const d of offered) expect(best(d, roundPoints), `belief ${d}`).toBeCloseTo(d, 10);
  });

  it('is not the clamped rule it replaces, under which "99 %" was best for any belief above 55 %', () => {
    const clamped = (real: boolean, d: number) => Math.max(0, Math.round(100 * (2 + Math.log2(real ? d : 1 - d))));
    expect(best(0.6, clamped)).toBeCloseTo(0.99, 10);
    expect(best(0.6, roundPoints)).toBeCloseTo(0.6, 10);
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
    // a: p = 0.9 → 97.71; b: D = 0.6 on a fake → p = 0.4 → 80.10; rounded once: 178
    expect(spotFakeRound.score(secret, answer, null).points).toBe(178);
    // "Not sure" is p = ½ whichever way it points.
    const unsure = { answers: [{ id: 'a', real: false, confidence: 0.5 }] };
    expect(spotFakeRound.score(secret, unsure, null).points).toBe(85);
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
    // G picked fake b: Ann's D earned 80.10 on it, Ben's 97.71; G earns the rest of 100, averaged: (19.90 + 2.29) / 2
    const gPoints = spotFakeRound.generatorPoints!(secret, 0, answers);
    expect(gPoints).toBe(11);
    const reveal = spotFakeRound.reveal(secret, answers, [{ job: 0, playerId: 'g', nickname: 'Gia', points: gPoints }]);
    expect(reveal.generators).toEqual([{ playerId: 'g', nickname: 'Gia', imageId: 'b', points: 11, fooled: ['Ann'] }]);
    // real a: mean D = 0.75 → ln 0.75; fake b: mean D = (0.6 + 0.1)/2 = 0.35 → ln 0.65
    expect(reveal.classValue).toBeCloseTo(Math.log(0.75) + Math.log(0.65), 10);
    expect(reveal.neuralValue).toBeCloseTo(Math.log(0.8) + Math.log(0.7), 10);
    expect(reveal.images.find((im) => im.id === 'b')!.fooled).toEqual(['Ann']);
    expect(reveal.players.map((p) => p.correct)).toEqual([1, 2]);
    // A "not sure" answer is counted as such: neither right, nor fooled.
    const cai = { playerId: 'p3', nickname: 'Cai', points: 0, elapsedMs: 1, answer: { answers: [{ id: 'b', real: true, confidence: 0.5 }] } };
    const withCai = spotFakeRound.reveal(secret, [...answers, cai], []);
    const b = withCai.images.find((im) => im.id === 'b')!;
    expect([b.saidReal, b.saidFake, b.notSure]).toEqual([1, 1, 1]);
    expect(b.fooled).toEqual(['Ann']);
    expect(withCai.players.find((p) => p.nickname === 'Cai')!.correct).toBe(0);
  });

  it('prepares a round from a seed: half fakes from render jobs, reals from the data set', () => {
    const options = { images: 6, source: 'diffusion' as const, difficulty: 'hard' as const, generators: 0, adversarial: false };
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
  /** One pair of each kind: x real & matching, y real with a wrong caption, z a fake. */
  const threePairs = (): JudgeSecret => ({
    source: 'gan',
    neural: null,
    items: [
      { id: 'x', truth: 'match', caption: 'a small red circle', trueCaption: 'a small red circle', pixels: pixels(1), job: null },
      { id: 'y', truth: 'mismatch', caption: 'a large red circle', trueCaption: 'a small red circle', pixels: pixels(2), job: null },
      { id: 'z', truth: 'fake', caption: 'a small red circle', trueCaption: 'a small red circle', pixels: pixels(3), job: 0 },
    ],
  });

  it('scores the chance given to the truth: 100 · (1 + log₂ p / log₂ 200)', () => {
    expect(judgeScore('match', { verdict: 'match', confidence: 0.99 })).toBeCloseTo(99.81, 2);
    expect(judgeScore('fake', { verdict: 'match', confidence: 0.99 })).toBeCloseTo(0, 10); // p = 0.005
    expect(judgeScore('mismatch', { verdict: 'match', confidence: JUDGE_NOT_SURE })).toBeCloseTo(79.26, 2);
    expect(judgeScore('mismatch', { verdict: 'fake', confidence: 0.5 })).toBeCloseTo(judgePoints(0.25), 10);
  });

  const item = (truth: Verdict): JudgeSecret => ({ source: 'gan', neural: null, items: [{ id: 'x', truth, caption: 'c', trueCaption: 'c', pixels: pixels(0), job: null }] });
  const answers = VERDICTS.flatMap((verdict) => JUDGE_CONFIDENCES.map((confidence) => ({ verdict, confidence })));
  const roundPoints = (truth: Verdict, a: { verdict: Verdict; confidence: number }) => judgeRound.score(item(truth), { answers: [{ id: 'x', ...a }] }, null).points;
  const bestAnswer = (belief: Record<Verdict, number>, points: (truth: Verdict, a: { verdict: Verdict; confidence: number }) => number) => {
    const expected = (a: { verdict: Verdict; confidence: number }) => VERDICTS.reduce((s, v) => s + belief[v] * points(v, a), 0);
    return answers.reduce((b, a) => (expected(a) > expected(b) ? a : b), answers[0]!);
  };

  it('is proper: for every belief, the best answer picks the likeliest verdict with an offered confidence next to its chance', () => {
    for (let i = 0; i <= 100; i += 2) {
      for (let j = 0; i + j <= 100; j += 2) {
        const belief = { match: i / 100, mismatch: j / 100, fake: (100 - i - j) / 100 };
        const top = Math.max(...VERDICTS.map((v) => belief[v]));
        const best = bestAnswer(belief, roundPoints);
        const below = Math.max(...JUDGE_CONFIDENCES.filter((c) => c <= top + 1e-9));
        const above = Math.min(...JUDGE_CONFIDENCES.filter((c) => c >= top - 1e-9));
        const label = JSON.stringify(belief);
        expect([below, above], label).toContain(best.confidence);
        if (best.confidence !== JUDGE_NOT_SURE) expect(belief[best.verdict], label).toBe(top);
      }
    }
  });

  it('is not the L_CLS-weighted rule it replaces, which favoured "real & matching"', () => {
    const weighted = (truth: Verdict, a: { verdict: Verdict }) => (truth === a.verdict ? { match: 200, mismatch: 100, fake: 100 }[truth] : 0);
    const belief = { match: 0.3, mismatch: 0.5, fake: 0.2 };
    expect(bestAnswer(belief, weighted).verdict).toBe('match');
    expect(bestAnswer(belief, roundPoints)).toEqual({ verdict: 'mismatch', confidence: 0.5 });
  });

  it('reveals the class as D in L_CLS, with "not sure" counted apart', () => {
    const secret = threePairs();
    const answer = (nickname: string, list: { id: string; verdict: Verdict; confidence: number }[]) => ({
      playerId: nickname,
      nickname,
      points: 0,
      elapsedMs: 1,
      answer: { answers: list },
    });
    const reveal = judgeRound.reveal(
      secret,
      [
        answer('Ann', [
          { id: 'x', verdict: 'match', confidence: 0.9 },
          { id: 'y', verdict: 'mismatch', confidence: 0.75 },
          { id: 'z', verdict: 'match', confidence: JUDGE_NOT_SURE },
        ]),
        answer('Ben', [
          { id: 'x', verdict: 'fake', confidence: 0.5 },
          { id: 'y', verdict: 'match', confidence: 0.5 },
          { id: 'z', verdict: 'fake', confidence: 0.99 },
        ]),
      ],
      [],
    );
    const [x, y, z] = reveal.items;
    // D = chance of "real & matching": x (0.9 + 0.25)/2, y (0.125 + 0.5)/2, z (1/3 + 0.005)/2
    expect(x!.classD).toBeCloseTo(0.575, 10);
    expect(y!.classD).toBeCloseTo(0.3125, 10);
    expect(z!.classD).toBeCloseTo((1 / 3 + 0.005) / 2, 10);
    expect(reveal.classLoss).toBeCloseTo(Math.log(0.575) + 0.5 * Math.log(1 - 0.3125) + 0.5 * Math.log(1 - (1 / 3 + 0.005) / 2), 10);
    expect(z!.notSure).toBe(1);
    expect(z!.votes).toEqual({ match: 0, mismatch: 0, fake: 1 });
    expect(reveal.players.map((p) => p.correct)).toEqual([2, 1]);
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
    const secret = threePairs();
    await judgeRound.neural!(secret, {
      judge: async () => [0.9, 0.2, 0.8],
      discriminate: async () => [0.7, 0.6, 0.1],
    });
    expect(Object.values(secret.neural!).map((n) => n.verdict)).toEqual(['match', 'mismatch', 'fake']);
  });
});
