// The services of this test run, for test files: where Redis, PostgreSQL and Chromium are (from
// test/helpers/services/global-setup.ts), and whether a suite must be skipped for lack of one.

import { inject } from 'vitest';
import type { TestServices } from './types.js';

export type { TestServices } from './types.js';

/**
 * The services this run found or started.
 *
 * @example
 * describe.skipIf(!services.redisUrl)('RedisStore', () => { ... });
 */
export const services: TestServices = inject('services');

/**
 * The run's PostgreSQL URL once it answers. PGlite boots on its first connection, which takes
 * longer than the example app's 5 s connect timeout on a loaded machine: a file calls this first.
 *
 * @example
 * const POSTGRES_URL = await postgresReady();
 */
export async function postgresReady(): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: services.postgresUrl, connectionTimeoutMillis: 110_000 });
  await client.connect();
  await client.end();
  return services.postgresUrl;
}
