import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessages } from '../../shared/protocol/messages.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import type { SpotFakeQuestion, SpotFakeReveal } from '../../shared/rounds/spot-fake-round.ts';
import type { JudgeQuestion, JudgeReveal } from '../../shared/rounds/judge-round.ts';
import { nextMessage, recordMessages, sleep, startHarness, stateWhere, type GameRoom, type Harness, keysOf } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ renderDeadlineMs: 3_000 });
});
afterAll(async () => {
  await h.stop();
});

type Jobs = ServerMessages['render:jobs'];
/** A recognisable fake: the test plays the worker device and paints each job a flat colour. */
const painted = (i: number) => new Uint8Array(IMAGE_BYTES).fill(40 + i * 30);

const LEAKS = ['real', 'truth', 'fake', 'recipe', 'jobs', 'jobId', 'zSeed', 'seed', 'model', 'job', 'trueCaption', 'neural', 'verdict'];

async function lobby(type: 'spot-fake' | 'judge', names: string[], images = 4, source: 'gan' | 'diffusion' = 'gan') {
  const { room: host, code } = await h.host();
  const players: GameRoom[] = [];
  for (const n of names) players.push(await h.join(code, n));
  host.send('host:settings', {
    playlist: [{ type, count: 1, timerSec: 30, options: { images, source, difficulty: 'medium' } }],
    relaxed: true,
  });
  await stateWhere(host, (s) => s.players.size === names.length && JSON.parse(s.settings).playlist[0].type === type);
  return { host, code, players };
}

