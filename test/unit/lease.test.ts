// Lease: a claim on a store key with a value of its owner's own, renewed while held, released by
// compare-and-delete, so that an owner that lost its claim never removes or extends another's.

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LEASE_PREFIX, Lease } from '../../src/core/lease.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import type { SessionStore } from '../../src/stores/types.js';
import { eventually, sharedRedis } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';

// Skipped, and reported by the test run, on a machine without Redis.
const shared = services.redisUrl ? await sharedRedis() : undefined;
let prefixes = 0;

/** Polls until the key is gone (at most 20 s): waits for the expiry, never for a fixed time. */
async function expectGone(store: SessionStore, key: string): Promise<void> {
  expect(
    await eventually(
      async () => store.get(key),
      (value) => value === undefined,
      20_000,
    ),
  ).toBeUndefined();
}

function leaseSuite(makeStore: () => SessionStore): void {
  it('one holder at a time, with a value of its own', async () => {
    const store = makeStore();
    const held = await Lease.acquire(store, undefined, 'wx123:lock', 'lock');
    expect(held?.value.startsWith(LEASE_PREFIX)).toBe(true);
    expect(await store.get('wx123:lock')).toBe(held?.value);
    expect(await Lease.acquire(store, undefined, 'wx123:lock', 'lock')).toBeUndefined();
    await held?.release();
    expect(await store.get('wx123:lock')).toBeUndefined();
    const next = await Lease.acquire(store, undefined, 'wx123:lock', 'lock');
    expect(next?.value).not.toBe(held?.value);
    await next?.release();
  });

  it('an owner whose claim expired and was taken since releases nothing of the new holder’s', async () => {
    const store = makeStore();
    const stale = await Lease.acquire(store, undefined, 'wx123:lock', 'lock', 200);
    stale?.stop();
    await expectGone(store, 'wx123:lock');
    const current = await Lease.acquire(store, undefined, 'wx123:lock', 'lock');
    expect(current).toBeDefined();

    await stale?.release();
    expect(await store.get('wx123:lock')).toBe(current?.value);
    await current?.release();
  });

  it('renewed while held, so it outlives its TTL; once stopped, it expires', async () => {
    const store = makeStore();
    // Renewed every 500 ms: only a stall of over a second on this machine could lose it.
    const held = await Lease.acquire(store, undefined, 'wx123:lock', 'lock', 1500);
    expect(held).toBeDefined();
    await sleep(3500);
    expect(await store.get('wx123:lock')).toBe(held?.value);

    held?.stop();
    await expectGone(store, 'wx123:lock');
  });
}

describe('Lease on a MemoryStore (renewed by read, compare and write)', () => {
  leaseSuite(() => new MemoryStore());
});

describe.skipIf(!shared)('Lease on a RedisStore (renewed by its atomic extendIfEquals)', () => {
  leaseSuite(() => new RedisStore({ client: shared!.client, prefix: `${shared!.prefix}${++prefixes}:` }));
});
