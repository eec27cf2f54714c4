// Runs the SessionStore contract on RedisStore over ioredis and node-redis against a real Redis,
// and checks prefixes, TTLs, and fail-fast behaviour while a private redis-server is down.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWxLoginError } from '../../src/errors.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { runSessionStoreContract } from '../../src/testing/store-contract.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { services } from '../helpers/services/index.js';

const PREFIX = `wxl-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
const clientErrors: unknown[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
process.on('unhandledRejection', onUnhandled);

// The run's Redis (test/helpers/services): REDIS_URL, or a private redis-server.
const REDIS_URL = services.redisUrl;
let io: Redis;
let piped: Redis;
let node: ReturnType<typeof createClient>;

afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

// Skipped, and reported by the test run, on a machine without Redis.
describe.skipIf(!REDIS_URL)('RedisStore on a real Redis', () => {
  beforeAll(async () => {
    io = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
    io.on('error', (err) => clientErrors.push(err));
    node = createClient({ url: REDIS_URL! });
    node.on('error', (err) => clientErrors.push(err));
    // The README's recommended ioredis setting: commands of one tick sent as one pipeline.
    piped = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
    piped.on('error', (err) => clientErrors.push(err));
    // RedisStore fails fast while a client is not ready, so the suite starts once all are.
    await Promise.all([once(io, 'ready'), once(piped, 'ready'), node.connect()]);
  });

  it.each([
    ['ioredis', () => new RedisStore({ client: io, prefix: PREFIX })],
    ['node-redis', () => new RedisStore({ client: node, prefix: PREFIX })],
  ])(
    'keeps an index as one prefixed sorted set expiring with its longest member (%s)',
    async (_name, make) => {
      const store = make();
      const key = `{u:o1}:index:${randomBytes(6).toString('hex')}`;
      await store.indexAdd(key, 'sid-long', 30_000);
      await store.indexAdd(key, 'sid-short', 5_000);
      expect(await io.call('TYPE', PREFIX + key)).toBe('zset');
      const pttl = Number(await io.call('PTTL', PREFIX + key));
      expect(pttl).toBeGreaterThan(5_000);
      expect(pttl).toBeLessThanOrEqual(30_000);
      expect((await store.indexMembers(key)).sort()).toEqual(['sid-long', 'sid-short']);
      await store.indexRemove(key, 'sid-long');
      await store.indexRemove(key, 'sid-short');
      expect(await io.call('EXISTS', PREFIX + key)).toBe(0);
    },
  );

  afterAll(async () => {
    await Promise.all([io?.quit(), piped?.quit(), node?.close()]);
  });

  runSessionStoreContract(
    { describe, it, afterAll },
    () => new RedisStore({ client: io, prefix: `${PREFIX}io:` }),
    {
      name: 'RedisStore contract (ioredis)',
    },
  );
  runSessionStoreContract(
    { describe, it, afterAll },
    () => new RedisStore({ client: piped, prefix: `${PREFIX}piped:` }),
    { name: 'RedisStore contract (ioredis, enableAutoPipelining)' },
  );
  runSessionStoreContract(
    { describe, it, afterAll },
    () => new RedisStore({ client: node, prefix: `${PREFIX}node:` }),
    { name: 'RedisStore contract (node-redis)' },
  );

  describe('RedisStore keys', () => {
    it.each([
      ['ioredis', () => new RedisStore({ client: io, prefix: PREFIX })],
      ['node-redis', () => new RedisStore({ client: node, prefix: PREFIX })],
    ])('every key written by set and add carries the prefix and a TTL (%s)', async (_name, make) => {
      const store = make();
      const setKey = `keys:set:${randomBytes(6).toString('hex')}`;
      const addKey = `keys:add:${randomBytes(6).toString('hex')}`;
      await store.set(setKey, { a: 1 }, 30_000);
      expect(await store.add(addKey, 'lock', 20_000.4)).toBe(true);

      for (const [key, max] of [
        [setKey, 30_000],
        [addKey, 20_001],
      ] as const) {
        const pttl = Number(await io.call('PTTL', PREFIX + key));
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(max);
        expect(await io.call('EXISTS', key)).toBe(0);
      }
      // The JSON encoding is what other instances (and other clients) read back.
      expect(await io.call('GET', PREFIX + setKey)).toBe('{"a":1}');
      await store.delete(setKey);
      await store.delete(addKey);
    });

    it('defaults the prefix to wxl:', async () => {
      const store = new RedisStore({ client: io });
      const key = `${PREFIX}default:${randomBytes(6).toString('hex')}`;
      await store.set(key, 'v', 10_000);
      expect(Number(await io.call('PTTL', `wxl:${key}`))).toBeGreaterThan(0);
      await store.delete(key);
      expect(await io.call('EXISTS', `wxl:${key}`)).toBe(0);
    });

    it('refuses a bad client, prefix, timeout or TTL', async () => {
      const message = 'express-wx-login: option "client" must be an ioredis or node-redis client';
      expect(() => new RedisStore({ client: {} as never })).toThrow(
        Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_VALUE' }),
      );
      expect(() => new RedisStore({ client: null as never })).toThrow(TypeError);
      expect(() => new RedisStore({ client: io, prefix: '' })).toThrow(/"prefix"/);
      expect(() => new RedisStore({ client: io, commandTimeoutMs: 0 })).toThrow(/"commandTimeoutMs"/);
      const store = new RedisStore({ client: io, prefix: PREFIX });
      await expect(store.set('k', 'v', Number.NaN)).rejects.toThrow(TypeError);
    });

    it('close() leaves the client open for the app', async () => {
      await new RedisStore({ client: io, prefix: PREFIX }).close();
      await new RedisStore({ client: node, prefix: PREFIX }).close();
      expect(io.status).toBe('ready');
      expect(node.isReady).toBe(true);
    });

    it('serves an app’s first requests while a new ioredis client is still connecting', async () => {
      const fresh = new Redis(REDIS_URL!);
      fresh.on('error', (err) => clientErrors.push(err));
      try {
        expect(fresh.status).toBe('connecting');
        const store = new RedisStore({ client: fresh, prefix: PREFIX });
        await store.set('startup', { ok: true }, 5000);
        expect(await store.get('startup')).toEqual({ ok: true });
        await store.delete('startup');
      } finally {
        fresh.disconnect();
      }
    });
  });
});

// --- Redis going away and coming back, on a private server so that the shared one is untouched ---

async function expectUnavailable(store: RedisStore): Promise<void> {
  const calls: [string, () => Promise<unknown>][] = [
    ['get', () => store.get('k')],
    ['set', () => store.set('k', 'v', 10_000)],
    ['add', () => store.add('lock', 'v', 10_000)],
    ['deleteIfEquals', () => store.deleteIfEquals('lock', 'v')],
    ['delete', () => store.delete('k')],
  ];
  for (const [name, call] of calls) {
    const started = performance.now();
    const err = await call().then(
      () => new Error(`${name} resolved while Redis was down`),
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    expect(isWxLoginError(err) && err.code, name).toBe('WX_STORE_UNAVAILABLE');
    // Failing fast, not waiting for Redis to come back (it does not, until the test restarts it):
    // 5 s is far from a wait that never ends, and no slow machine needs that long to reject.
    expect(elapsed, `${name} took ${Math.round(elapsed)} ms`).toBeLessThan(5000);
  }
}

async function eventuallyWorks(store: RedisStore): Promise<void> {
  const deadline = Date.now() + 8000;
  for (;;) {
    try {
      await store.set('back', { ok: true }, 10_000);
      expect(await store.get('back')).toEqual({ ok: true });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

interface Outage {
  store: RedisStore;
  /** A raw command on the same connection as the store. */
  raw: (args: string[]) => Promise<unknown>;
  close: () => void;
}

// A private redis-server that the test stops and starts: skipped (and reported) without one on PATH.
describe.skipIf(!services.redisServer).each<[string, (port: number) => Promise<Outage>]>([
  [
    'ioredis',
    async (port) => {
      const client = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
      client.on('error', (err) => clientErrors.push(err));
      await once(client, 'ready');
      return {
        store: new RedisStore({ client, prefix: PREFIX, commandTimeoutMs: 300 }),
        raw: ([cmd, ...args]) => client.call(cmd as string, ...args),
        close: () => client.disconnect(),
      };
    },
  ],
  [
    'node-redis',
    async (port) => {
      const client = createClient({
        socket: { host: '127.0.0.1', port, reconnectStrategy: () => 50, connectTimeout: 500 },
      });
      client.on('error', (err) => clientErrors.push(err));
      await client.connect();
      return {
        store: new RedisStore({ client, prefix: PREFIX, commandTimeoutMs: 300 }),
        raw: (args) => client.sendCommand(args),
        close: () => client.destroy(),
      };
    },
  ],
])('RedisStore while Redis is down (%s)', (_name, connect) => {
  let close: (() => void) | undefined;

  afterAll(() => close?.());

  it('fails fast with WX_STORE_UNAVAILABLE, then works again once Redis is back', async () => {
    const server = await startPrivateRedis();
    const { port } = server;
    const connected = await connect(port);
    close = connected.close;
    const { store, raw } = connected;
    await store.set('k', 'before', 10_000);
    expect(await store.get('k')).toBe('before');

    // A server that accepts but does not answer: only the command timeout can end the call.
    await raw(['CLIENT', 'PAUSE', '4000', 'ALL']);
    const started = performance.now();
    await expect(store.get('k')).rejects.toMatchObject({ code: 'WX_STORE_UNAVAILABLE', status: 503 });
    // The 300 ms command timeout ended it, not the 4 s pause (with room for a slow machine).
    expect(performance.now() - started).toBeLessThan(3000);
    await eventuallyWorks(store);

    await server.stop();
    await expectUnavailable(store);
    // Once the client has noticed, calls do not even wait for the timeout.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const quick = performance.now();
    await expect(store.get('k')).rejects.toMatchObject({ code: 'WX_STORE_UNAVAILABLE' });
    expect(performance.now() - quick).toBeLessThan(100);

    await startPrivateRedis([], port);
    await eventuallyWorks(store);
    expect(await store.get('back')).toEqual({ ok: true });
  }, 20_000);
});