describe('render jobs', () => {
  it('spot the fake: the host renders, players get opaque pixels and no labels until the reveal', async () => {
    const { host, players } = await lobby('spot-fake', ['Ada', 'Bo', 'Cy'], 4);
    const logs = players.map(recordMessages);
    host.send('render:ready', { backend: 'wasm', msPerImage: 5, volunteer: true });
    await sleep(50);
    const jobsMsg = nextMessage(host, 'render:jobs');
    const questions = players.map((p) => nextMessage(p, 'question'));
    host.send('host:start');
    const jobs = (await jobsMsg) as Jobs;
    expect(jobs.jobs).toHaveLength(2);
    expect(jobs.jobs[0]!.recipe.model).toBe('gan');
    await stateWhere(host, (s) => s.phase === 'preparing');
    jobs.jobs.forEach((job, i) => host.send('render:result', { jobId: job.jobId, pixels: painted(i) }));

    const q = (await questions[0]!).question as SpotFakeQuestion;
    expect(q.images).toHaveLength(4);
    // The worker's flat fills come back served (with sensor-like noise): near-flat, never exact.
    const stats = (px: Uint8Array) => {
      const mean = px.reduce((s, v) => s + v, 0) / px.length;
      return { mean, sd: Math.sqrt(px.reduce((s, v) => s + (v - mean) ** 2, 0) / px.length), exact: px.every((v) => v === px[0]) };
    };
    const uploaded = q.images.map((im) => stats(im.pixels)).filter((st) => st.sd < 15);
    expect(uploaded).toHaveLength(2);
    for (const fill of [40, 70]) expect(uploaded.some((st) => Math.abs(st.mean - fill) < 12)).toBe(true);
    expect(uploaded.some((st) => st.exact)).toBe(false);
    for (const im of q.images) {
      expect(Object.keys(im).sort()).toEqual(['caption', 'id', 'pixels']);
      expect(im.id).toMatch(/^[0-9a-z]{7}$/);
    }
    // Answer: everyone calls every image real, at different confidences.
    const reveals = players.map((p) => nextMessage(p, 'reveal'));
    for (const [k, p] of players.entries()) {
      p.send('answer', { round: 0, answer: { answers: q.images.map((im) => ({ id: im.id, real: true, confidence: [0.6, 0.9, 0.99][k] })) } });
    }
    const before = logs.flatMap((log) => log.filter((m) => m.type !== 'reveal'));
    expect(before.some((m) => m.type === 'render:jobs')).toBe(false);
    for (const m of before) for (const k of LEAKS) expect(keysOf(m.payload).has(k), `${m.type} carries ${k}`).toBe(false);

    const reveal = (await reveals[0]!).reveal as SpotFakeReveal;
    expect(reveal.images.filter((im) => !im.real)).toHaveLength(2);
    for (const im of reveal.images) expect(im.saidReal).toBe(3);
    expect(reveal.images.filter((im) => !im.real).every((im) => im.fooled.length === 3)).toBe(true);
    expect(reveal.classValue).toBeLessThan(0);
    expect(reveal.equilibriumValue).toBeCloseTo(-Math.log(4));
  });

  it('rejects uploads with a wrong job, wrong worker, wrong size, twice, too often or too late', async () => {
    const { host, players } = await lobby('judge', ['Dan', 'Eva'], 6);
    const [dan] = players as [GameRoom];
    host.send('render:ready', { backend: 'wasm', msPerImage: 5, volunteer: false });
    await sleep(50);
    const jobsMsg = nextMessage(host, 'render:jobs');
    host.send('host:start');
    const { jobs } = (await jobsMsg) as Jobs;
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    const expectError = async (room: GameRoom, payload: unknown, code: string) => {
      const error = nextMessage(room, 'error');
      room.send('render:result', payload as never);
      expect((await error).code).toBe(code);
    };
    await expectError(host, { jobId: 'not-a-job', pixels: painted(0) }, 'render_unknown_job');
    await expectError(dan, { jobId: jobs[0]!.jobId, pixels: painted(0) }, 'render_not_yours');
    await expectError(host, { jobId: jobs[0]!.jobId, pixels: new Uint8Array(IMAGE_BYTES - 1) }, 'render_bad_pixels');
    await expectError(host, { jobId: jobs[0]!.jobId, pixels: new Uint8Array(16 * 16 * 3) }, 'render_bad_pixels');
    await expectError(host, { jobId: jobs[0]!.jobId, pixels: 'AAAA' }, 'bad_message');
    await expectError(host, { jobId: jobs[0]!.jobId }, 'bad_message');
    if (jobs.length > 1) {
      host.send('render:result', { jobId: jobs[0]!.jobId, pixels: painted(0) });
      await expectError(host, { jobId: jobs[0]!.jobId, pixels: painted(0) }, 'render_duplicate');
    }
    await stateWhere(host, (s) => s.phase === 'preparing' || s.phase === 'question');
    await stateWhere(host, (s) => s.phase === 'question', 15_000); // the deadline passes; the server renders the rest
    await expectError(host, { jobId: jobs.at(-1)!.jobId, pixels: painted(1) }, 'render_unknown_job');
  });

  it('a volunteer student renders and sits the whole round out with the class average; the others judge every image', async () => {
    const { host, players } = await lobby('judge', ['Fin', 'Gil', 'Hana'], 3);
    const [fin, gil, hana] = players as [GameRoom, GameRoom, GameRoom];
    gil.send('render:ready', { backend: 'webgl', msPerImage: 40, volunteer: true });
    fin.send('render:ready', { backend: 'wasm', msPerImage: 8, volunteer: true }); // the fastest volunteer
    await sleep(50);
    const jobsMsg = nextMessage(fin, 'render:jobs');
    const finQuestion = nextMessage(fin, 'question');
    const gilQuestion = nextMessage(gil, 'question');
    const hanaQuestion = nextMessage(hana, 'question');
    host.send('host:start');
    const { jobs } = (await jobsMsg) as Jobs;
    jobs.forEach((job, i) => fin.send('render:result', { jobId: job.jobId, pixels: painted(i) }));
    const mine = await finQuestion;
    const theirs = await gilQuestion;
    expect(mine.sittingOut).toBe('rendered');
    expect(theirs.sittingOut).toBeUndefined();
    expect((await hanaQuestion).sittingOut).toBeUndefined();
    const items = (theirs.question as JudgeQuestion).items;
    expect(items).toHaveLength(3);
    await stateWhere(host, (s) => s.phase === 'question' && s.answering === 2);
    const error = nextMessage(fin, 'error');
    fin.send('answer', { round: 0, answer: { answers: [{ id: items[0]!.id, verdict: 'fake', confidence: 0.75 }] } });
    expect((await error).code).toBe('rendered_round');
    const revealMsg = nextMessage(gil, 'reveal');
    gil.send('answer', { round: 0, answer: { answers: items.map((it) => ({ id: it.id, verdict: 'fake', confidence: 0.75 })) } });
    hana.send('answer', { round: 0, answer: { answers: items.map((it) => ({ id: it.id, verdict: 'match', confidence: 0.75 })) } });
    const reveal = await revealMsg; // both discriminators answered: the round reveals at once
    expect(reveal.renderedBy).toMatchObject({ nickname: 'Fin' });
    const ids = Object.keys(reveal.points);
    const points = (name: GameRoom) => reveal.points[name.sessionId]!;
    expect(ids).toHaveLength(3);
    expect(points(fin)).toBe(Math.round((points(gil) + points(hana)) / 2));
    expect((reveal.reveal as JudgeReveal).items).toHaveLength(3);
  });

  it('a lone student never renders: someone must be left to judge (Blend, whose recipe holds β)', async () => {
    const { room: host, code } = await h.host();
    const vol = await h.join(code, 'Vic');
    host.send('host:settings', { playlist: [{ type: 'blend', count: 1, timerSec: 30, options: { mode: 'guess', differences: 1 } }], relaxed: true });
    await stateWhere(host, (s) => JSON.parse(s.settings).playlist[0].type === 'blend');
    vol.send('render:ready', { backend: 'wasm', msPerImage: 1, volunteer: true });
    await sleep(50);
    const log = recordMessages(vol);
    const question = nextMessage(vol, 'question', 60_000);
    host.send('host:start');
    const q = await question;
    expect(q.sittingOut).toBeUndefined();
    expect((q.question as { pixels: Uint8Array }).pixels.length).toBe(IMAGE_BYTES);
    expect(log.map((m) => m.type)).not.toContain('render:jobs');
    for (const m of log) expect(keysOf(m.payload).has('beta'), `${m.type} carries beta`).toBe(false);
  }, 60_000);

  it('when the worker is lost, the server renders the fakes itself and the round goes on', async () => {
    const { host, players } = await lobby('spot-fake', ['Ida'], 2);
    host.send('render:ready', { backend: 'wasm', msPerImage: 5, volunteer: false });
    await sleep(50);
    const jobsMsg = nextMessage(host, 'render:jobs');
    const question = nextMessage(players[0]!, 'question', 60_000);
    host.send('host:start');
    await jobsMsg;
    host.reconnection.enabled = false;
    host.connection.close(4999, 'the projector laptop crashed');
    const q = (await question).question as SpotFakeQuestion;
    expect(q.images).toHaveLength(2);
    for (const im of q.images) {
      expect(im.pixels.length).toBe(IMAGE_BYTES);
      expect(new Set(im.pixels).size).toBeGreaterThan(20); // a model's image, not a flat fill
    }
  }, 90_000);

  it("G plays back: a device that reloads on the podium gets the series back, and nothing of G's search", async () => {
    const { room: host, code } = await h.host();
    const ida = await h.join(code, 'Ida');
    host.send('host:settings', {
      playlist: [{ type: 'spot-fake', count: 2, timerSec: 30, options: { images: 2, source: 'gan', difficulty: 'medium', adversarial: true } }],
      relaxed: true,
    });
    await stateWhere(host, (s) => s.players.size === 1 && JSON.parse(s.settings).playlist[0]?.options?.adversarial === true);
    host.send('render:ready', { backend: 'wasm', msPerImage: 5, volunteer: true });
    await sleep(50);
    for (let round = 0; round < 2; round++) {
      const jobsMsg = nextMessage(host, 'render:jobs');
      const question = nextMessage(ida, 'question');
      host.send(round === 0 ? 'host:start' : 'host:skip');
      const jobs = (await jobsMsg) as Jobs;
      jobs.jobs.forEach((job, i) => host.send('render:result', { jobId: job.jobId, pixels: painted(i) }));
      const q = (await question).question as SpotFakeQuestion;
      const reveal = nextMessage(ida, 'reveal');
      ida.send('answer', { round, answer: { answers: q.images.map((im) => ({ id: im.id, real: true, confidence: 0.75 })) } });
      expect(((await reveal).reveal as SpotFakeReveal).adversary).toHaveLength(round + 1);
      host.send('host:skip');
      await stateWhere(host, (s) => s.phase === 'leaderboard');
    }
    host.send('host:skip');
    await stateWhere(host, (s) => s.phase === 'podium');

    // A reload on the podium: the page has lost its reveals, the server sends the series again.
    const token = ida.reconnectionToken;
    ida.reconnection.enabled = false;
    ida.connection.close(4999, 'reload');
    await stateWhere(host, (s) => s.players.get(ida.sessionId)?.connected === false);
    const back = (await h.client().reconnect(token)) as GameRoom;
    const series = await nextMessage(back, 'series');
    const history = series['spot-fake'] as Record<string, unknown>[];
    expect(history.map((r) => r.round)).toEqual([1, 2]);
    expect(history[1]!.foolRate).toBe(1); // Ida called every fake real
    // The curve only: no candidate, z, ψ or caption of G's search (they would tell the next fakes).
    for (const row of history) expect(Object.keys(row).sort()).toEqual(['classValue', 'foolRate', 'neuralFoolRate', 'neuralValue', 'round']);
  }, 90_000);

  it('with no worker at all, the server renders diffusion fakes itself', async () => {
    const { host, players } = await lobby('judge', ['Jo'], 3, 'diffusion');
    const question = nextMessage(players[0]!, 'question', 120_000);
    host.send('host:start');
    const q = (await question).question as JudgeQuestion;
    expect(q.items).toHaveLength(3);
    for (const it of q.items) {
      expect(it.pixels.length).toBe(IMAGE_BYTES);
      expect(new Set(it.pixels).size).toBeGreaterThan(20);
    }
  }, 150_000);
});

