/**
 * How the server copes with a full classroom: the time for a question to reach every
 * student and for an answer to be acknowledged, with 200 students against a baseline of
 * one student measured in the same run. Prints figures and ratios; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type Room } from '@colyseus/sdk';
import { startServer } from '../server/app.ts';
import { DEFAULT_MAX_PLAYERS } from '../shared/game/lobby-rules.ts';

interface Figures {
  students: number;
  questionP50: number;
  questionMax: number;
  ackP50: number;
  ackP95: number;
}

const ROUNDS = 3;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function next(room: Room, type: string): Promise<unknown> {
  return new Promise((resolve) => {
    const off = room.onMessage(type, (payload: unknown) => {
      off();
      resolve(payload);
    });
  });
}

async function measure(url: string, students: number): Promise<Figures> {
  const quiet = (r: Room) => {
    for (const t of ['welcome', 'question', 'answered', 'reveal', 'error']) r.onMessage(t, () => undefined);
    return r;
  };
  const host = await new Client(url).create('class', { role: 'host', creationToken: randomBytes(18).toString('base64url') });
  const { code } = (await next(host, 'welcome')) as { code: string };
  quiet(host);
  const rooms: Room[] = [];
  for (let i = 0; i < students; i += 20) {
    const batch = Array.from({ length: Math.min(20, students - i) }, (_, j) => new Client(url).joinById(code, { role: 'player', nickname: `s${i + j}` }).then(quiet));
    rooms.push(...(await Promise.all(batch)));
  }
  host.send('host:settings', { playlist: [{ type: 'timestep', count: ROUNDS, timerSec: 60 }], relaxed: true });

  const questionTimes: number[] = [];
  const questionMax: number[] = [];
  const ackTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const arrivals = rooms.map((r) => next(r, 'question').then(() => performance.now() - t0));
    host.send(round === 0 ? 'host:start' : 'host:skip');
    const times = await Promise.all(arrivals);
    questionTimes.push(quantile(times, 0.5));
    questionMax.push(Math.max(...times));
    const reveal = next(host, 'reveal');
    await Promise.all(
      rooms.map(async (r, i) => {
        const sent = performance.now();
        const ack = next(r, 'answered');
        r.send('answer', { round, answer: { t: 1 + ((i * 37) % 1000) } });
        await ack;
        ackTimes.push(performance.now() - sent);
      }),
    );
    await reveal;
    host.send('host:skip'); // reveal → leaderboard; the next loop's skip starts the next round
  }
  for (const r of [host, ...rooms]) {
    r.reconnection.enabled = false;
    await r.leave(true).catch(() => undefined);
  }
  return {
    students,
    questionP50: quantile(questionTimes, 0.5),
    questionMax: Math.max(...questionMax),
    ackP50: quantile(ackTimes, 0.5),
    ackP95: quantile(ackTimes, 0.95),
  };
}

export async function benchServerFanout(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-arena-bench-'));
  const server = await startServer({ port: 0, dataDir, quiet: true, maxPlayers: DEFAULT_MAX_PLAYERS });
  try {
    await measure(server.url, 5); // warm-up: JIT, SQLite, first schedule
    const base = await measure(server.url, 1);
    const full = await measure(server.url, DEFAULT_MAX_PLAYERS);
    const fmt = (n: number) => `${n.toFixed(1)} ms`;
    console.log('\nServer fan-out (question to every student, answer acknowledged), same run:');
    console.table(
      [base, full].map((f) => ({
        students: f.students,
        'question p50': fmt(f.questionP50),
        'question max': fmt(f.questionMax),
        'answer ack p50': fmt(f.ackP50),
        'answer ack p95': fmt(f.ackP95),
      })),
    );
    console.log(
      `ratios ${full.students} vs ${base.students} student: question p50 ×${(full.questionP50 / base.questionP50).toFixed(1)}, ` +
        `answer ack p95 ×${(full.ackP95 / base.ackP95).toFixed(1)} (clients and server share this machine's cores)`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
