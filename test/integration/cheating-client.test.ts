import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactPaletteFraction, separation } from '../../models/eval/pixel-stats.ts';
import { paletteDistance } from '../../shared/render/realness.ts';
import { deriveSeed, seededSource } from '../../shared/random.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import type { SpotFakeQuestion, SpotFakeReveal } from '../../shared/rounds/spot-fake-round.ts';
import { timestepRound } from '../../shared/rounds/timestep-round.ts';
import { nextMessage, recordMessages, startHarness, stateWhere, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ renderDeadlineMs: 2_000 });
});
afterAll(async () => {
  await h.stop();
});

const ROUNDS = 6;
const IMAGES = 6;

/** The inverse of an odd number modulo 2³² (Newton's iteration). */
function inverseOdd(a: number): number {
  let x = a >>> 0;
  for (let i = 0; i < 5; i++) x = Math.imul(x, (2 - Math.imul(a, x)) >>> 0) >>> 0;
  return x;
}

/** deriveSeed run backwards for a known label: it is a bijection of the seed, so every output names its seed. */
function underive(value: number, label: string): number {
  let h = value >>> 0;
  h = (h ^ (h >>> 13) ^ (h >>> 26)) >>> 0;
  h = Math.imul(h, inverseOdd(0x85ebca6b)) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  for (let i = label.length - 1; i >= 0; i--) h = (Math.imul(h, inverseOdd(0x01000193)) ^ label.charCodeAt(i)) >>> 0;
  return (h ^ 0x9e3779b9) >>> 0;
}

/** Every whole number in a message, at any depth (pixel arrays aside). */
function integersIn(value: unknown, out = new Set<number>()): Set<number> {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 32) out.add(value);
  else if (Array.isArray(value)) for (const v of value) integersIn(v, out);
  else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) for (const v of Object.values(value)) integersIn(v, out);
  return out;
}

const STREAM_LABELS = ['preview', 'z', 'ids', 'noise-lab', 'epsilon', 'serve', 'timestep'];

/**
 * Game seeds a student could recover from what they saw, as the seed chain used to allow: each
 * number taken as a game seed, a round seed (`round-r`) or a stream's derived seed, run back.
 */
function candidateGameSeeds(seen: Iterable<number>, rounds: number): Set<number> {
  const out = new Set<number>();
  for (const v of seen) {
    const roundSeeds = [v, ...STREAM_LABELS.map((label) => underive(v, label))];
    for (const r of roundSeeds) {
      out.add(r);
      for (let i = 0; i < rounds; i++) out.add(underive(r, `round-${i}`));
    }
  }
  return out;
}

/** The candidates that reproduce a round's noisy image exactly: a right game seed would, and predicts its t. */
function replay(candidates: Set<number>, round: number, pixels: Uint8Array): number[] {
  const ts: number[] = [];
  for (const seed of candidates) {
    const { secret, question } = timestepRound.prepare(seededSource(seed)(round), {}, []);
    if (Buffer.from(question.pixels).equals(Buffer.from(pixels))) ts.push(secret.t);
  }
  return ts;
}

/**
 * A student with developer tools: records everything the server sends and, before each
 * reveal, calls "real" the images that look most like exact palette renders (the tell of
 * the data set's reals before the served-image pipeline), half of them, as sure as allowed.
 */