describe('generator team', () => {
  it('lets a generator player pick the fakes and pays them what the discriminators lose', async () => {
    const { room: host, code } = await h.host();
    const players: GameRoom[] = [];
    for (const n of ['Gen', 'Dee', 'Dot']) players.push(await h.join(code, n));
    host.send('host:settings', {
      playlist: [{ type: 'spot-fake', count: 1, timerSec: 30, options: { images: 4, source: 'gan', difficulty: 'easy', generators: 1 } }],
      relaxed: true,
    });
    await stateWhere(host, (s) => s.players.size === 3 && s.settings.includes('generators'));
    host.send('render:ready', { backend: 'wasm', msPerImage: 5, volunteer: false });
    await sleep(50);
    const candidates = players.map((p) => nextMessage(p, 'gen:candidates', 2_000).catch(() => null));
    const jobsMsg = nextMessage(host, 'render:jobs');
    host.send('host:start');
    const received = await Promise.all(candidates);
    expect(received.filter((c) => c !== null)).toHaveLength(1); // exactly one generator, and only they get candidates
    const gIndex = received.findIndex((c) => c !== null);
    const offers = received[gIndex]!;
    const g = players[gIndex]!;
    const ds = players.filter((_, i) => i !== gIndex);
    const { slots } = offers!;
    expect(slots).toHaveLength(2);
    expect(slots[0]!.candidates).toHaveLength(4);
    const error = nextMessage(ds[0]!, 'error');
    ds[0]!.send('gen:pick', { slot: slots[0]!.slot, candidate: 1 });
    expect((await error).code).toBe('not_generator');
    for (const slot of slots) g.send('gen:pick', { slot: slot.slot, candidate: 2 });

    const { jobs } = (await jobsMsg) as Jobs;
    expect(jobs.map((j) => j.recipe)).toEqual(slots.map((s) => s.candidates[2]));
    const questions = ds.map((d) => nextMessage(d, 'question'));
    jobs.forEach((job, i) => host.send('render:result', { jobId: job.jobId, pixels: painted(i) }));
    const q = (await questions[0]!).question as SpotFakeQuestion;
    const gError = nextMessage(g, 'error');
    g.send('answer', { round: 0, answer: { answers: [] } });
    expect((await gError).code).toBe('generator_turn');

    const reveal = nextMessage(host, 'reveal');
    // Both discriminators call everything real at 0.99: each fake fools them.
    for (const d of ds) d.send('answer', { round: 0, answer: { answers: q.images.map((im) => ({ id: im.id, real: true, confidence: 0.99 })) } });
    const r = (await reveal).reveal as SpotFakeReveal;
    // D gave p = 0.01 to the truth on each fake: 0 points, so G earns the full 100 per fake.
    expect(r.generators).toHaveLength(2);
    for (const credit of r.generators) {
      expect(credit.playerId).toBe(g.sessionId);
      expect(credit.points).toBe(100);
      expect(credit.fooled.sort()).toEqual(ds.map((d) => host.state.players.get(d.sessionId)!.nickname).sort());
    }
    await stateWhere(host, (s) => s.players.get(g.sessionId)?.score === 200);
  });
});
