import { describe, expect, it } from 'vitest';
import { makeSample, parseCaption } from '../../shared/dataset/index.ts';
import { cosineSchedule, linearSchedule } from '../../shared/diffusion/index.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { blendRound, blendScore } from '../../shared/rounds/blend-round.ts';
import { GameEngine, RATING_MS } from '../../shared/game/engine.ts';
import { fairRatings, meanStars, type StarTable } from '../../shared/game/fair-ratings.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import {
  decodeSample,
  encodeSample,
  labScore,
  noiseLabRound,
  SAMPLE_BASE64_LENGTH,
  SAMPLE_RATING_POINTS,
  SAMPLE_SETUP_POINTS,
  sampleRatingPoints,
  type LabAnswer,
} from '../../shared/rounds/noise-lab-round.ts';
import { restyleRound, RESTYLE_POINTS, RESTYLE_ROW } from '../../shared/rounds/restyle-round.ts';
import { alphaBarAt, buildSchedule, curveDistance, destroyedAt, diagnoseSampling, diagnoseSchedule, LAB_X0_BOUND, samplerTimesteps } from '../../shared/rounds/schedule-spec.ts';
import { withClippedX0 } from '../../shared/diffusion/index.ts';
import { seededDraws, seededSource } from '../../shared/random.ts';

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
      const [job] = blendRound.renderJobs!(seededDraws(5), options);
      expect(job!.model).toBe('gan-int');
      const { secret, question } = blendRound.prepare(seededDraws(5), options, [px(3)]);
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
    const jobs = restyleRound.renderJobs!(seededDraws(8), options);
    expect(jobs).toHaveLength(3 + RESTYLE_ROW);
    const renders = jobs.map((_, i) => px(60 * (i + 1)));
    const { secret, question } = restyleRound.prepare(seededDraws(8), options, renders);
    expect(question.choices).toHaveLength(3);
    // The right choice shows the restyled version of the shown reference (render 0), served:
    // near it, never the exact bytes a device holding the weights would recompute.
    const right = question.choices.find((c) => c.id === secret.correct)!.pixels;
    const mean = (p: Uint8Array) => p.reduce((s, v) => s + v, 0) / p.length;
    expect(Math.abs(mean(right) - 60)).toBeLessThan(8);
    expect(right).not.toEqual(renders[0]);
    expect(restyleRound.score(secret, { choice: secret.correct }, null).points).toBe(RESTYLE_POINTS);
    const wrong = question.choices.find((c) => c.id !== secret.correct)!.id;
    expect(restyleRound.score(secret, { choice: wrong }, null).points).toBe(0);
    expect(restyleRound.validateAnswer!(secret, { choice: 'nope' })).toMatch(/not one of/);
    const reveal = restyleRound.reveal(secret, [], []);
    expect(reveal.row).toHaveLength(RESTYLE_ROW);
  });

  it('puts the right choice in every position equally often (an unbiased shuffle)', () => {
    const options = { mode: 'which-result' as const, choices: 3 };
    const rounds = 1500;
    const counts = [0, 0, 0];
    for (let seed = 1; seed <= rounds; seed++) {
      const renders = restyleRound.renderJobs!(seededDraws(seed), options).map((_, i) => px(i + 1));
      const { secret, question } = restyleRound.prepare(seededDraws(seed), options, renders);
      counts[question.choices.findIndex((c) => c.id === secret.correct)]! += 1;
    }
    // Each position: 500 expected, standard deviation ≈ 18; 44% first (the old comparator sort) would be 660.
    for (const c of counts) expect(Math.abs(c - rounds / 3)).toBeLessThan(75);
  });

  it('draws its references from different grid cells, so the kept place decides the answer', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const jobs = restyleRound.renderJobs!(seededDraws(seed), { mode: 'which-reference', choices: 4 });
      const cells = jobs.slice(0, 4).map((j) => {
        if (j.model !== 'restyle') throw new Error('restyle jobs only');
        const { style } = makeSample(j.referenceSeed);
        return `${style.posX}/${style.posY}`;
      });
      expect(new Set(cells).size).toBe(4);
      // t_new names a small object (room to travel) in another colour and shape than the reference.
      const { secret } = restyleRound.prepare(
        seededDraws(seed),
        { mode: 'which-reference', choices: 4 },
        jobs.map((_, i) => px(i + 1)),
      );
      const ref = makeSample(secret.referenceSeeds[0]!).attributes;
      const next = parseCaption(secret.caption)!;
      expect(next.size).toBe('small');
      expect(next.colour).not.toBe(ref.colour);
      expect(next.shape).not.toBe(ref.shape);
    }
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
    const { question } = noiseLabRound.prepare(seededDraws(3), { challenge: 'destroy-window' }, []);
    expect(question.task.challenge).toBe('destroy-window');
    expect(noiseLabRound.answerSchema.safeParse({ schedule: { kind: 'custom', T: 5, points: [{ t: 0.5, value: 0.5 }] } }).success).toBe(false);
  });
});

