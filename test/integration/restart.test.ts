import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Client } from '@colyseus/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { RatingsPayload } from '../../shared/game/engine.ts';
import { GameState } from '../../shared/protocol/state.ts';
import { IMAGE_BYTES } from '../../shared/render/recipes.ts';
import { encodeSample } from '../../shared/rounds/noise-lab-round.ts';
import { freePort, kill9, isRunning, type ServerProcess, startProcess } from '../support/server-process.ts';
import { fetchReport, type GameRoom, nextMessage, sleep, stateWhere } from './harness.ts';

/**
 * A class survives `kill -9`: the server runs as its own process (`node server/main.ts`),
 * is killed without warning mid-question and mid-ratings, and a new process on the same
 * data restores the lobby; the host and the students take their seats back by code.
 */
/** A seat as its owner's page knows it: the welcome's seat key (players) or the host secret. */
interface Seat {
  room: GameRoom;
  nickname: string;
  seatKey: string;
}

async function join(url: string, code: string, nickname: string, seatKey?: string): Promise<Seat> {
  const room = (await new Client(url).joinById(code, { role: 'player', nickname, ...(seatKey ? { seatKey } : {}) }, GameState)) as GameRoom;
  for (const type of ['question', 'answered', 'reveal', 'ratings', 'error']) room.onMessage(type, () => undefined);
  const welcome = await nextMessage(room, 'welcome');
  return { room, nickname, seatKey: welcome.seatKey! };
}

async function host(url: string, code: string, hostSecret: string): Promise<GameRoom> {
  return (await new Client(url).joinById(code, { role: 'host', hostSecret }, GameState)) as GameRoom;
}

const sample = (v: number) => ({ schedule: { kind: 'cosine', T: 1000 }, sampler: 'ddim', steps: 20, image: encodeSample(new Uint8Array(IMAGE_BYTES).fill(v)) });

