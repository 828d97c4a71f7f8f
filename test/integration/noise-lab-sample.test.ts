import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatingsPayload } from '../../shared/game/engine.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { encodeSample, SAMPLE_RATING_POINTS, type LabQuestion, type LabReveal } from '../../shared/rounds/noise-lab-round.ts';
import { keysOf, nextMessage, recordMessages, startHarness, stateWhere, type GameRoom, type Harness, fetchReport } from './harness.ts';

/**
 * The Noise lab's 'sample' challenge over real @colyseus/sdk clients: strict sample
 * uploads, ratings only during the reveal, one per sample, never your own, and the
 * ratings' points in the scores and the CSV report.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

const pixels = (v: number) => new Uint8Array(IMAGE_BYTES).fill(v);
const sample = (v: number, extra: Record<string, unknown> = {}) => ({
  schedule: { kind: 'cosine', T: 1000 },
  sampler: 'ddim',
  steps: 20,
  image: encodeSample(pixels(v)),
  ...extra,
});

async function expectError(room: GameRoom, type: string, payload: unknown, code: string, message?: RegExp): Promise<void> {
  const error = nextMessage(room, 'error');
  room.send(type, payload as never);
  const e = await error;
  expect(e.code).toBe(code);
  if (message) expect(e.message).toMatch(message);
}

describe('Noise lab: sample challenge', () => {
  it('takes strict samples, lets the class rate during the reveal, and stores the ratings', async () => {
    const { room: host, code, hostSecret } = await h.host();
    const ana = await h.join(code, 'Ana');
    const ben = await h.join(code, 'Ben');
    for (const room of [host, ana, ben]) room.onMessage('ratings', () => undefined);
    host.send('host:settings', { playlist: [{ type: 'noise-lab', count: 1, timerSec: 60, options: { challenge: 'sample' } }], relaxed: true });
    await stateWhere(host, (s) => s.players.size === 2 && s.totalRounds === 1 && s.settings.includes('sample'));
    const log = recordMessages(ana);
    const question = nextMessage(ana, 'question');
    host.send('host:start');
    const q = (await question).question as LabQuestion;
    if (q.task.challenge !== 'sample') throw new Error('expected the sample challenge');
    expect(q.task.caption).toMatch(/^a (small|large|medium)? ?\w+ \w+/);
    await stateWhere(host, (s) => s.phase === 'question');

    // Out of phase: no rating while the question is open.
    await expectError(ana, 'rate', { round: 0, playerId: ben.sessionId, stars: 4 }, 'wrong_phase', /only be rated while the reveal/);
    // Strict samples: wrong byte length, raw bytes instead of base64, a missing image, too many steps.
    await expectError(ana, 'answer', { round: 0, answer: sample(1, { image: encodeSample(pixels(1)).slice(0, 4000) }) }, 'bad_message');
    await expectError(ana, 'answer', { round: 0, answer: sample(1, { image: pixels(1) }) }, 'bad_message');
    await expectError(ana, 'answer', { round: 0, answer: { schedule: { kind: 'cosine', T: 1000 } } }, 'bad_message', /Sample an image first/);
    await expectError(ana, 'answer', { round: 0, answer: sample(1, { steps: 500 }) }, 'bad_message');
    await expectError(ana, 'answer', { round: 0, answer: sample(1, { sampler: 'ddpm', steps: 100, schedule: { kind: 'linear', T: 200 } }) }, 'bad_message', /T ≤ 100/);
    expect(host.state.answeredCount).toBe(0);

    const reveal = nextMessage(ana, 'reveal');
    for (const [room, v] of [
      [ana, 10],
      [ben, 200],
    ] as const) {
      const ack = nextMessage(room, 'answered');
      room.send('answer', { round: 0, answer: sample(v, v === 200 ? { steps: 4 } : {}) });
      await ack;
    }
    const r = await reveal;
    // Before the reveal Ana received nothing of Ben's sample.
    const before = log.filter((m) => m.type !== 'reveal' && m.type !== 'ratings');
    for (const m of before) expect(keysOf(m.payload).has('image'), `${m.type} carries a sample`).toBe(false);
    const labReveal = r.reveal as LabReveal;
    expect(labReveal.entries.map((e) => e.sample?.image.length)).toEqual([4096, 4096]);
    expect(labReveal.entries.find((e) => e.nickname === 'Ben')!.notes.join(' ')).toMatch(/Too few steps/);
    expect(r.ratings).toMatchObject({ round: 0, open: true });
    await stateWhere(host, (s) => s.phase === 'reveal');
    const setup = { ana: host.state.players.get(ana.sessionId)!.score, ben: host.state.players.get(ben.sessionId)!.score };
    expect(host.state.secondsLeft).toBeGreaterThan(20); // the long rating reveal

    // Self-rating, bad stars, the host: refused. One rating per sample.
    await expectError(ana, 'rate', { round: 0, playerId: ana.sessionId, stars: 5 }, 'bad_message', /your own sample/);
    await expectError(ana, 'rate', { round: 0, playerId: ben.sessionId, stars: 6 }, 'bad_message');
    await expectError(ana, 'rate', { round: 0, playerId: ben.sessionId, stars: 2.5 }, 'bad_message');
    await expectError(host, 'rate', { round: 0, playerId: ben.sessionId, stars: 5 }, 'no_player');
    const tally = nextMessage(ben, 'ratings');
    ana.send('rate', { round: 0, playerId: ben.sessionId, stars: 4 });
    const live = (await tally) as RatingsPayload;
    expect(live.tallies.find((t) => t.playerId === ben.sessionId)).toMatchObject({ count: 1, mean: 4, fairMean: 4 });
    await expectError(ana, 'rate', { round: 0, playerId: ben.sessionId, stars: 1 }, 'already_answered', /already rated/);
    // Once everyone has rated everything the reveal ends within seconds, and the points land.
    // Fair ratings: with two players each rater rated one sample, which is that rater's own
    // mean, so both samples get the class mean (4.5 stars): 600 · 3.5 / 4 = 525 each.
    ben.send('rate', { round: 0, playerId: ana.sessionId, stars: 5 });
    await stateWhere(host, (s) => s.phase === 'leaderboard', 10_000);
    expect(host.state.players.get(ana.sessionId)!.score).toBe(setup.ana + (SAMPLE_RATING_POINTS * 7) / 8);
    expect(host.state.players.get(ben.sessionId)!.score).toBe(setup.ben + (SAMPLE_RATING_POINTS * 7) / 8);
    await expectError(ben, 'rate', { round: 0, playerId: ana.sessionId, stars: 1 }, 'wrong_phase');

    const res = await fetchReport(h.server.url, code, hostSecret);
    const csv = await res.text();
    expect(csv).toMatch(/Ana.*cosine T=1000 · ddim 20 steps \| rated 5\.0\/5 by 1: Ben 5 → fair 4\.5\/5 \(\+525\)/);
    expect(csv).toMatch(/Ben.*rated 4\.0\/5 by 1: Ana 4 → fair 4\.5\/5 \(\+525\)/);
    expect(csv).toMatch(new RegExp(`sample ""${q.task.caption}""|sample "${q.task.caption}"`));
  });

  it('a second seat cannot rig the ratings: its 5★ for a twin is weighed down and the host sees it', async () => {
    const { room: host, code, hostSecret } = await h.host();
    const names = ['Ana', 'Ben', 'Cai', 'Dee', 'Eli', 'Twin'];
    const rooms: GameRoom[] = [];
    for (const n of names) rooms.push(await h.join(code, n));
    for (const room of [host, ...rooms]) room.onMessage('ratings', () => undefined);
    host.send('host:settings', { playlist: [{ type: 'noise-lab', count: 1, timerSec: 60, options: { challenge: 'sample' } }], relaxed: true });
    await stateWhere(host, (s) => s.players.size === names.length && s.settings.includes('sample'));
    const reveal = nextMessage(host, 'reveal');
    host.send('host:start');
    await stateWhere(host, (s) => s.phase === 'question');
    for (const [i, room] of rooms.entries()) room.send('answer', { round: 0, answer: sample(20 + 30 * i) });
    await reveal;
    const hostLog = recordMessages(host);
    // Ana and Ben made samples the honest raters find equally good (4★, with one rater's habit);
    // the Twin seat gives Ana 5★ and everyone else 1★.
    const quality: Record<string, number> = { Ana: 4, Ben: 4, Cai: 2, Dee: 3, Eli: 2, Twin: 3 };
    const habit: Record<string, number> = { Ana: 0, Ben: 1, Cai: -1, Dee: 0, Eli: 1, Twin: 0 };
    const idOf = (name: string) => rooms[names.indexOf(name)]!.sessionId;
    for (const [r, rater] of names.entries()) {
      for (const target of names) {
        if (target === rater) continue;
        const stars = rater === 'Twin' ? (target === 'Ana' ? 5 : 1) : Math.min(5, Math.max(1, quality[target]! + habit[rater]!));
        rooms[r]!.send('rate', { round: 0, playerId: idOf(target), stars });
      }
    }
    await stateWhere(host, (s) => s.phase === 'leaderboard', 20_000);
    const res = await fetchReport(h.server.url, code, hostSecret);
    const csv = await res.text();
    const paid = (name: string) => Number(new RegExp(`,${name},[^\\n]*\\(\\+(\\d+)\\)`).exec(csv)![1]);
    expect(paid('Ana')).toBeGreaterThan(0);
    expect(paid('Ana')).toBeLessThanOrEqual(1.1 * paid('Ben'));
    // The report says whose weight was cut.
    expect(csv).toMatch(/,Ana,[^\n]*Twin 5 \(weight 0\.\d\d\)/);
    // The host's last tally showed Ana's rating as cut.
    const tallies = hostLog.filter((m) => m.type === 'ratings').at(-1)!.payload as RatingsPayload;
    expect(tallies.tallies.find((t) => t.playerId === idOf('Ana'))!.cut).toBeGreaterThanOrEqual(1);
  });
});
