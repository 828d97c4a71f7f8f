import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exactPaletteFraction, paletteDistance, separation } from '../../models/eval/pixel-stats.ts';
import type { SpotFakeQuestion, SpotFakeReveal } from '../../shared/rounds/spot-fake-round.ts';
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

/**
 * A student with developer tools: records everything the server sends and, before each
 * reveal, calls "real" the images that look most like exact palette renders (the tell of
 * the data set's reals before the served-image pipeline), half of them, as sure as allowed.
 */
describe('the cheating client', () => {
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
      const answer = { round, answer: { answers: items.map((it) => ({ id: it.id, verdict: 'fake' })) } };
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
