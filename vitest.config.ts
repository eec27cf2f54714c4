import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/secret-watch.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Redis-backed and multi-process suites share one server; two cores is what CI has.
    maxWorkers: 2,
  },
});
