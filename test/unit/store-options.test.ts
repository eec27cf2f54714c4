// The stores' constructor options and TTL arguments are checked by the options toolkit: every bad
// one is a TypeError with code ERR_INVALID_ARG_VALUE whose message names it. (The session index's
// option "store" and TTL are checked in test/contract/memory-store.test.ts, beside its fallback.)

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore, type MemoryStoreOptions } from '../../src/stores/memory-store.js';
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis-store.js';

// A real ioredis client that never connects (lazyConnect, and no command is sent): the options are
// checked before anything reaches Redis.
const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

/** The error `build` throws; fails the test when it throws nothing. */
function errorOf(build: () => unknown): Error & { code?: unknown } {
  try {
    build();
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  throw new Error('nothing was thrown');
}

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  return promise.then(
    () => {
      throw new Error('the promise resolved');
    },
    (err: unknown) => err as Error & { code?: unknown },
  );
}

function expectOptionError(err: Error & { code?: unknown }, expected: string): void {
  expect(err).toBeInstanceOf(TypeError);
  expect(err.code).toBe('ERR_INVALID_ARG_VALUE');
  expect(err.message.startsWith('express-wx-login: ')).toBe(true);
  expect(err.message).toContain(expected);
}

describe('MemoryStore options', () => {
  it.each<[MemoryStoreOptions, string]>([
    [{ max: 0 }, 'option "max" must be an integer of at least 1, got 0'],
    [{ max: 1.5 }, 'option "max" must be an integer of at least 1, got 1.5'],
    [{ max: '100' as never }, 'option "max" must be an integer of at least 1, got string'],
    [{ maxShortLived: -1 }, 'option "maxShortLived" must be an integer of at least 1, got -1'],
    [{ maxShortLived: Number.NaN }, 'option "maxShortLived" must be an integer of at least 1, got NaN'],
    [null as never, 'options must be an object'],
  ])('refuses %j', (options, expected) => {
    expectOptionError(
      errorOf(() => new MemoryStore(options)),
      expected,
    );
  });

  it('takes an option given as undefined as its default, and any integer from 1', () => {
    const store = new MemoryStore({ max: undefined, maxShortLived: 1 });
    store.set('a', 'A', 1_000);
    store.set('b', 'B', 1_000);
    // maxShortLived 1: the second short-lived entry evicted the first.
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toBe('B');
    store.close();
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a TTL of %s in set, add and indexAdd',
    (ttl) => {
      const store = new MemoryStore();
      for (const call of [
        () => store.set('k', 'v', ttl),
        () => store.add('k', 'v', ttl),
        () => store.indexAdd('i', 'm', ttl),
      ]) {
        expectOptionError(errorOf(call), `MemoryStore ttlMs must be a positive number, got ${ttl}`);
      }
      expect(store.size).toBe(0);
      store.close();
    },
  );
});

describe('RedisStore options', () => {
  it.each<[Partial<RedisStoreOptions>, string]>([
    [{}, 'option "client" must be an ioredis or node-redis client'],
    [{ client: null as never }, 'option "client" must be an ioredis or node-redis client'],
    [{ client: {} as never }, 'option "client" must be an ioredis or node-redis client'],
    [{ client: 'redis://127.0.0.1' as never }, 'option "client" must be an ioredis or node-redis client'],
    [{ client, prefix: '' }, 'option "prefix" must be a non-empty string'],
    [{ client, prefix: '  ' }, 'option "prefix" must be a non-empty string'],
    [{ client, prefix: 42 as never }, 'option "prefix" must be a non-empty string'],
    [{ client, commandTimeoutMs: 0 }, 'option "commandTimeoutMs" must be a positive number, got 0'],
    [{ client, commandTimeoutMs: -5 }, 'option "commandTimeoutMs" must be a positive number, got -5'],
    [
      { client, commandTimeoutMs: Number.POSITIVE_INFINITY },
      'option "commandTimeoutMs" must be a positive number, got Infinity',
    ],
    [
      { client, commandTimeoutMs: '1000' as never },
      'option "commandTimeoutMs" must be a positive number, got string',
    ],
    [undefined as never, 'options must be an object'],
  ])('refuses %o', (options, expected) => {
    expectOptionError(
      errorOf(() => new RedisStore(options as RedisStoreOptions)),
      expected,
    );
  });

  it('takes options given as undefined as their defaults, and a fractional timeout', () => {
    expect(new RedisStore({ client, prefix: undefined, commandTimeoutMs: undefined })).toBeInstanceOf(
      RedisStore,
    );
    expect(new RedisStore({ client, prefix: 'app:', commandTimeoutMs: 0.5 })).toBeInstanceOf(RedisStore);
  });

  it('refuses a TTL that is not a positive number before sending anything', async () => {
    const store = new RedisStore({ client });
    for (const ttl of [0, Number.NaN]) {
      for (const call of [
        () => store.set('k', 'v', ttl),
        () => store.add('k', 'v', ttl),
        () => store.extendIfEquals('k', 'v', ttl),
        () => store.indexAdd('i', 'm', ttl),
      ]) {
        expectOptionError(
          await rejectionOf(call()),
          `RedisStore ttlMs must be a positive number, got ${ttl}`,
        );
      }
    }
    // Nothing was sent: the lazy client never started to connect.
    expect(client.status).toBe('wait');
  });
});
