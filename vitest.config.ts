import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The example app imports 'express-wx-login' like a user; tsconfig's paths map it to src/.
  resolve: { tsconfigPaths: true },
  test: {
    include: ['test/**/*.test.ts'],
    // Finds or starts Redis, PostgreSQL (PGlite) and Chromium for every file, and says what is missing.
    globalSetup: ['test/helpers/services/global-setup.ts'],
    setupFiles: ['test/helpers/secret-watch.ts'],
    // Limits for a loaded two-core machine: a timeout here means a hang, never slowness.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Redis-backed and multi-process suites share one server; two cores is what CI has.
    maxWorkers: 2,
  },
});
