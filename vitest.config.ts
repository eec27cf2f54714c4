import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The example app imports 'express-wx-login' like a user; tsconfig's paths map it to src/.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/secret-watch.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Redis-backed and multi-process suites share one server; two cores is what CI has.
    maxWorkers: 2,
  },
});
