// vitest globalSetup: finds or starts what the tests need before any test file runs (Redis,
// PostgreSQL, Chromium), hands it to every worker, says loudly what is missing, stops it at the end.

import type { TestProject } from 'vitest/node';
import { findChromium, onPath } from './find.js';
import { startPGlite } from './postgres.js';
import { freePort, redisAnswers, startRedisServer } from './redis.js';
import { box } from './report.js';
import type { TestServices } from './types.js';

const REDIS_SUITES = [
  'test/contract/redis-store.test.ts',
  'test/integration/many-instances.test.ts',
  'test/integration/user-sessions-many.test.ts',
  'test/faults/*.test.ts',
  'test/distributed/*.test.ts',
  'the RedisStore parts of several-apps, oauth-flood, oauth-state and sessions tests',
];
const BROWSER_SUITES = ['test/browser/*.test.ts', 'test/example/playground.test.ts'];
const INSTALL_REDIS = '  install: apt-get install redis-server   (macOS: brew install redis)';
const INSTALL_CHROMIUM =
  '  install: apt-get install chromium   (or set CHROMIUM_PATH to a Chrome or Chromium)';

// Under CI nothing may be skipped: a missing service fails the run (setup throws).
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** The lines naming the suites that are skipped (under CI: that need it). */
function skipped(suites: string[]): string[] {
  const label = IN_CI ? '  needed by: ' : '  skipped: ';
  return suites.map((suite, i) => `${i === 0 ? label : ' '.repeat(label.length)}${suite}`);
}

const stops: Array<() => Promise<void>> = [];
let notice = '';

/** Finds or starts every service; under CI=true anything missing fails the run. */
export async function setup(project: TestProject): Promise<void> {
  const missing: string[] = [];
  const redisServer = onPath('redis-server');

  let redisUrl = process.env.REDIS_URL || undefined;
  if (redisUrl && !(await redisAnswers(redisUrl))) {
    missing.push(`Redis: REDIS_URL (${redisUrl}) does not answer PING`, ...skipped(REDIS_SUITES));
    redisUrl = undefined;
  } else if (!redisUrl && redisServer) {
    const redis = await startRedisServer(redisServer, await freePort());
    stops.push(redis.stop);
    redisUrl = redis.url;
  } else if (!redisUrl) {
    missing.push('Redis: no REDIS_URL, and no redis-server on PATH', ...skipped(REDIS_SUITES), INSTALL_REDIS);
  }
  if (redisUrl && !redisServer) {
    missing.push(
      'redis-server: not on PATH (a REDIS_URL server cannot be stopped and restarted by the tests)',
      `  ${IN_CI ? 'needed by' : 'skipped'}: the "Redis going away" tests of`,
      ...skipped(REDIS_SUITES).map((line) =>
        line.replace(/^ {2}(skipped|needed by): /, (m) => ' '.repeat(m.length)),
      ),
      INSTALL_REDIS,
    );
  }

  let postgresUrl = process.env.TEST_DATABASE_URL || undefined;
  const postgresIsEmbedded = !postgresUrl;
  if (!postgresUrl) {
    const pglite = await startPGlite();
    stops.push(pglite.stop);
    postgresUrl = pglite.url;
  }

  const chromium = findChromium();
  if (!chromium) {
    missing.push(
      process.env.CHROMIUM_PATH
        ? `Chromium: CHROMIUM_PATH (${process.env.CHROMIUM_PATH}) is not an executable`
        : "Chromium: none found (CHROMIUM_PATH, PATH, Debian's, Chrome's, playwright's places)",
      ...skipped(BROWSER_SUITES),
      INSTALL_CHROMIUM,
    );
  }

  const services: TestServices = {
    ...(redisUrl ? { redisUrl } : {}),
    ...(redisServer ? { redisServer } : {}),
    postgresUrl,
    postgresIsEmbedded,
    ...(chromium ? { chromium } : {}),
    missing,
  };

  if (missing.length > 0) {
    if (IN_CI) {
      await teardown();
      throw new Error(
        `${box('CI=true: every test must run, but this machine lacks:', missing)}\n` +
          '.ci/run installs and starts all of it.',
      );
    }
    notice = box('Some tests are SKIPPED: this machine lacks what they need', missing);
    process.stderr.write(notice);
  }
  process.stderr.write(
    `test services: Redis ${redisUrl ?? 'none'}, PostgreSQL ${postgresIsEmbedded ? `PGlite at ${postgresUrl}` : 'TEST_DATABASE_URL'}, Chromium ${chromium ?? 'none'}\n`,
  );
  project.provide('services', services);
}

/** Stops what setup started, and repeats the notice after the summary. */
export async function teardown(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop();
  if (notice) process.stderr.write(notice);
}