describe('a class survives a restart', () => {
  const running: ServerProcess[] = [];
  const rooms: GameRoom[] = [];
  afterEach(async () => {
    for (const r of rooms.splice(0)) {
      r.reconnection.enabled = false;
      if (r.connection.isOpen) await Promise.race([r.leave(true).catch(() => undefined), sleep(2000)]);
    }
    for (const p of running.splice(0)) if (isRunning(p)) await kill9(p);
  });

  async function lobby(playlist: unknown[], names: string[]) {
    const port = await freePort();
    const dataDir = mkdtempSync(joinPath(tmpdir(), 'latent-arena-restart-'));
    const first = await startProcess(port, dataDir);
    running.push(first);
    const hostRoom = (await new Client(first.url).create('class', { role: 'host', creationToken: 'a-creation-token-for-this-test' }, GameState)) as GameRoom;
    rooms.push(hostRoom);
    for (const type of ['question', 'reveal', 'ratings', 'error', 'removed']) hostRoom.onMessage(type, () => undefined);
    const welcome = await nextMessage(hostRoom, 'welcome');
    const seats: Seat[] = [];
    for (const n of names) {
      const seat = await join(first.url, welcome.code, n);
      rooms.push(seat.room);
      seats.push(seat);
    }
    hostRoom.send('host:settings', { playlist, relaxed: true });
    await stateWhere(hostRoom, (s) => s.players.size === names.length && s.totalRounds > 0);
    return { port, dataDir, first, hostRoom, code: welcome.code, hostSecret: welcome.hostSecret!, seats };
  }

  /** kill -9, a new process on the same port and data, and everyone back by code. */
  async function crashAndReturn(l: Awaited<ReturnType<typeof lobby>>) {
    for (const r of rooms) r.reconnection.enabled = false;
    await kill9(l.first);
    const second = await startProcess(l.port, l.dataDir);
    running.push(second);
    const hostRoom = await host(second.url, l.code, l.hostSecret);
    rooms.push(hostRoom);
    for (const type of ['welcome', 'question', 'reveal', 'ratings', 'error', 'removed']) hostRoom.onMessage(type, () => undefined);
    const seats: Seat[] = [];
    for (const s of l.seats) {
      const back = await join(second.url, l.code, s.nickname, s.seatKey);
      rooms.push(back.room);
      seats.push(back);
    }
    await stateWhere(hostRoom, (st) => [...st.players.values()].filter((p) => p.connected).length === l.seats.length);
    return { second, hostRoom, seats };
  }

  it('mid-question: the same question is asked again, the answer already given is kept, and the game plays on', async () => {
    const l = await lobby([{ type: 'timestep', count: 2, timerSec: 60 }], ['Ana', 'Ben']);
    const [ana] = l.seats as [Seat, Seat];
    const question = nextMessage(ana.room, 'question');
    l.hostRoom.send('host:start');
    await question;
    const ack = nextMessage(ana.room, 'answered');
    ana.room.send('answer', { round: 0, answer: { t: 321 } });
    await ack;

    const back = await crashAndReturn(l);
    const [ana2, ben2] = back.seats as [Seat, Seat];
    const state = await stateWhere(back.hostRoom, (s) => s.phase === 'question');
    expect(state.round).toBe(0);
    expect(state.answeredCount).toBe(1);
    expect([...state.players.values()].map((p) => p.nickname).sort()).toEqual(['Ana', 'Ben']);
    // Ana's answer is still in: a second one is refused.
    const refused = nextMessage(ana2.room, 'error');
    ana2.room.send('answer', { round: 0, answer: { t: 999 } });
    expect((await refused).code).toBe('already_answered');
    const reveal = nextMessage(ben2.room, 'reveal');
    ben2.room.send('answer', { round: 0, answer: { t: 500 } });
    await reveal;
    await stateWhere(back.hostRoom, (s) => s.phase === 'reveal');
    const csv = await (await fetchReport(back.second.url, l.code, l.hostSecret)).text();
    const lines = csv.trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines.find((line) => line.includes(',Ana,'))).toMatch(/^1,timestep,[^,]+,Ana,321,/);
    expect(lines.find((line) => line.includes(',Ben,'))).toMatch(/^1,timestep,[^,]+,Ben,500,/);
    // The report's points are the scores everyone sees.
    for (const p of back.hostRoom.state.players.values()) {
      const row = lines.find((line) => line.includes(`,${p.nickname},`))!;
      expect(Number(row.split(',')[6])).toBe(p.score);
    }
    ben2.room.send('answer', { round: 0, answer: { t: 1 } }); // too late: changes nothing
    back.hostRoom.send('host:skip');
    await stateWhere(back.hostRoom, (s) => s.phase === 'leaderboard');
    back.hostRoom.send('host:skip');
    await stateWhere(back.hostRoom, (s) => s.phase === 'question' && s.round === 1);
  }, 120_000);

  it('mid-ratings: the reveal reopens with every rating received, and the scores and report come out as if nothing happened', async () => {
    const l = await lobby([{ type: 'noise-lab', count: 1, timerSec: 60, options: { challenge: 'sample' } }], ['Ana', 'Ben', 'Cai']);
    const question = nextMessage(l.seats[0]!.room, 'question');
    l.hostRoom.send('host:start');
    await question;
    const reveal = nextMessage(l.hostRoom, 'reveal');
    for (const [i, s] of l.seats.entries()) s.room.send('answer', { round: 0, answer: sample(30 + 60 * i) });
    await reveal;
    const [ana, ben, cai] = l.seats as [Seat, Seat, Seat];
    const id = (s: Seat) => s.room.sessionId;
    const tally = nextMessage(l.hostRoom, 'ratings');
    ana.room.send('rate', { round: 0, playerId: id(ben), stars: 4 });
    cai.room.send('rate', { round: 0, playerId: id(ben), stars: 5 });
    await tally;
    await new Promise((r) => setTimeout(r, 300)); // both ratings stored
    const setup = new Map([...l.hostRoom.state.players.values()].map((p) => [p.nickname, p.score]));

    const back = await crashAndReturn(l);
    const [ana2, ben2, cai2] = back.seats as [Seat, Seat, Seat];
    await stateWhere(back.hostRoom, (s) => s.phase === 'reveal');
    expect(new Map([...back.hostRoom.state.players.values()].map((p) => [p.nickname, p.score]))).toEqual(setup);
    const refused = nextMessage(ana2.room, 'error');
    ana2.room.send('rate', { round: 0, playerId: ben2.room.sessionId, stars: 1 });
    expect((await refused).code).toBe('already_answered');
    const live = nextMessage(back.hostRoom, 'ratings');
    ben2.room.send('rate', { round: 0, playerId: ana2.room.sessionId, stars: 3 });
    const tallies = (await live) as RatingsPayload;
    expect(tallies.tallies.find((t) => t.playerId === ben2.room.sessionId)).toMatchObject({ count: 2, mean: 4.5 });
    for (const [rater, target] of [
      [ben2, cai2],
      [cai2, ana2],
      [ana2, cai2],
    ] as const)
      rater.room.send('rate', { round: 0, playerId: target.room.sessionId, stars: 4 });
    await stateWhere(back.hostRoom, (s) => s.phase === 'leaderboard', 20_000);
    const csv = await (await fetchReport(back.second.url, l.code, l.hostSecret)).text();
    const rows = csv.trim().split('\r\n').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes(',Ben,'))).toMatch(/rated 4\.5\/5 by 2: Ana 4, Cai 5/);
    for (const p of back.hostRoom.state.players.values()) {
      const row = rows.find((r) => r.includes(`,${p.nickname},`))!;
      expect(Number(/,(\d+),\d+\.\d\d$/.exec(row)![1])).toBe(p.score);
      expect(p.score).toBeGreaterThan(setup.get(p.nickname)!);
    }
  }, 120_000);
});