describe('the cheating client', () => {
  it('cannot run the seeds it is given back to a game seed and replay later rounds', { timeout: 300_000 }, async () => {
    // The attack works where seeds are chained: from a preview seed made the old way,
    // deriveSeed(deriveSeed(game, 'round-0'), 'preview'), it finds the game and replays round 2 exactly.
    const game = 0x2b1d_9e07;
    const oldPreview = deriveSeed(deriveSeed(game, 'round-0'), 'preview');
    const expected = timestepRound.prepare(seededSource(game)(2), {}, []);
    expect(replay(candidateGameSeeds([oldPreview], 3), 2, expected.question.pixels)).toEqual([expected.secret.t]);

    const { room: host, code } = await h.host();
    const cheat = await h.join(code, 'Mallory');
    const log = recordMessages(cheat);
    const TIMESTEPS = 4;
    host.send('host:settings', {
      playlist: [
        { type: 'noise-lab', count: 1, timerSec: 60, options: { challenge: 'sample' } },
        { type: 'timestep', count: TIMESTEPS, timerSec: 60 },
      ],
      relaxed: true,
    });
    await stateWhere(host, (s) => s.players.size === 1 && s.totalRounds === 1 + TIMESTEPS);
    let replayed = 0;
    for (let round = 0; round <= TIMESTEPS; round++) {
      const question = nextMessage(cheat, 'question', 60_000);
      host.send(round === 0 ? 'host:start' : 'host:skip');
      const q = await question;
      if (round > 0) {
        const seen = new Set<number>();
        for (const m of log) if (m.type !== 'reveal') integersIn(m.payload, seen);
        const pixels = (q.question as { pixels: Uint8Array }).pixels;
        expect(ArrayBuffer.isView(pixels) && pixels.length === IMAGE_BYTES).toBe(true); // bytes as the replay makes them
        replayed += replay(candidateGameSeeds(seen, 1 + TIMESTEPS), round, pixels).length;
      }
      host.send('host:skip'); // reveal
      await stateWhere(host, (s) => s.phase === 'reveal');
      host.send('host:skip'); // leaderboard
      await stateWhere(host, (s) => s.phase === 'leaderboard' || s.phase === 'podium');
    }
    // Every number it received came from its own crypto stream: none leads to a seed that replays a round.
    expect(replayed).toBe(0);
  });

  it('cannot tell reals from fakes by their bytes, and learns no label before the reveal', { timeout: 300_000 }, async () => {
    const { room: host, code } = await h.host();
    const cheat = await h.join(code, 'Mallory');
    const honest = await h.join(code, 'Hana');
    const log = recordMessages(cheat);
    host.send('host:settings', {
      playlist: [{ type: 'spot-fake', count: ROUNDS, timerSec: 60, options: { images: IMAGES, source: 'gan', difficulty: 'medium' } }],
      relaxed: true,
    });
    await stateWhere(host, (s) => s.players.size === 2 && JSON.parse(s.settings).playlist[0].count === ROUNDS);

    const palette: { value: number; real: boolean }[] = [];
    const distance: { value: number; real: boolean }[] = [];
    let cheatRight = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const question = nextMessage(cheat, 'question', 120_000);
      const honestQuestion = nextMessage(honest, 'question', 120_000);
      host.send(round === 0 ? 'host:start' : 'host:skip');
      const q = (await question).question as SpotFakeQuestion;
      await honestQuestion;
      const scored = q.images.map((im) => ({ id: im.id, fraction: exactPaletteFraction(im.pixels), distance: paletteDistance(im.pixels) }));
      const ranked = [...scored].sort((a, b) => b.fraction - a.fraction || a.distance - b.distance);
      const calledReal = new Set(ranked.slice(0, IMAGES / 2).map((s) => s.id));
      const reveal = nextMessage(cheat, 'reveal', 60_000);
      cheat.send('answer', { round, answer: { answers: q.images.map((im) => ({ id: im.id, real: calledReal.has(im.id), confidence: 0.99 })) } });
      honest.send('answer', { round, answer: { answers: q.images.map((im) => ({ id: im.id, real: true, confidence: 0.6 })) } });
      const r = (await reveal).reveal as SpotFakeReveal;
      for (const s of scored) {
        const real = r.images.find((im) => im.id === s.id)!.real;
        palette.push({ value: s.fraction, real });
        distance.push({ value: s.distance, real });
        if (calledReal.has(s.id) === real) cheatRight++;
      }
      await stateWhere(host, (s) => s.phase === 'reveal');
      host.send('host:skip'); // to the leaderboard; the next skip opens the next round
      await stateWhere(host, (s) => s.phase === 'leaderboard' || s.phase === 'podium');
    }

    // Nothing before a reveal names a real or a fake.
    const beforeReveals = log.filter((m) => m.type === 'question');
    for (const m of beforeReveals) expect(JSON.stringify(m.payload)).not.toMatch(/"(real|truth|job|recipe|zSeed|seed)"/);

    const n = ROUNDS * IMAGES;
    const auc = (xs: { value: number; real: boolean }[]) =>
      separation(
        xs.filter((x) => x.real).map((x) => x.value),
        xs.filter((x) => !x.real).map((x) => x.value),
      );
    // Before the pipeline both statistics separated every real from every fake (AUC 1.0,
    // 100% right). Over 36 images the bounds leave room for chance (each well under 1%).
    expect(cheatRight / n).toBeLessThan(0.85);
    expect(auc(palette)).toBeLessThan(0.95);
    expect(auc(distance)).toBeLessThan(0.95);
  });

  it('a volunteer render worker never judges a round whose recipes it received', { timeout: 300_000 }, async () => {
    const { room: host, code } = await h.host();
    const mallory = await h.join(code, 'Mallory');
    const hana = await h.join(code, 'Hana');
    await h.join(code, 'Ivo'); // a third student, so someone judges while a volunteer renders
    const log = recordMessages(mallory);
    host.send('host:settings', {
      playlist: [{ type: 'judge', count: 4, timerSec: 60, options: { images: 3, source: 'gan', difficulty: 'medium' } }],
      relaxed: true,
    });
    await stateWhere(host, (s) => s.players.size === 3 && JSON.parse(s.settings).playlist[0].count === 4);
    // Both Mallory and Hana volunteer: the render turn passes between them.
    mallory.send('render:ready', { backend: 'wasm', msPerImage: 1, volunteer: true });
    hana.send('render:ready', { backend: 'wasm', msPerImage: 2, volunteer: true });
    hana.onMessage('render:jobs', () => undefined); // Hana's device never delivers: the server renders in her place
    let rendered = 0;
    for (let round = 0; round < 4; round++) {
      const question = nextMessage(mallory, 'question', 120_000);
      host.send(round === 0 ? 'host:start' : 'host:skip');
      const q = await question;
      const jobs = log.filter((m) => m.type === 'render:jobs' && (m.payload as { round: number }).round === round);
      const items = (q.question as { items: { id: string }[] }).items;
      const answer = { round, answer: { answers: items.map((it) => ({ id: it.id, verdict: 'fake', confidence: 0.75 })) } };
      if (jobs.length > 0) {
        // She saw the recipes: she sits the round out, and her answer is refused.
        rendered += 1;
        expect(q.sittingOut).toBe('rendered');
        const error = nextMessage(mallory, 'error');
        mallory.send('answer', answer);
        expect((await error).code).toBe('rendered_round');
      } else {
        expect(q.sittingOut).toBeUndefined();
        const ack = nextMessage(mallory, 'answered');
        mallory.send('answer', answer);
        await ack;
      }
      await stateWhere(host, (s) => s.phase === 'question');
      host.send('host:skip'); // reveal
      await stateWhere(host, (s) => s.phase === 'reveal');
      host.send('host:skip'); // leaderboard
      await stateWhere(host, (s) => s.phase === 'leaderboard' || s.phase === 'podium');
    }
    // The turn passed round: Mallory rendered some rounds, not all.
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(4);
  });
});
