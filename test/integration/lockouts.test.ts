import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/protocol/errors.ts';
import { GameState } from '../../shared/protocol/state.ts';
import { expectJoinRefused, type GameRoom, type Harness, nextMessage, sleep, startHarness, stateWhere } from './harness.ts';

/**
 * Nobody can lock a class from outside it or come back uninvited: unused seat
 * reservations, dropped sockets (ghosts), flooding and a kicked student, each bounded in
 * count and time on loopback.
 */
const device = () => randomBytes(16).toString('hex');

/** A socket that vanishes without saying goodbye (a phone losing the Wi-Fi, or a script). */
function drop(room: GameRoom): void {
  room.reconnection.enabled = false;
  room.connection.close(4999, 'gone');
}

async function reserveOverHttp(h: Harness, code: string, nickname: string): Promise<number> {
  const res = await fetch(`${h.server.url}/matchmake/joinById/${code}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ role: 'player', nickname }),
  });
  await res.body?.cancel();
  return res.status;
}

describe('no lockouts', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it('seat reservations never used do not fill a class', async () => {
    h = await startHarness({ maxPlayers: 3 });
    const { code } = await h.host();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await reserveOverHttp(h, code, `Res${i}`));
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Sixty reservations nobody used: the class still takes its three students at once.
    const students = [await h.join(code, 'Ana'), await h.join(code, 'Ben'), await h.join(code, 'Cai')];
    expect(students).toHaveLength(3);
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'player', nickname: 'Dee' }, GameState))).toBe(ERRORS.lobby_full);
  }, 60_000);

  it('a dropped player keeps seat and score but does not make the class full; their name frees when the seat expires', async () => {
    h = await startHarness({ maxPlayers: 2, reconnectSeconds: 3 });
    const { room: host, code } = await h.host();
    await h.join(code, 'Ana');
    const ben = await h.join(code, 'Ben');
    const benId = ben.sessionId;
    drop(ben);
    await stateWhere(host, (s) => s.players.get(benId)?.connected === false);
    // Ben's seat waits for him, but only Ana is connected: Cai may join.
    await h.join(code, 'Cai');
    await stateWhere(host, (s) => s.players.size === 3);
    // Two connected players fill the class; Ben's name is still his.
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'player', nickname: 'Dee' }, GameState))).toBe(ERRORS.lobby_full);
    await stateWhere(host, (s) => !s.players.has(benId), 10_000);
    expect(host.state.players.size).toBe(2);
    // The seat expired: the name is free (the class is still full of connected players, so free a seat first).
    const cai = [...host.state.players.values()].find((p) => p.nickname === 'Cai')!;
    host.send('host:kick', { playerId: cai.id });
    await stateWhere(host, (s) => s.players.size === 1);
    const benAgain = await h.join(code, 'Ben');
    await stateWhere(host, (s) => s.players.get(benAgain.sessionId)?.nickname === 'Ben');
  }, 60_000);

  it('a ghost flood leaves the class open: 100 join-and-drop sockets, and a real student still joins', async () => {
    h = await startHarness({ maxPlayers: 20, reconnectSeconds: 60 });
    const { room: host, code } = await h.host();
    for (let i = 0; i < 100; i++) drop(await h.join(code, `Ghost${i}`));
    await stateWhere(host, (s) => [...s.players.values()].every((p) => !p.connected), 20_000);
    const ana = await h.join(code, 'Ana');
    await stateWhere(host, (s) => s.players.get(ana.sessionId)?.connected === true);
  }, 120_000);

  it('a client dropped for flooding cannot reconnect at once, and gets its seat and score back after the cool-down', async () => {
    h = await startHarness({ floodCooldownMs: 4_000 });
    const { room: host, code } = await h.host();
    const ana = await h.join(code, 'Ana');
    const id = ana.sessionId;
    const token = ana.reconnectionToken;
    ana.reconnection.enabled = false;
    const left = new Promise<void>((resolve) => ana.onLeave(() => resolve()));
    for (let i = 0; i < 100; i++) ana.send('host:lock', { locked: false });
    await left;
    await stateWhere(host, (s) => s.players.get(id)?.connected === false);
    await expect(h.client().reconnect(token, GameState)).rejects.toThrow();
    await sleep(4_500);
    const back = await h.client().reconnect(token, GameState);
    expect(back.sessionId).toBe(id);
    await stateWhere(host, (s) => s.players.get(id)?.connected === true);
    back.reconnection.enabled = false;
    await back.leave(true);
  }, 60_000);

  it('a kicked student cannot rejoin by name or from the same device until the host lets them back in', async () => {
    h = await startHarness();
    const { room: host, code } = await h.host();
    const bosDevice = device();
    const bo = await h.client().joinById(code, { role: 'player', nickname: 'Bo', device: bosDevice }, GameState);
    bo.onMessage('welcome', () => undefined);
    bo.onMessage('kicked', () => undefined);
    await stateWhere(host, (s) => s.players.has(bo.sessionId));
    const removed = nextMessage(host, 'removed');
    host.send('host:kick', { playerId: bo.sessionId });
    expect((await removed).nicknames).toEqual(['Bo']);
    // The same name (or a look-alike), or the same device under another name: refused.
    for (const nickname of ['Bo', 'BO', 'Ｂo'])
      expect(await expectJoinRefused(h.client().joinById(code, { role: 'player', nickname, device: device() }, GameState))).toBe(ERRORS.removed_by_host);
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'player', nickname: 'Bob', device: bosDevice }, GameState))).toBe(ERRORS.removed_by_host);
    // The host's say: readmitted, Bo joins again.
    const cleared = nextMessage(host, 'removed');
    host.send('host:readmit', { nickname: 'Bo' });
    expect((await cleared).nicknames).toEqual([]);
    const again = await h.client().joinById(code, { role: 'player', nickname: 'Bo', device: bosDevice }, GameState);
    await stateWhere(host, (s) => s.players.has(again.sessionId));
    again.reconnection.enabled = false;
    await again.leave(true);
  });
});