describe('noise schedule lab: sample challenge', () => {
  const settings = { playlist: [{ type: 'noise-lab' as const, count: 1, timerSec: 60, options: { challenge: 'sample' } }], relaxed: true };
  const image = (v: number) => encodeSample(px(v));
  const answer = (v: number, extra: Partial<LabAnswer> = {}): LabAnswer => ({ schedule: { kind: 'cosine', T: 1000 }, sampler: 'ddim', steps: 20, image: image(v), ...extra });

  it('asks for a data-set caption (not a secret) and validates samples strictly', () => {
    const { secret, question } = noiseLabRound.prepare(seededDraws(11), { challenge: 'sample' }, []);
    expect(question.task).toEqual(secret.task);
    if (question.task.challenge !== 'sample') throw new Error('expected a sample task');
    expect(parseCaption(question.task.caption)).not.toBeNull();
    expect(Number.isInteger(question.task.noiseSeed)).toBe(true);
    const bytes = Uint8Array.from({ length: IMAGE_BYTES }, (_, i) => (i * 7) % 256);
    expect(encodeSample(bytes)).toHaveLength(SAMPLE_BASE64_LENGTH);
    expect(decodeSample(encodeSample(bytes))).toEqual(bytes);
    const schema = noiseLabRound.answerSchema;
    expect(schema.safeParse(answer(1)).success).toBe(true);
    // Wrong byte length, wrong alphabet, steps out of range, extra keys: refused by the schema.
    expect(schema.safeParse({ ...answer(1), image: encodeSample(px(1)).slice(4) }).success).toBe(false);
    expect(schema.safeParse({ ...answer(1), image: `${'A'.repeat(SAMPLE_BASE64_LENGTH - 1)}=` }).success).toBe(false);
    expect(schema.safeParse({ ...answer(1), steps: 1 }).success).toBe(false);
    expect(schema.safeParse({ ...answer(1), steps: 101 }).success).toBe(false);
    expect(schema.safeParse({ ...answer(1), extra: 1 }).success).toBe(false);
    // The challenge decides which answers fit.
    const validate = (a: LabAnswer) => noiseLabRound.validateAnswer!(secret, a);
    expect(validate(answer(1))).toBeNull();
    expect(validate({ schedule: { kind: 'linear', T: 1000 } })).toMatch(/Sample an image first/);
    expect(validate(answer(1, { sampler: 'ddpm', steps: 100, schedule: { kind: 'linear', T: 200 } }))).toMatch(/T ≤ 100/);
    expect(validate(answer(1, { sampler: 'ddpm', steps: 40, schedule: { kind: 'linear', T: 50 } }))).toMatch(/exactly T/);
    expect(validate(answer(1, { sampler: 'ddpm', steps: 50, schedule: { kind: 'linear', T: 50 } }))).toBeNull();
    expect(validate(answer(1, { steps: 60, schedule: { kind: 'linear', T: 50 } }))).toMatch(/more steps than the schedule/);
    const other = noiseLabRound.prepare(seededDraws(11), { challenge: 'match-curve' }, []).secret;
    expect(noiseLabRound.validateAnswer!(other, answer(1))).toMatch(/schedule only/);
  });

  it('gives set-up points at submit and explains too-fast schedules and too few steps', () => {
    const task = noiseLabRound.prepare(seededDraws(11), { challenge: 'sample' }, []).secret.task;
    const fast = { kind: 'custom' as const, T: 1000, points: [{ t: 0.1, value: 0 }] };
    expect(labScore(task, { kind: 'cosine', T: 1000 }, { sampler: 'ddim', steps: 50 })).toBe(SAMPLE_SETUP_POINTS);
    expect(labScore(task, fast, { sampler: 'ddim', steps: 50 })).toBe(0);
    expect(labScore(task, { kind: 'cosine', T: 1000 }, { sampler: 'ddim', steps: 3 })).toBeLessThan(SAMPLE_SETUP_POINTS / 2);
    const fastNotes = diagnoseSampling(buildSchedule(fast), 'ddim', 20).join(' ');
    expect(fastNotes).toMatch(/Too fast/);
    expect(fastNotes).toMatch(/of your 20 steps start from what is pure noise/);
    expect(diagnoseSampling(cosineSchedule(1000), 'ddim', 4).join(' ')).toMatch(/Too few steps: 4 DDIM steps of about 250/);
    expect(diagnoseSampling(cosineSchedule(20), 'ddpm', 20).join(' ')).toMatch(/DDPM over only T = 20/);
    expect(diagnoseSampling(cosineSchedule(1000), 'ddim', 50)).toEqual([expect.stringMatching(/A good run/)]);
    expect(samplerTimesteps(cosineSchedule(30), 'ddpm', 5)).toHaveLength(30);
    expect(sampleRatingPoints(null)).toBe(0);
    expect(sampleRatingPoints(5)).toBe(SAMPLE_RATING_POINTS);
    expect(sampleRatingPoints(2)).toBe(SAMPLE_RATING_POINTS / 4);
    expect(sampleRatingPoints(0.4)).toBe(0);
  });

  it('rates during the reveal only: once per sample, never your own, points at the leaderboard', () => {
    const game = new GameEngine(settings, seededSource(42));
    for (const id of ['a', 'b', 'c']) game.addPlayer(id, id.toUpperCase());
    game.startRound();
    expect(game.isRated()).toBe(true);
    game.submitAnswer('a', 0, answer(1), 1000);
    game.submitAnswer('b', 0, answer(2, { steps: 3 }), 1000);
    expect(() => game.submitAnswer('c', 0, { schedule: { kind: 'cosine', T: 1000 } }, 1000)).toThrow(/Sample an image first/);
    expect(() => game.rate('a', 0, 'b', 4)).toThrow(/only be rated while the reveal is open/);
    expect(game.revealMs()).toBe(RATING_MS);
    const { payload, rows } = game.reveal();
    expect(payload.ratings).toEqual({
      round: 0,
      open: true,
      tallies: [expect.objectContaining({ playerId: 'a', count: 0 }), expect.objectContaining({ playerId: 'b', count: 0 })],
    });
    expect(rows.find((r) => r.playerId === 'a')!.points).toBe(SAMPLE_SETUP_POINTS);
    expect(() => game.rate('a', 0, 'a', 5)).toThrow(/your own sample/);
    expect(() => game.rate('a', 1, 'b', 5)).toThrow(/different round/);
    expect(() => game.rate('a', 0, 'c', 5)).toThrow(/no sample to rate/);
    expect(() => game.rate('a', 0, 'b', 6)).toThrow(/1 to 5 stars/);
    expect(() => game.rate('host', 0, 'b', 5)).toThrow(GameError);
    game.rate('a', 0, 'b', 2);
    expect(() => game.rate('a', 0, 'b', 5)).toThrow(/already rated/);
    game.rate('c', 0, 'b', 4);
    game.rate('b', 0, 'a', 5);
    expect(game.allRated()).toBe(false);
    const live = game.rate('c', 0, 'a', 5);
    // Fair stars: A and B rated one sample each (their own mean: they count as the class
    // mean, 4); C's 5 for A and 4 for B sit ±0.5 around C's mean of 4.5. A: (4 + 4.5) / 2.
    expect(live.tallies.find((t) => t.playerId === 'a')).toMatchObject({ count: 2, mean: 5, fairMean: 4.25, points: 488 });
    expect(game.allRated()).toBe(true);
    const before = game.players.get('b')!.score;
    const updated = game.showLeaderboard();
    expect(updated).toHaveLength(2);
    const b = updated.find((r) => r.playerId === 'b')!;
    // B: (4 + 3.5) / 2 = 3.75 fair stars → 600 · 2.75 / 4 = 412.5 → 413.
    expect(b.answer).toMatch(/rated 3\.0\/5 by 2: A 2, C 4 → fair 3\.8\/5 \(\+413\)/);
    expect(b.points).toBe(game.players.get('b')!.lastPoints);
    expect(game.players.get('b')!.score).toBe(before + 413);
    expect(game.players.get('a')!.score).toBe(SAMPLE_SETUP_POINTS + 488);
    expect(game.ratingsPayload()!.open).toBe(false);
    expect(() => game.rate('c', 0, 'b', 1)).toThrow(/only be rated while the reveal is open/);
  });

  // Stars by rater, then by rated player; four players whose samples are clearly a > b > c > d.
  // B rates generously, D harshly, but every honest rater keeps that order.
  const honest = { a: { b: 4, c: 3, d: 2 }, b: { a: 5, c: 4, d: 3 }, c: { a: 5, b: 4, d: 2 }, d: { a: 4, b: 3, c: 2 } };
  const table = (byRater: Record<string, Record<string, number>>): StarTable => {
    const t = new Map<string, Map<string, number>>();
    for (const [rater, row] of Object.entries(byRater))
      for (const [target, stars] of Object.entries(row)) {
        if (!t.has(target)) t.set(target, new Map());
        t.get(target)!.set(rater, stars);
      }
    return t;
  };
  const ranking = (means: Map<string, number>) => [...means].sort((x, y) => y[1] - x[1]).map(([id]) => id);
  const plainMeans = (t: StarTable) => new Map([...t].map(([id, given]) => [id, meanStars(given.values())!]));
  const fairMeans = (t: StarTable) => new Map([...fairRatings(t)].map(([id, sample]) => [id, sample.fairMean!]));

  it('fair ratings: honest ratings keep their order; a rater giving everyone 1 star no longer reorders the others', () => {
    // Honest: the plain mean and the fair mean order the samples the same way.
    expect(ranking(plainMeans(table(honest)))).toEqual(['a', 'b', 'c', 'd']);
    expect(ranking(fairMeans(table(honest)))).toEqual(['a', 'b', 'c', 'd']);
    // C gives everyone else 1 star. With the plain mean C's own sample climbs above B's…
    const bullied = table({ ...honest, c: { a: 1, b: 1, d: 1 } });
    expect(ranking(plainMeans(bullied))).toEqual(['a', 'c', 'b', 'd']);
    // …with fair stars each of C's ratings is the same (the class mean), so nobody moves.
    const fair = fairRatings(bullied);
    const fromC = ['a', 'b', 'd'].map((target) => fair.get(target)!.ratings.find((r) => r.rater === 'c')!.fair);
    for (const f of fromC) expect(f).toBeCloseTo(fromC[0]!, 9);
    expect(ranking(fairMeans(bullied))).toEqual(['a', 'b', 'c', 'd']);
    // The same order as if C had not rated at all.
    expect(ranking(fairMeans(table({ a: honest.a, b: honest.b, d: honest.d })))).toEqual(['a', 'b', 'c', 'd']);
    // A rater who rates everything alone (the neural judge in solo) keeps their stars.
    const judge = fairRatings(table({ judge: { x: 2, y: 4.5 } }));
    expect(judge.get('x')!.fairMean).toBeCloseTo(2, 9);
    expect(judge.get('y')!.fairMean).toBeCloseTo(4.5, 9);
  });

  it('fair ratings decide the points in the engine (a spiteful rater cannot overtake)', () => {
    const game = new GameEngine(settings, seededSource(44));
    for (const id of ['a', 'b', 'c', 'd']) game.addPlayer(id, id.toUpperCase());
    game.startRound();
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) game.submitAnswer(id, 0, answer(i + 1), 1000);
    game.reveal();
    const bully = { ...honest, c: { a: 1, b: 1, d: 1 } };
    for (const [rater, row] of Object.entries(bully)) for (const [target, stars] of Object.entries(row)) game.rate(rater, 0, target, stars);
    expect(game.allRated()).toBe(true);
    const tallies = game.ratingsPayload()!.tallies;
    const points = new Map(tallies.map((t) => [t.playerId, t.points]));
    expect(ranking(points)).toEqual(['a', 'b', 'c', 'd']);
    // The plain mean stays in the payload for everyone to see; the points follow the fair mean.
    expect(tallies.find((t) => t.playerId === 'b')).toMatchObject({ count: 3, mean: 2 + 2 / 3 });
    expect(tallies.find((t) => t.playerId === 'b')!.fairMean).toBeCloseTo(fairMeans(table(bully)).get('b')!, 9);
    const rows = game.showLeaderboard();
    expect(rows.find((r) => r.playerId === 'b')!.answer).toMatch(/rated 2\.7\/5 by 3: A 4.*, C 1.*, D 3.* → fair \d\.\d\/5 \(\+\d+\)/);
    for (const id of ['a', 'b', 'c', 'd']) expect(game.players.get(id)!.lastPoints).toBe(game.current!.answers.get(id)!.points + points.get(id)!);
  });

  it("keeps the lab sampler's x̂₀ in range when ᾱ_T is tiny (cosine at T = 1000)", async () => {
    const s = cosineSchedule(1000);
    const x = Float32Array.from([0.5, -1.2, 2]);
    // An ε that is 1 % off: unclipped, x̂₀ at t = T would be ~100 × 1/√ᾱ_T.
    const eps = withClippedX0(() => x.map((v) => v * 0.99), s, LAB_X0_BOUND);
    const e = await eps(x, 1000);
    const ab = s.alphaBars[999]!;
    for (let i = 0; i < x.length; i++) {
      const x0 = (x[i]! - Math.sqrt(1 - ab) * e[i]!) / Math.sqrt(ab);
      expect(Math.abs(x0)).toBeLessThanOrEqual(LAB_X0_BOUND + 1e-3);
    }
    // Where x̂₀ is already in range, ε is unchanged.
    const mild = await withClippedX0(() => Float32Array.from([0.1, 0.2, 0.3]), s, LAB_X0_BOUND)(x, 300);
    expect([...mild].map((v) => +v.toFixed(5))).toEqual([0.1, 0.2, 0.3]);
  });

  it('lets the neural judge rate in solo mode', async () => {
    const game = new GameEngine(settings, seededSource(43));
    game.addPlayer('solo', 'You');
    game.startRound();
    game.submitAnswer('solo', 0, answer(9), 500);
    expect(game.revealMs()).toBe(15_000);
    const seen: string[] = [];
    await game.judgeRatings({
      discriminate: async () => [],
      judge: async (images, captions) => {
        seen.push(...captions);
        expect(images[0]).toEqual(px(9));
        return [0.75];
      },
    });
    const task = game.current!.secret as { task: { caption: string } };
    expect(seen).toEqual([task.task.caption]);
    const { payload } = game.reveal();
    expect(payload.ratings!.tallies[0]).toMatchObject({ playerId: 'solo', count: 1, mean: 4, judge: 0.75, points: 450 });
    const [row] = game.showLeaderboard();
    expect(row!.answer).toMatch(/neural judge 0\.75→4\.0/);
    expect(game.players.get('solo')!.score).toBe(SAMPLE_SETUP_POINTS + 450);
  });
});
