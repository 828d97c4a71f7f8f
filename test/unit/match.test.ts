import { describe, expect, it } from 'vitest';
import { RATING_MS, REVEAL_MS, type ResultRow } from '../../shared/game/engine.ts';
import {
  JUDGE_WAIT_MS,
  LEADERBOARD_MS,
  Match,
  NEURAL_WAIT_MS,
  RATED_GRACE_MS,
  RATINGS_EVENT_MS,
  type FakeOrder,
  type MadeFakes,
  type MatchClock,
  type MatchEvents,
  type MatchOptions,
  type MatchPorts,
  type MatchSnapshot,
} from '../../shared/game/match.ts';
import { decodeSnapshot, encodeSnapshot } from '../../shared/game/snapshot-json.ts';
import type { StoredAnswer, StoredRating } from '../../shared/game/engine.ts';
import type { GameSettings } from '../../shared/game/settings.ts';
import { GameError } from '../../shared/protocol/errors.ts';
import { seededSource } from '../../shared/random.ts';
import { IMAGE_BYTES, type NeuralOpponents } from '../../shared/render/recipes.ts';
import { encodeSample, type LabAnswer } from '../../shared/rounds/noise-lab-round.ts';

/** A clock the test moves by hand: timers fire in due order, and promises settle between them. */
class ManualClock implements MatchClock {
  private time = 0;
  private seq = 0;
  private timers: { due: number; seq: number; every: number | null; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { due: this.time + ms, seq: this.seq++, every: null, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  every(ms: number, callback: () => void): () => void {
    const timer = { due: this.time + ms, seq: this.seq++, every: ms, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves time on by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.time = next.due;
      if (next.every === null) this.timers = this.timers.filter((t) => t !== next);
      else next.due += next.every;
      next.callback();
      await settle();
    }
    this.time = end;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const pixels = (v: number) => new Uint8Array(IMAGE_BYTES).fill(v);
const never = <T>() => new Promise<T>(() => undefined);

interface Harness {
  match: Match;
  clock: ManualClock;
  events: { [K in keyof MatchEvents]: MatchEvents[K][] };
  orders: FakeOrder[];
  stored: { recorded: ResultRow[]; updated: ResultRow[]; ended: number; settings: number };
  /** What a restart would find: the last snapshot and every answer and rating on receipt. */
  saved: { snapshot: MatchSnapshot | null; answers: StoredAnswer[]; ratings: StoredRating[] };
  hurried: number;
  /** What makeFakes returns for the next order; by default every job rendered at once. */
  fakes: (order: FakeOrder) => Promise<MadeFakes>;
  opponents: NeuralOpponents;
}

interface Saved {
  snapshot: MatchSnapshot | null;
  answers: StoredAnswer[];
  ratings: StoredRating[];
}

function harness(settings: GameSettings, players: string[] = ['a'], options: MatchOptions = {}, restoreFrom?: Saved): Harness {
  const clock = new ManualClock();
  const h: Harness = {
    match: undefined as unknown as Match,
    clock,
    events: { status: [], question: [], answered: [], reveal: [], ratings: [], scores: [], failed: [] },
    orders: [],
    stored: { recorded: [], updated: [], ended: 0, settings: 0 },
    saved: { snapshot: null, answers: [], ratings: [] },
    hurried: 0,
    fakes: (order) => Promise.resolve({ renders: order.jobs.map((_, i) => pixels(10 + i)), renderedBy: null, generators: new Map() }),
    opponents: {
      discriminate: (images) => Promise.resolve(images.map(() => 0.5)),
      judge: (images) => Promise.resolve(images.map(() => 0.75)),
    },
  };
  const ports: MatchPorts = {
    clock,
    makeFakes: (order) => {
      h.orders.push(order);
      return h.fakes(order);
    },
    hurryFakes: () => {
      h.hurried += 1;
    },
    opponents: () => h.opponents,
    store: {
      recordResults: (rows) => h.stored.recorded.push(...rows),
      updateResults: (rows) => h.stored.updated.push(...rows),
      updateSettings: () => {
        h.stored.settings += 1;
      },
      endGame: () => {
        h.stored.ended += 1;
      },
      // Through the snapshot's JSON, as the database holds it.
      saveSnapshot: (snapshot) => {
        h.saved.snapshot = decodeSnapshot(encodeSnapshot(snapshot)) as MatchSnapshot;
      },
      saveAnswer: (answer) => h.saved.answers.push(decodeSnapshot(encodeSnapshot(answer)) as StoredAnswer),
      saveRating: (rating) => h.saved.ratings.push(rating),
    },
    emit: (type, payload) => (h.events[type] as unknown[]).push(payload),
    warn: () => undefined,
  };
  if (restoreFrom) {
    h.saved = { snapshot: restoreFrom.snapshot, answers: [...restoreFrom.answers], ratings: [...restoreFrom.ratings] };
    h.match = Match.restore(restoreFrom.snapshot!, seededSource(8), ports, options, restoreFrom.answers, restoreFrom.ratings);
    h.match.resume();
    return h;
  }
  h.match = new Match(settings, seededSource(7), ports, options);
  for (const id of players) h.match.addPlayer(id, `Player ${id}`);
  return h;
}

const timestep = (count: number, timerSec = 20): GameSettings => ({ playlist: [{ type: 'timestep', count, timerSec }], relaxed: false });
const spotFake = (count = 1): GameSettings => ({ playlist: [{ type: 'spot-fake', count, timerSec: 30 }], relaxed: false });
const labSample: GameSettings = { playlist: [{ type: 'noise-lab', count: 1, timerSec: 60, options: { challenge: 'sample' } }], relaxed: true };
const sampleAnswer = (v: number): LabAnswer => ({ schedule: { kind: 'cosine', T: 1000 }, sampler: 'ddim', steps: 20, image: encodeSample(pixels(v)) });

function refusal(action: () => void): string {
  try {
    action();
  } catch (error) {
    if (error instanceof GameError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('the match machine (one phase flow for the class room and solo)', () => {
  it('goes lobby → question → reveal → leaderboard → … → podium on its clock, with each phase length in the status', async () => {
    const h = harness(timestep(2));
    expect(h.match.status).toMatchObject({ phase: 'lobby', round: -1, totalRounds: 2, phaseMs: 0 });
    h.match.start();
    expect(h.match.status).toMatchObject({ phase: 'question', round: 0, roundType: 'timestep', phaseMs: 20_000, secondsLeft: 20 });
    expect(h.events.question).toHaveLength(1);
    expect(h.orders).toHaveLength(0); // timestep has no fakes: no preparing phase
    await h.clock.advance(5_000);
    expect(h.match.status.secondsLeft).toBe(15);
    expect(h.match.remainingMs()).toBe(15_000);
    await h.clock.advance(15_000);
    expect(h.match.status).toMatchObject({ phase: 'reveal', phaseMs: REVEAL_MS });
    expect(h.events.reveal).toHaveLength(1);
    expect(h.stored.recorded).toHaveLength(1); // the unanswered player has a row
    expect(h.stored.recorded[0]!.answer).toBe('');
    await h.clock.advance(REVEAL_MS);
    expect(h.match.status).toMatchObject({ phase: 'leaderboard', phaseMs: LEADERBOARD_MS });
    await h.clock.advance(LEADERBOARD_MS);
    expect(h.match.status).toMatchObject({ phase: 'question', round: 1 });
    await h.clock.advance(20_000 + REVEAL_MS + LEADERBOARD_MS);
    expect(h.match.status).toMatchObject({ phase: 'podium', phaseMs: 0, secondsLeft: 0 });
    expect(h.stored.ended).toBe(1);
    expect(h.events.status.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1])).toEqual([
      'lobby',
      'question',
      'reveal',
      'leaderboard',
      'question',
      'reveal',
      'leaderboard',
      'podium',
    ]);
    // The podium is final: nothing more happens, however long it stays up.
    const statusCount = h.events.status.length;
    await h.clock.advance(600_000);
    expect(h.events.status).toHaveLength(statusCount);
  });

  it('reveals as soon as every player has answered, and counts answers in the status', async () => {
    const h = harness(timestep(1), ['a', 'b']);
    h.match.start();
    h.match.answer('a', 0, { t: 500 });
    expect(h.match.status.answeredCount).toBe(1);
    expect(h.events.answered).toEqual([{ playerId: 'a', round: 0 }]);
    expect(h.match.hasAnswered('a')).toBe(true);
    expect(refusal(() => h.match.answer('a', 0, { t: 400 }))).toBe('already_answered');
    expect(refusal(() => h.match.answer('b', 1, { t: 400 }))).toBe('wrong_round');
    expect(refusal(() => h.match.answer('b', 0, { t: 0 }))).toBe('bad_message');
    expect(h.match.status.answeredCount).toBe(1);
    h.match.answer('b', 0, { t: 600 });
    await h.clock.advance(0);
    expect(h.match.phase).toBe('reveal');
    expect(h.stored.recorded.map((r) => r.playerId).sort()).toEqual(['a', 'b']);
    expect(h.events.scores.at(-1)!.every((s) => s.score > 0 || s.lastPoints === 0)).toBe(true);
    // After the reveal the question is gone for everyone.
    expect(h.match.questionFor('a')).toBeNull();
    expect(refusal(() => h.match.answer('a', 0, { t: 500 }))).toBe('not_answering');
  });

  it('pauses mid-question: the clock stands still and answers wait', async () => {
    const h = harness(timestep(1));
    h.match.start();
    await h.clock.advance(4_000);
    h.match.pause(true);
    expect(h.match.status.paused).toBe(true);
    await h.clock.advance(120_000);
    expect(h.match.phase).toBe('question');
    expect(h.match.remainingMs()).toBe(16_000);
    expect(h.match.questionFor('a')!.remainingMs).toBe(16_000);
    expect(refusal(() => h.match.answer('a', 0, { t: 500 }))).toBe('paused');
    h.match.pause(false);
    await h.clock.advance(15_800);
    expect(h.match.phase).toBe('question');
    await h.clock.advance(400);
    expect(h.match.phase).toBe('reveal');
  });

  it('pauses a reveal and a leaderboard too, and a paused phase keeps its pause into the next', async () => {
    const h = harness(timestep(2));
    h.match.start();
    h.match.answer('a', 0, { t: 100 });
    await h.clock.advance(0);
    h.match.pause(true);
    await h.clock.advance(REVEAL_MS * 3);
    expect(h.match.phase).toBe('reveal');
    h.match.skip(); // the host moves on by hand while paused
    expect(h.match.status).toMatchObject({ phase: 'leaderboard', paused: true });
    await h.clock.advance(LEADERBOARD_MS * 3);
    expect(h.match.phase).toBe('leaderboard');
    h.match.pause(false);
    await h.clock.advance(LEADERBOARD_MS);
    expect(h.match.phase).toBe('question');
  });

  it('skips in every phase, and refuses where there is nothing to skip', async () => {
    const h = harness(spotFake(2));
    expect(refusal(() => h.match.skip())).toBe('wrong_phase');
    expect(refusal(() => h.match.pause(true))).toBe('wrong_phase');
    const making = deferred<MadeFakes>();
    h.fakes = () => making.promise;
    h.match.start();
    expect(h.match.status).toMatchObject({ phase: 'preparing', phaseMs: 0 });
    h.match.skip(); // preparing: stop waiting on devices; the renderer fills in the rest
    expect(h.hurried).toBe(1);
    making.resolve({ renders: h.orders[0]!.jobs.map((_, i) => pixels(i)), renderedBy: null, generators: new Map() });
    await h.clock.advance(0);
    expect(h.match.phase).toBe('question');
    h.match.skip(); // question → reveal, after the opponents' short wait
    await h.clock.advance(0);
    expect(h.match.phase).toBe('reveal');
    h.match.skip();
    expect(h.match.phase).toBe('leaderboard');
    h.fakes = (order) => Promise.resolve({ renders: order.jobs.map(() => pixels(3)), renderedBy: null, generators: new Map() });
    h.match.skip(); // leaderboard → preparing the next round
    expect(h.match.phase).toBe('preparing');
    await h.clock.advance(0);
    expect(h.match.status).toMatchObject({ phase: 'question', round: 1 });
    h.match.skip();
    await h.clock.advance(0);
    h.match.skip();
    h.match.skip(); // the last leaderboard → podium
    expect(h.match.phase).toBe('podium');
    expect(refusal(() => h.match.skip())).toBe('wrong_phase');
    expect(refusal(() => h.match.end())).toBe('game_over');
  });

  it('gives up on a worker that never delivers: the game ends with a failure instead of preparing for ever', async () => {
    const h = harness(spotFake(), ['a'], { prepareLimitMs: 60_000 });
    const late = deferred<MadeFakes>();
    h.fakes = () => late.promise;
    h.match.start();
    await h.clock.advance(59_000);
    expect(h.match.phase).toBe('preparing');
    await h.clock.advance(1_000);
    expect(h.match.phase).toBe('podium');
    expect(h.events.failed).toEqual([{ reason: 'the models took too long' }]);
    expect(h.hurried).toBe(1);
    expect(h.stored.ended).toBe(1);
    late.resolve({ renders: h.orders[0]!.jobs.map(() => pixels(1)), renderedBy: null, generators: new Map() });
    await h.clock.advance(1_000);
    expect(h.match.phase).toBe('podium');
    expect(h.events.question).toHaveLength(0);
  });

  it('ends with a failure when the fakes cannot be made', async () => {
    const h = harness(spotFake());
    h.fakes = () => Promise.reject(new Error('no weights'));
    h.match.start();
    await h.clock.advance(0);
    expect(h.match.phase).toBe('podium');
    expect(h.events.failed).toEqual([{ reason: 'no weights' }]);
    expect(h.events.question).toHaveLength(0);
  });

  it('ends during preparing: the podium at once, and the fakes that arrive later are ignored', async () => {
    const h = harness(spotFake());
    const late = deferred<MadeFakes>();
    h.fakes = () => late.promise;
    h.match.start();
    h.match.end();
    expect(h.match.phase).toBe('podium');
    expect(h.hurried).toBe(1);
    late.resolve({ renders: h.orders[0]!.jobs.map(() => pixels(1)), renderedBy: null, generators: new Map() });
    await h.clock.advance(300_000);
    expect(h.match.phase).toBe('podium');
    expect(h.events.question).toHaveLength(0);
    expect(h.events.failed).toHaveLength(0);
    expect(h.stored.ended).toBe(1);
  });

  it('ends mid-question: the answers given count and reach the report', async () => {
    const h = harness(timestep(3), ['a', 'b']);
    h.match.start();
    h.match.answer('a', 0, { t: 300 });
    h.match.end();
    expect(h.match.phase).toBe('podium');
    expect(h.stored.recorded.map((r) => [r.playerId, r.answer !== ''])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(h.match.standings().find((s) => s.id === 'a')!.score).toBe(h.stored.recorded[0]!.points);
    expect(h.events.scores).toHaveLength(1);
  });

  it('hands each round its fake order; the student whose device rendered it sits the round out with the class average', async () => {
    const h = harness(spotFake(), ['a', 'b', 'c']);
    h.fakes = (order) => Promise.resolve({ renders: order.jobs.map(() => pixels(9)), renderedBy: 'b', generators: new Map() });
    h.match.start();
    await h.clock.advance(0);
    expect(h.orders[0]).toMatchObject({ round: 0, type: 'spot-fake', generators: 0 });
    expect(h.match.questionFor('b')).toMatchObject({ sittingOut: 'rendered' });
    expect(h.match.questionFor('a')).not.toHaveProperty('sittingOut');
    expect(h.match.status.answering).toBe(2);
    expect(refusal(() => h.match.answer('b', 0, { answers: [] }))).toBe('rendered_round');
    const images = (h.match.questionFor('a')!.question as { images: { id: string }[] }).images;
    // 'a' answers every image, 'c' none: b's points are the mean of a's and c's (0).
    h.match.answer('a', 0, { answers: images.map((im) => ({ id: im.id, real: true, confidence: 0.6 })) });
    h.match.answer('c', 0, { answers: [] });
    await h.clock.advance(0);
    expect(h.match.status.phase).toBe('reveal');
    const rows = h.stored.recorded;
    const points = (id: string) => rows.find((r) => r.playerId === id)!.points;
    expect(points('b')).toBe(Math.round((points('a') + points('c')) / 2));
    expect(rows.find((r) => r.playerId === 'b')!.answer).toMatch(/rendered/);
  });

  it('survives a restart mid-question: the same question is asked again in full, with the answers already received kept', async () => {
    const h = harness(spotFake(2), ['a', 'b']);
    h.match.start();
    await h.clock.advance(0);
    const before = h.match.questionFor('b')!;
    const images = (before.question as { images: { id: string }[] }).images;
    h.match.answer('a', 0, { answers: images.map((im) => ({ id: im.id, real: true, confidence: 0.9 })) });
    await h.clock.advance(12_000);
    const aPoints = h.saved.answers[0]!.points;
    // The process dies; a new one restores the lobby from what was saved.
    const r = harness(spotFake(2), [], {}, h.saved);
    expect(r.match.status).toMatchObject({ phase: 'question', round: 0, roundType: 'spot-fake', phaseMs: 30_000, answeredCount: 1 });
    expect(r.events.question).toHaveLength(1);
    expect(r.match.questionFor('b')!.question).toEqual(before.question);
    expect(refusal(() => r.match.answer('a', 0, { answers: [] }))).toBe('already_answered');
    r.match.answer('b', 0, { answers: [] });
    await r.clock.advance(0);
    expect(r.match.status.phase).toBe('reveal');
    expect(r.stored.recorded.find((row) => row.playerId === 'a')!.points).toBe(aPoints);
    expect(r.match.standings().find((p) => p.id === 'a')!.score).toBe(aPoints);
    // …and the game goes on to its second round and the podium.
    await r.clock.advance(REVEAL_MS + LEADERBOARD_MS);
    expect(r.match.status).toMatchObject({ phase: 'question', round: 1 });
  });

  it('survives a restart mid-ratings: the reveal reopens with every rating received, and a player can move to a new seat', async () => {
    const h = harness(labSample, ['a', 'b', 'c']);
    h.match.start();
    await h.clock.advance(0);
    for (const [i, id] of ['a', 'b', 'c'].entries()) h.match.answer(id, 0, sampleAnswer(40 + i * 50));
    await h.clock.advance(0);
    expect(h.match.status.phase).toBe('reveal');
    h.match.rate('a', 0, 'b', 4);
    h.match.rate('c', 0, 'b', 5);
    const scores = new Map(h.match.standings().map((p) => [p.id, p.score]));
    const r = harness(labSample, [], {}, h.saved);
    expect(r.match.status).toMatchObject({ phase: 'reveal', phaseMs: RATING_MS });
    expect(r.events.reveal).toHaveLength(1);
    expect(r.match.engine.ratingsPayload()!.tallies.find((t) => t.playerId === 'b')).toMatchObject({ count: 2, mean: 4.5 });
    expect(new Map(r.match.standings().map((p) => [p.id, p.score]))).toEqual(scores);
    expect(refusal(() => r.match.rate('a', 0, 'b', 1))).toBe('already_answered');
    // 'a' comes back on a new connection: the seat, its rating and its sample move with it.
    r.match.rekeyPlayer('a', 'a2');
    expect(refusal(() => r.match.rate('a2', 0, 'b', 1))).toBe('already_answered');
    r.match.rate('b', 0, 'a2', 3);
    expect(r.match.engine.ratingsPayload()!.tallies.find((t) => t.playerId === 'a2')).toMatchObject({ count: 1 });
    await r.clock.advance(RATING_MS);
    expect(r.match.status.phase).toBe('leaderboard');
    expect(r.stored.updated.map((row) => row.playerId).sort()).toEqual(['a2', 'b', 'c']);
  });

  it('counts a generator team out of the answering players', async () => {
    const h = harness(spotFake(), ['a', 'b', 'c']);
    h.fakes = (order) => Promise.resolve({ renders: order.jobs.map(() => pixels(9)), renderedBy: null, generators: new Map([['c', [0, 1]]]) });
    expect(h.match.status.answering).toBe(3);
    h.match.start();
    await h.clock.advance(0);
    expect(h.match.status).toMatchObject({ phase: 'question', answering: 2 });
    expect(refusal(() => h.match.answer('c', 0, { answers: [] }))).toBe('generator_turn');
    h.match.answer('a', 0, { answers: [] });
    h.match.answer('b', 0, { answers: [] });
    await h.clock.advance(0);
    expect(h.match.status).toMatchObject({ phase: 'reveal', answering: 3 });
  });

  it('waits for the neural opponents at most NEURAL_WAIT_MS before revealing', async () => {
    const h = harness(spotFake());
    h.opponents = { ...h.opponents, discriminate: never };
    h.match.start();
    await h.clock.advance(0);
    h.match.answer('a', 0, { answers: [] });
    await h.clock.advance(NEURAL_WAIT_MS - 1);
    expect(h.match.phase).toBe('question');
    expect(refusal(() => h.match.skip())).toBe('wrong_phase'); // already closing
    await h.clock.advance(1);
    expect(h.match.phase).toBe('reveal');
  });

  it('solo: the neural judge rates the samples before the reveal, waiting at most JUDGE_WAIT_MS', async () => {
    const h = harness(labSample, ['a'], { neuralJudge: true });
    const judged: number[] = [];
    h.opponents = {
      ...h.opponents,
      judge: (images) => {
        judged.push(images.length);
        return never();
      },
    };
    h.match.start();
    h.match.answer('a', 0, sampleAnswer(40));
    await h.clock.advance(JUDGE_WAIT_MS - 1);
    expect(judged).toEqual([1]);
    expect(h.match.phase).toBe('question');
    await h.clock.advance(1);
    expect(h.match.status).toMatchObject({ phase: 'reveal', phaseMs: REVEAL_MS }); // one player: nobody else rates
  });

  it("solo: the judge's verdict is in the reveal", async () => {
    const h = harness(labSample, ['a'], { neuralJudge: true });
    h.match.start();
    h.match.answer('a', 0, sampleAnswer(40));
    await h.clock.advance(0);
    expect(h.events.reveal[0]!.ratings!.tallies).toEqual([expect.objectContaining({ playerId: 'a', judge: 0.75, count: 1 })]);
    await h.clock.advance(REVEAL_MS);
    expect(h.match.phase).toBe('leaderboard');
    expect(h.stored.updated).toHaveLength(1); // the rating points reach the store
  });

  it('a class rates during a long reveal, which shortens once every sample is rated', async () => {
    const h = harness(labSample, ['a', 'b']);
    h.match.start();
    expect(refusal(() => h.match.rate('a', 0, 'b', 4))).toBe('wrong_phase');
    h.match.answer('a', 0, sampleAnswer(40));
    h.match.answer('b', 0, sampleAnswer(80));
    await h.clock.advance(0);
    expect(h.match.status).toMatchObject({ phase: 'reveal', phaseMs: RATING_MS });
    h.match.rate('a', 0, 'b', 4);
    h.match.rate('b', 0, 'a', 2);
    expect(h.events.ratings).toHaveLength(0); // one event for a burst of stars
    await h.clock.advance(RATINGS_EVENT_MS);
    expect(h.events.ratings).toHaveLength(1);
    expect(h.match.status).toMatchObject({ phase: 'reveal', phaseMs: RATED_GRACE_MS });
    await h.clock.advance(RATED_GRACE_MS);
    expect(h.match.phase).toBe('leaderboard');
    expect(h.events.ratings.at(-1)!.open).toBe(false);
    expect(h.stored.updated.map((r) => r.playerId).sort()).toEqual(['a', 'b']);
  });

  it('a player who leaves does not hold up the question', async () => {
    const h = harness(timestep(1), ['a', 'b']);
    h.match.start();
    h.match.answer('a', 0, { t: 200 });
    h.match.removePlayer('b');
    await h.clock.advance(0);
    expect(h.match.phase).toBe('reveal');
    expect(h.match.playerCount).toBe(1);
  });

  it('keeps one nickname rule for joining and renaming', () => {
    const h = harness(timestep(1), ['a', 'b']);
    expect(refusal(() => h.match.addPlayer('c', 'player a'))).toBe('nickname_taken');
    expect(refusal(() => h.match.rename('b', 'Player A'))).toBe('nickname_taken');
    expect(refusal(() => h.match.rename('b', ''))).not.toBe('accepted');
    expect(refusal(() => h.match.rename('zz', 'Zed'))).toBe('no_such_player');
    expect(h.match.rename('b', '  Bea  ')).toBe('Bea');
    expect(h.match.rename('b', 'Bea')).toBe('Bea'); // one's own name again is fine
  });

  it('changes the playlist only in the lobby, and stores it', () => {
    const h = harness(timestep(1));
    h.match.configure(timestep(4));
    expect(h.match.status.totalRounds).toBe(4);
    expect(h.stored.settings).toBe(1);
    h.match.start();
    expect(refusal(() => h.match.configure(timestep(2)))).toBe('wrong_phase');
    expect(refusal(() => h.match.start())).toBe('wrong_phase');
  });

  it('refuses to start with nobody to play', () => {
    const h = harness(timestep(1), []);
    expect(refusal(() => h.match.start())).toBe('no_players');
  });
});
