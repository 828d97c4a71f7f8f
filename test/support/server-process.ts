import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/**
 * The server as its own operating-system process (`node server/main.ts`, as `npm start` runs
 * it), for tests that kill it without warning and start a new one on the same port and data.
 */
const root = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** Starts `node server/main.ts` on this port and data directory and waits until it answers. */
export async function startProcess(port: number, dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LATENT_ARENA_DATA: dataDir, QUIET: '1', PUBLIC_URL: `http://localhost:${port}`, ...env },
    stdio: 'ignore',
  });
  const url = `http://localhost:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).status < 500) return { child, url };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > until) throw new Error('the server process did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function isRunning(p: ServerProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** kill -9: no shutdown hook runs, nothing is flushed. */
export function kill9(p: ServerProcess): Promise<void> {
  if (!isRunning(p)) return Promise.resolve();
  return new Promise((done) => {
    p.child.once('exit', () => done());
    p.child.kill('SIGKILL');
  });
}
