// What the test run's global setup hands to every test file (through vitest's provide/inject):
// where Redis, PostgreSQL and Chromium are, and what this machine lacks.

/** The services of one test run; see test/helpers/services/global-setup.ts. */
export interface TestServices {
  /** A Redis for the tests (REDIS_URL, or a private redis-server); undefined when there is none. */
  redisUrl?: string;
  /** redis-server on PATH, for tests that start (and stop) their own; undefined when absent. */
  redisServer?: string;
  /** PostgreSQL: TEST_DATABASE_URL, or PGlite served on loopback. */
  postgresUrl: string;
  /** Whether postgresUrl is the embedded PGlite (one database, shared by the whole run). */
  postgresIsEmbedded: boolean;
  /** A Chromium that playwright-core can drive; undefined when none was found. */
  chromium?: string;
  /** What is missing, what is skipped for it and the command that installs it (lines of text). */
  missing: string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: TestServices;
  }
}
