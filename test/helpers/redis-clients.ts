// The Redis clients the fault tests run against, ioredis and node-redis, set up the way an app
// would (an error listener, quick reconnects), and a connection to the shared test Redis.

import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll } from 'vitest';
import type { RedisClientLike } from '../../src/stores/redis-client.js';
import { services } from './services/index.js';

/** A connected client and how to drop it. */
export interface ConnectedClient {
  client: RedisClientLike;
  close: () => void;
  /** Commands the client holds waiting for a reply (ioredis; node-redis keeps its queue private). */
  queued?: () => number;
}

/** Connects one kind of client to a Redis (or a proxy) on `port` of loopback. */
export type Connect = (port: number) => Promise<ConnectedClient>;

/**
 * Both clients, for `describe.each`: ioredis (with `maxRetriesPerRequest: 1`, no socketTimeout:
 * the worst case, where only RedisStore keeps the queue short) and node-redis, each reconnecting
 * every 100 ms.
 *
 * @example
 * describe.each(REDIS_CLIENTS)('faults (%s)', (_name, connect) => { ... });
 */
export const REDIS_CLIENTS: [string, Connect][] = [
  [
    'ioredis',
    async (port) => {
      const client = new Redis({
        host: '127.0.0.1',
        port,
        retryStrategy: () => 100,
        maxRetriesPerRequest: 1,
      });
      client.on('error', () => undefined);
      await once(client, 'ready');
      return { client, close: () => client.disconnect(), queued: () => client.commandQueue.length };
    },
  ],
  [
    'node-redis',
    async (port) => {
      const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: () => 100 } });
      client.on('error', () => undefined);
      await client.connect();
      return { client, close: () => client.destroy() };
    },
  ],
];

/**
 * An ioredis connection to the shared Redis on 6379 (closed after the file), and a key prefix of
 * this run's own: the shared server is only ever written under it.
 *
 * @example
 * const { client, prefix } = await sharedRedis();
 */
export async function sharedRedis(): Promise<{ client: Redis; prefix: string }> {
  // The run's Redis (test/helpers/services): REDIS_URL, or the private redis-server it started.
  const client = new Redis(services.redisUrl ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await once(client, 'ready');
  afterAll(() => client.disconnect());
  const prefix = `wxl-test-${process.pid}-${Math.random().toString(16).slice(2, 10)}:`;
  return { client, prefix };
}

/**
 * Calls `attempt` until `done(outcome)` holds, every 100 ms, for at most `forMs`; returns the last
 * outcome, for the test to assert on (a bound on recovery, not on speed).
 *
 * @example
 * const res = await eventually(() => request(app).get('/me'), (r) => r.status === 200);
 */
export async function eventually<T>(
  attempt: () => Promise<T>,
  done: (outcome: T) => boolean,
  forMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + forMs;
  for (;;) {
    const outcome = await attempt();
    if (done(outcome) || Date.now() > deadline) return outcome;
    await sleep(100);
  }
}

/** Every key under `prefix` on a shared Redis (SCAN, 1,000 at a time: never KEYS). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Deletes every key under `prefix`: what a test file leaves on a shared Redis, cleaned up. */
export async function deleteUnder(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(...keys);
}
