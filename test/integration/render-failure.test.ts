import { describe, expect, it } from 'vitest';
import { nextMessage, startHarness, stateWhere } from './harness.ts';

// Its own file: a server's room context is process-wide, so a second server in the same
// file as other tests would take it over.
describe('when the server cannot render', () => {
  it('tells the host and ends the game instead of hanging or crashing', async () => {
    const broken = await startHarness({ renderDeadlineMs: 500, weightsDir: '/nonexistent/weights' });
    try {
      const { room: host, code } = await broken.host();
      const student = await broken.join(code, 'Kai');
      host.send('host:settings', { playlist: [{ type: 'spot-fake', count: 1, timerSec: 30, options: { images: 2, source: 'gan', difficulty: 'medium' } }], relaxed: true });
      await stateWhere(host, (s) => JSON.parse(s.settings).playlist[0].type === 'spot-fake');
      const error = nextMessage(host, 'error', 30_000);
      host.send('host:start');
      expect((await error).code).toBe('render_failed');
      await stateWhere(student, (s) => s.phase === 'podium');
      // The server is still up: a new lobby can be made.
      expect((await broken.host()).code).toMatch(/\w+/);
    } finally {
      await broken.stop();
    }
  }, 60_000);
});
