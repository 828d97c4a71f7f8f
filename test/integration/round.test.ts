import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuestionPayload } from '../../shared/game/engine.ts';
import { timestepScore, type TimestepReveal } from '../../shared/rounds/timestep-round.ts';
import { nextMessage, recordMessages, sleep, startHarness, stateWhere, type GameRoom, type Harness, keysOf, fetchReport } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

/** Keys anywhere in a payload (the shape a leak would take). */

async function lobbyWith(names: string[], settings = { playlist: [{ type: 'timestep', count: 2, timerSec: 30 }], relaxed: true }) {
  const { room: host, code, hostSecret } = await h.host();
  const players: GameRoom[] = [];
  for (const n of names) players.push(await h.join(code, n));
  host.send('host:settings', settings);
  await stateWhere(host, (s) => s.players.size === names.length && s.totalRounds === settings.playlist[0]!.count * (settings.relaxed ? 1 : 1));
  return { host, code, hostSecret, players };
}

describe('Guess the timestep round', () => {
  it('plays a round: pixels only before the reveal, exact scores after', async () => {
    const { host, players } = await lobbyWith(['Ana', 'Ben', 'Cleo']);
    const logs = players.map(recordMessages);
    const questions = players.map((p) => nextMessage(p, 'question'));
    host.send('host:start');
    const q = (await questions[0]!) as QuestionPayload & { question: { pixels: Uint8Array; T: number } };
    expect(q).toMatchObject({ round: 0, totalRounds: 2, type: 'timestep' });
    expect(q.question.pixels).toBeInstanceOf(Uint8Array);
    expect(q.question.pixels.length).toBe(32 * 32 * 3);
    expect(q.question.T).toBe(1000);
    await stateWhere(host, (s) => s.phase === 'question' && s.secondsLeft > 0);

    const guesses = [100, 500, 900];
    const reveals = players.map((p) => nextMessage(p, 'reveal'));
    for (const [i, p] of players.entries()) {
      const ack = nextMessage(p, 'answered');
      p.send('answer', { round: 0, answer: { t: guesses[i] } });
      await ack;
      if (i < players.length - 1) await stateWhere(host, (s) => s.answeredCount === i + 1);
    }
    // Everything a player received before the reveal: no truth, no clean image, no caption.
    const beforeReveal = logs.flatMap((log) => log.filter((m) => m.type !== 'reveal'));
    for (const m of beforeReveal) {
      const keys = keysOf(m.payload);
      for (const forbidden of ['t', 'truth', 'secret', 'clean', 'caption', 'alphaBar', 'imageSeed', 'seed']) {
        expect(keys.has(forbidden), `${m.type} carries "${forbidden}"`).toBe(false);
      }
    }
    for (const p of players) expect(JSON.stringify(p.state.toJSON())).not.toMatch(/"t"|truth|secret|caption/);

    const reveal = (await reveals[0]!).reveal as TimestepReveal;
    expect(reveal.t).toBeGreaterThanOrEqual(1);
    expect(reveal.t).toBeLessThanOrEqual(1000);
    expect(reveal.clean.length).toBe(3072);
    expect(reveal.guesses).toHaveLength(3);
    await stateWhere(host, (s) => s.phase === 'reveal');
    for (const [i, p] of players.entries()) {
      // Relaxed pace: no speed bonus, so points follow the closeness formula exactly.
      const expected = timestepScore(reveal.t, guesses[i]!, null).points;
      expect(host.state.players.get(p.sessionId)?.score).toBe(expected);
      expect(reveal.guesses.find((g) => g.playerId === p.sessionId)?.points).toBe(expected);
    }
    const ranks = [...host.state.players.values()].map((p) => p.rank);
    expect(Math.min(...ranks)).toBe(1);
  });

  it('refuses duplicate, wrong-round, malformed and paused answers without changing scores', async () => {
    const { host, players } = await lobbyWith(['Dee', 'Eli']);
    const [dee, eli] = players as [GameRoom, GameRoom];
    const question = nextMessage(dee, 'question');
    host.send('host:start');
    await question;
    const expectError = async (room: GameRoom, payload: unknown, code: string) => {
      const error = nextMessage(room, 'error');
      room.send('answer', payload as never);
      expect((await error).code).toBe(code);
    };
    await expectError(dee, { round: 0, answer: { t: 0 } }, 'bad_message');
    await expectError(dee, { round: 0, answer: { t: 1001 } }, 'bad_message');
    await expectError(dee, { round: 0, answer: { t: 12.5 } }, 'bad_message');
    await expectError(dee, { round: 0, answer: { t: '10' } }, 'bad_message');
    await expectError(dee, { round: 0, answer: { t: 10, extra: 1 } }, 'bad_message');
    await expectError(dee, { round: 'zero', answer: { t: 10 } }, 'bad_message');
    await expectError(dee, { round: 1, answer: { t: 10 } }, 'wrong_round');
    const ack = nextMessage(dee, 'answered');
    dee.send('answer', { round: 0, answer: { t: 300 } });
    await ack;
    await expectError(dee, { round: 0, answer: { t: 301 } }, 'already_answered');

    host.send('host:pause', { paused: true });
    await stateWhere(host, (s) => s.paused);
    const frozen = host.state.secondsLeft;
    await expectError(eli, { round: 0, answer: { t: 500 } }, 'paused');
    await sleep(1300);
    expect(host.state.secondsLeft).toBe(frozen);
    expect(host.state.phase).toBe('question');
    host.send('host:pause', { paused: false });
    await stateWhere(host, (s) => !s.paused);
    expect(host.state.answeredCount).toBe(1);
    for (const p of host.state.players.values()) expect(p.score).toBe(0);
  });

  it('skips phases, ends the game on the podium, and reports one row per player per round', async () => {
    const { host, code, hostSecret, players } = await lobbyWith(['Fay', 'Gus'], {
      playlist: [{ type: 'timestep', count: 3, timerSec: 30 }],
      relaxed: false,
    });
    const [fay] = players as [GameRoom, GameRoom];
    host.send('host:start');
    await stateWhere(host, (s) => s.phase === 'question' && s.round === 0);
    const ack = nextMessage(fay, 'answered');
    fay.send('answer', { round: 0, answer: { t: 420 } });
    await ack;
    host.send('host:skip'); // Gus never answers: the round closes anyway
    await stateWhere(host, (s) => s.phase === 'reveal');
    host.send('host:skip');
    await stateWhere(host, (s) => s.phase === 'leaderboard');
    host.send('host:skip');
    await stateWhere(host, (s) => s.phase === 'question' && s.round === 1);
    host.send('host:end');
    await stateWhere(host, (s) => s.phase === 'podium');
    const error = nextMessage(host, 'error');
    host.send('host:end');
    expect((await error).code).toBe('game_over');

    const denied = await fetchReport(h.server.url, code, 'nope');
    expect(denied.status).toBe(403);
    // The secret is never taken from a URL (histories and access logs keep URLs).
    expect((await fetch(`${h.server.url}/api/lobbies/${code}/report.csv?key=${encodeURIComponent(hostSecret)}`)).status).toBe(404);
    const res = await fetchReport(h.server.url, code, hostSecret);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('round,round_type,player_id,nickname,answer,truth,points,time_to_answer_s');
    expect(lines).toHaveLength(1 + 2 * 2); // two rounds were played (the second ended early)
    const fayRow = lines.find((l) => l.startsWith('1,') && l.includes(',Fay,'))!.split(',');
    expect(fayRow[4]).toBe('420');
    expect(Number(fayRow[6])).toBeGreaterThan(-1);
    expect(Number(fayRow[7])).toBeGreaterThan(0);
    const gusRow = lines.find((l) => l.startsWith('1,') && l.includes(',Gus,'))!.split(',');
    expect(gusRow[4]).toBe('');
    expect(gusRow[6]).toBe('0');
  });

  it('puts a student who reloads back in their seat with their score', async () => {
    const { host, players } = await lobbyWith(['Hal', 'Ivy'], { playlist: [{ type: 'timestep', count: 2, timerSec: 30 }], relaxed: true });
    const [hal, ivy] = players as [GameRoom, GameRoom];
    host.send('host:start');
    await stateWhere(host, (s) => s.phase === 'question');
    for (const [p, t] of [
      [hal, 250],
      [ivy, 750],
    ] as const) {
      const ack = nextMessage(p, 'answered');
      p.send('answer', { round: 0, answer: { t } });
      await ack;
    }
    await stateWhere(host, (s) => s.phase === 'reveal');
    const score = host.state.players.get(hal.sessionId)!.score;
    host.send('host:skip');
    host.send('host:skip');
    await stateWhere(host, (s) => s.phase === 'question' && s.round === 1);

    // A reload: the socket dies without a goodbye, the page keeps only the token.
    const token = hal.reconnectionToken;
    hal.reconnection.enabled = false;
    hal.connection.close(4999, 'reload');
    await stateWhere(host, (s) => s.players.get(hal.sessionId)?.connected === false);
    const back = await h.client().reconnect(token);
    const question = await nextMessage(back as GameRoom, 'question');
    expect(question.round).toBe(1);
    expect(back.sessionId).toBe(hal.sessionId);
    await stateWhere(host, (s) => s.players.get(hal.sessionId)?.connected === true);
    expect(host.state.players.get(hal.sessionId)?.score).toBe(score);
    const ack = nextMessage(back as GameRoom, 'answered');
    back.send('answer', { round: 1, answer: { t: 10 } });
    await ack;
  });

  it('disconnects a client that floods messages, and rejects oversize frames', async () => {
    const { host, players } = await lobbyWith(['Jo']);
    const [jo] = players as [GameRoom];
    jo.reconnection.enabled = false;
    const left = new Promise<number>((resolve) => jo.onLeave((code) => resolve(code)));
    for (let i = 0; i < 60; i++) jo.send('answer', { round: 0, answer: { t: 1 } });
    expect(await left).not.toBe(4000);
    await stateWhere(host, (s) => s.players.get(jo.sessionId)?.connected !== true);

    const big = await h.join((host.state as { code: string }).code, 'Big');
    big.reconnection.enabled = false;
    const bigLeft = new Promise<number>((resolve) => big.onLeave((code) => resolve(code)));
    big.send('host:rename', { playerId: 'x', nickname: 'y'.repeat(100_000) });
    await bigLeft;
    expect(host.state.phase).toBe('lobby');
  });
});
