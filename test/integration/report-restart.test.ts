import { expect, it } from 'vitest';
import { nextMessage, startHarness, stateWhere, fetchReport } from './harness.ts';

it('serves the lobby and its CSV report after a server restart', async () => {
  const first = await startHarness();
  const { room: host, code, hostSecret } = await first.host();
  const student = await first.join(code, 'Noor');
  host.send('host:settings', { playlist: [{ type: 'timestep', count: 1, timerSec: 10 }], relaxed: false });
  await stateWhere(host, (s) => s.totalRounds === 1 && s.players.size === 1);
  const question = nextMessage(student, 'question');
  host.send('host:start');
  await question;
  student.send('answer', { round: 0, answer: { t: 640 } });
  await stateWhere(host, (s) => s.phase === 'reveal');
  await first.stop(true);

  const second = await startHarness({}, first.dataDir);
  try {
    expect((await fetch(`${second.server.url}/api/lobbies/${code}`)).status).toBe(200); // the live lobby is restored…
    const res = await fetchReport(second.server.url, code, hostSecret);
    expect(res.status).toBe(200); // …and its results are all there
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^1,timestep,[^,]+,Noor,640,\d+,\d+,\d+\.\d\d$/);
  } finally {
    await second.stop();
  }
});
