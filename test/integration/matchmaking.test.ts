import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ERRORS } from '../../shared/protocol/errors.ts';
import { GameState } from '../../shared/protocol/state.ts';
import { expectJoinRefused, type Harness, nextMessage, startHarness } from './harness.ts';

const token = () => randomBytes(18).toString('base64url');

/** A lobby created over HTTP with a seat reservation nobody has used yet: the moment a stranger could try the host seat. */
async function createOverHttp(h: Harness, creationToken: string): Promise<string> {
  const res = await fetch(`${h.server.url}/matchmake/create/class`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ role: 'host', creationToken }),
  });
  const body = (await res.json()) as { roomId?: string; name?: string };
  if (!body.roomId) throw new Error(`create failed: ${JSON.stringify(body)}`);
  return body.roomId;
}

describe('matchmaking only by code', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it('reaches a class only by its code: join and joinOrCreate are closed, lobbies are private', async () => {
    h = await startHarness();
    const { code } = await h.host();
    expect(await expectJoinRefused(h.client().join('class', { role: 'player', nickname: 'Eve' }, GameState))).toBe(ERRORS.not_allowed);
    expect(await expectJoinRefused(h.client().joinOrCreate('class', { role: 'player', nickname: 'Eve' }, GameState))).toBe(ERRORS.not_allowed);
    const raw = await fetch(`${h.server.url}/matchmake/join/class`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"role":"player","nickname":"Eve"}',
    });
    expect(((await raw.json()) as { error: string }).error).toBe(ERRORS.not_allowed);
    // By code it works.
    const ann = await h.join(code, 'Ann');
    expect(ann.roomId).toBe(code);
  });

  it('gives the host seat of a new lobby only to the browser holding its creation token', async () => {
    h = await startHarness();
    expect(await expectJoinRefused(h.client().create('class', { role: 'host' }, GameState))).toMatch(/created by a host screen/);
    const mine = token();
    const code = await createOverHttp(h, mine);
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'host' }, GameState))).toBe(ERRORS.bad_host_secret);
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'host', creationToken: token() }, GameState))).toBe(ERRORS.bad_host_secret);
    const host = await h.client().joinById(code, { role: 'host', creationToken: mine }, GameState);
    const welcome = await nextMessage(host, 'welcome');
    expect(welcome.role).toBe('host');
    // Spent: the token no longer opens the seat; the host secret does.
    expect(await expectJoinRefused(h.client().joinById(code, { role: 'host', creationToken: mine }, GameState))).toBe(ERRORS.bad_host_secret);
    await host.leave(true);
  });

  it('limits lobby creation per address, and live lobbies per process', async () => {
    h = await startHarness({ lobbyCreatesPerMinute: 3 });
    for (let i = 0; i < 3; i++) await createOverHttp(h, token());
    expect(await expectJoinRefused(h.client().create('class', { role: 'host', creationToken: token() }, GameState))).toBe(ERRORS.too_many_requests);
    await h.stop();

    h = await startHarness({ maxLobbies: 2 });
    await createOverHttp(h, token());
    await createOverHttp(h, token());
    expect(await expectJoinRefused(h.client().create('class', { role: 'host', creationToken: token() }, GameState))).toBe(ERRORS.server_full);
  });

  it('limits code guessing per address: look-ups answer 429, joins by code are refused', async () => {
    h = await startHarness({ joinsPerMinute: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${h.server.url}/api/lobbies/ZZZZZ${i}`)).status);
    expect(statuses.slice(0, 5)).not.toContain(429);
    const limited = await fetch(`${h.server.url}/api/lobbies/ZZZZZ9`);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toBe(ERRORS.too_many_requests);

    const guesses: string[] = [];
    for (let i = 0; i < 7; i++) guesses.push(await expectJoinRefused(h.client().joinById(`QQQQQ${i}`, { role: 'player', nickname: `G${i}` }, GameState)));
    expect(guesses.slice(5)).toEqual([ERRORS.too_many_requests, ERRORS.too_many_requests]);
  });
});
