import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOIN_CODE_ALPHABET } from '../../shared/game/lobby-rules.ts';
import { expectJoinRefused, nextMessage, sleep, startHarness, stateWhere, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxPlayers: 4 });
});
afterAll(async () => {
  await h.stop();
});

describe('lobby', () => {
  it('creates a lobby with a readable code, a host secret, a QR code and a lookup', async () => {
    const { room, code, hostSecret } = await h.host();
    expect(code).toMatch(new RegExp(`^[${JOIN_CODE_ALPHABET}]{6}$`));
    expect(hostSecret.length).toBeGreaterThanOrEqual(24);
    await stateWhere(room, (s) => s.code === code && s.phase === 'lobby' && s.hostConnected);

    const info = await (await fetch(`${h.server.url}/api/lobbies/${code.toLowerCase()}`)).json();
    expect(info).toMatchObject({ code, locked: false, full: false, players: 0, phase: 'lobby' });
    const qr = await fetch(`${h.server.url}/api/lobbies/${code}/qr.svg`);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(await qr.text()).toContain('<svg');
  });

  it('lets students join with trimmed, unique, clean nicknames', async () => {
    const { room: host, code } = await h.host();
    const ada = await h.join(code, '  Ada  ');
    await stateWhere(host, (s) => s.players.size === 1);
    expect([...host.state.players.values()][0]!.nickname).toBe('Ada');
    expect(ada.state.players.get(ada.sessionId)?.nickname).toBe('Ada');

    expect(await expectJoinRefused(h.join(code, 'ada'))).toMatch(/already taken/);
    expect(await expectJoinRefused(h.join(code, '   '))).toMatch(/enter a nickname/);
    expect(await expectJoinRefused(h.join(code, 'x'.repeat(21)))).toMatch(/at most 20/);
    expect(await expectJoinRefused(h.join(code, 'sh1t head'))).toMatch(/different nickname/);
    await sleep(100);
    expect(host.state.players.size).toBe(1);
  });

  it('refuses a wrong code clearly, over HTTP and over WebSocket', async () => {
    const missing = await fetch(`${h.server.url}/api/lobbies/ZZZZZZ`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.message).toMatch(/No class with that code/);
    const malformed = await fetch(`${h.server.url}/api/lobbies/12`);
    expect(malformed.status).toBe(400);
    await expect(h.join('ZZZZZZ', 'Bob')).rejects.toThrow();
  });

  it('locks and unlocks the lobby', async () => {
    const { room: host, code } = await h.host();
    await h.join(code, 'Early');
    host.send('host:lock', { locked: true });
    await stateWhere(host, (s) => s.locked);
    expect(await expectJoinRefused(h.join(code, 'Late'))).toMatch(/locked/);
    expect((await (await fetch(`${h.server.url}/api/lobbies/${code}`)).json()).locked).toBe(true);
    host.send('host:lock', { locked: false });
    await stateWhere(host, (s) => !s.locked);
    await h.join(code, 'Late');
    await stateWhere(host, (s) => s.players.size === 2);
  });

  it('refuses players beyond the limit', async () => {
    const { room: host, code } = await h.host();
    for (const name of ['A1', 'A2', 'A3', 'A4']) await h.join(code, name);
    await stateWhere(host, (s) => s.players.size === 4);
    expect(await expectJoinRefused(h.join(code, 'A5'))).toMatch(/full/);
    expect((await (await fetch(`${h.server.url}/api/lobbies/${code}`)).json()).full).toBe(true);
  });

  it('kicks and renames players; kicked players cannot come back through their seat', async () => {
    const { room: host, code } = await h.host();
    const bob = await h.join(code, 'Bob');
    const cy = await h.join(code, 'Cy');
    await stateWhere(host, (s) => s.players.size === 2);

    host.send('host:rename', { playerId: cy.sessionId, nickname: 'Cyrus' });
    await stateWhere(host, (s) => s.players.get(cy.sessionId)?.nickname === 'Cyrus');
    const taken = nextMessage(host, 'error');
    host.send('host:rename', { playerId: cy.sessionId, nickname: 'bob' });
    expect((await taken).code).toBe('nickname_taken');

    const token = bob.reconnectionToken;
    const kicked = nextMessage(bob, 'kicked');
    host.send('host:kick', { playerId: bob.sessionId });
    expect((await kicked).message).toMatch(/removed you/);
    await stateWhere(host, (s) => s.players.size === 1 && !s.players.has(bob.sessionId));
    await expect(h.client().reconnect(token)).rejects.toThrow();
  });

  it('refuses host actions from students and changes nothing', async () => {
    const { room: host, code } = await h.host();
    const eve = await h.join(code, 'Eve');
    const mallory = await h.join(code, 'Mallory');
    await stateWhere(host, (s) => s.players.size === 2);
    for (const [type, payload] of [
      ['host:start', undefined],
      ['host:lock', { locked: true }],
      ['host:kick', { playerId: mallory.sessionId }],
      ['host:rename', { playerId: mallory.sessionId, nickname: 'Loser' }],
      ['host:settings', { playlist: [{ type: 'timestep', count: 1, timerSec: 10 }], relaxed: true }],
      ['host:end', undefined],
    ] as const) {
      const error = nextMessage(eve, 'error');
      eve.send(type, payload);
      expect((await error).code).toBe('not_host');
    }
    await sleep(100);
    expect(host.state).toMatchObject({ phase: 'lobby', locked: false });
    expect(host.state.players.get(mallory.sessionId)?.nickname).toBe('Mallory');
    expect(JSON.parse(host.state.settings).relaxed).toBe(false);
  });

  it('answers malformed and unknown messages with an error and changes nothing', async () => {
    const { room: host, code } = await h.host();
    const zed = await h.join(code, 'Zed');
    await stateWhere(host, (s) => s.players.size === 1);
    const cases: [string, unknown, string][] = [
      ['host:settings', { playlist: [{ type: 'timestep', count: 999, timerSec: 10 }], relaxed: false }, 'bad_message'],
      ['host:settings', { playlist: [], relaxed: false }, 'bad_message'],
      ['host:lock', { locked: 'yes' }, 'bad_message'],
      ['host:kick', { playerId: 'nobody' }, 'no_such_player'],
      ['host:pause', { paused: true }, 'wrong_phase'],
      ['host:skip', undefined, 'wrong_phase'],
      ['launch-missiles', { now: true }, 'unknown_message'],
    ];
    for (const [type, payload, code] of cases) {
      const error = nextMessage(host, 'error');
      host.send(type as 'host:lock', payload as never);
      expect((await error).code, type).toBe(code);
    }
    const notAnswering = nextMessage(zed, 'error');
    zed.send('answer', { round: 0, answer: { t: 10 } });
    expect((await notAnswering).code).toBe('not_answering');
    expect(host.state.phase).toBe('lobby');
    expect(host.state.players.size).toBe(1);
  });

  it('gives the host back control after a reload, by host secret, and only then', async () => {
    const { room: host, code, hostSecret } = await h.host();
    await h.join(code, 'Kim');
    host.reconnection.enabled = false;
    await host.leave(false);
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'host', hostSecret: 'guess' }))).toMatch(/not the host/);
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'host' }))).toMatch(/not the host/);
    const again = await h.client().joinById(code, { role: 'host', hostSecret });
    const welcome = await nextMessage(again as never, 'welcome');
    expect(welcome).toMatchObject({ role: 'host', code });
    again.send('host:lock', { locked: true });
    await stateWhere(again as never, (s) => s.locked && s.hostConnected);
  });
});
