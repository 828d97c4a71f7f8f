import { defineConfig } from 'vitest/config';

export default defineConfig({
  cacheDir: 'node_modules/.vitest-cache',
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores: integration and browser files each start a real server; running them
    // one at a time keeps ports, CPU and timings sane.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
