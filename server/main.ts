import '../scripts/check-node.mjs';
import { startServer } from './app.ts';

const running = await startServer();
console.log(`\n  Latent Arena: open ${running.url} (host, join or practise solo)\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
