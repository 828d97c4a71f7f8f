import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The model harness page (benchmarks, browser tests): built like the client, to its own dir. */
const root = resolve(import.meta.dirname, '../..');

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'dist/models-harness'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: 'tfjs', test: /node_modules[\\/]@tensorflow[\\/]/ }] } },
    },
  },
});
