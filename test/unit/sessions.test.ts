// SessionRepository without HTTP: a MemoryStore read never becomes a promise; on a real Redis,
// one round trip per cache miss (shared by concurrent misses) and none on a hit; the cache bound;
// how long a cached session is trusted, and who shares the cache, for in-process and shared stores.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { type SessionRecord, SessionRepository } from '../../src/core/sessions.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import type { SessionStore } from '../../src/stores/types.js';
import { requiredOnly } from '../helpers/required-only-store.js';
import { services } from '../helpers/services/index.js';

const TTL = 60_000;

function record(sid: string, user?: Record<string, string>): SessionRecord {
  return {
    sid,
    openid: `o-${sid}`,
    appId: 'wx_unit',
    source: 'miniprogram',
    createdAt: 1,
    expiresAt: 4_000_000_000,
    ...(user ? { user } : {}),
  };
}

/** Counts the store's reads: the test's side of the contract, the store itself is real. */
function counting<S extends SessionStore>(store: S): { store: S; gets: () => number } {
  let gets = 0;
  const get = store.get.bind(store);
  store.get = ((key: string) => {
    gets++;
    return get(key);
  }) as S['get'];
  return { store, gets: () => gets };
}

describe('SessionRepository on MemoryStore', () => {
  it('answers a miss, a hit and an absent session without a promise, caching a session on its second read', async () => {
    const { store, gets } = counting(new MemoryStore());
    const sessions = new SessionRepository(store, 'wx_unit', { cacheMs: 1000 });
    await sessions.save(record('s1'), TTL);
    const first = sessions.loadNow('s1');
    expect(first).not.toBeInstanceOf(Promise);
    expect((first as SessionRecord).openid).toBe('o-s1');
    // Read once: not cached (a read of MemoryStore costs less than caching what is read once).
    expect(sessions.loadCached('s1')).toBeUndefined();
    expect(sessions.loadNow('s1')).toEqual(first);
    expect(gets()).toBe(2);
    // Read twice: cached, the store is not read again.
    expect(sessions.loadNow('s1')).toEqual(first);
    expect(gets()).toBe(2);
    expect(sessions.loadNow('nope')).toBeUndefined();
    expect(sessions.cacheStats).toMatchObject({ hits: 1, misses: 3, entries: 1 });
  });

  it('forgets a session at once when it is deleted', async () => {
    const sessions = new SessionRepository(new MemoryStore(), 'wx_unit', { cacheMs: 1000 });
    await sessions.save(record('s2'), TTL);
    expect(sessions.loadNow('s2')).toBeDefined();
    await sessions.delete('s2');
    expect(sessions.loadNow('s2')).toBeUndefined();
  });

  it('turns a store that throws into a rejected WX_STORE_UNAVAILABLE, never a synchronous throw', async () => {
    const store = new MemoryStore();
    store.get = () => {
      throw new Error('disk on fire');
    };
    const sessions = new SessionRepository(store, 'wx_unit', { cacheMs: 1000 });
    const loaded = sessions.loadNow('s3');
    expect(loaded).toBeInstanceOf(Promise);
    await expect(loaded).rejects.toMatchObject({ code: 'WX_STORE_UNAVAILABLE' });
  });

  it('keeps its cache within the byte bound', async () => {
    const store = new MemoryStore();
    const sessions = new SessionRepository(store, 'wx_unit', { cacheMs: 1000, cacheBytes: 20_000 });
    for (let i = 0; i < 300; i++) {
      await sessions.save(record(`s-${i}`, { name: 'x'.repeat(50) }), TTL);
      sessions.loadNow(`s-${i}`);
      sessions.loadNow(`s-${i}`);
    }
    const { entries, bytes } = sessions.cacheStats;
    expect(bytes).toBeLessThanOrEqual(20_000);
    expect(entries).toBeGreaterThan(10);
    expect(entries).toBeLessThan(300);
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the session cache, in-process store vs shared store', () => {
  it('trusts a session read from an in-process store longer than cacheMs: nobody else can change it', async () => {
    const { store, gets } = counting(new MemoryStore());
    const sessions = new SessionRepository(store, 'wx_unit', { cacheMs: 20 });
    await sessions.save(record('long'), TTL);
    sessions.loadNow('long');
    sessions.loadNow('long');
    await pause(120);
    expect((sessions.loadNow('long') as SessionRecord).sid).toBe('long');
    expect(gets()).toBe(2);
    expect(sessions.cacheStats).toMatchObject({ hits: 1, misses: 2 });
  });

  it('reads a shared store again once cacheMs has passed: another instance may have ended it', async () => {
    const memory = new MemoryStore();
    // Without `shared: false`, the MemoryStore is what RedisStore is to the cache: a shared store.
    const { store, gets } = counting(requiredOnly(memory));
    const sessions = new SessionRepository(store, 'wx_unit', { cacheMs: 20 });
    await sessions.save(record('short'), TTL);
    sessions.loadNow('short');
    sessions.loadNow('short');
    expect(gets()).toBe(1);
    await pause(120);
    memory.delete('wx_unit:sess:short');
    expect(sessions.loadNow('short')).toBeUndefined();
    expect(gets()).toBe(2);
  });

  it('shares one cache between the repositories of one app on one in-process store: a delete anywhere is seen everywhere at once', async () => {
    const store = new MemoryStore();
    const first = new SessionRepository(store, 'wx_unit', { cacheMs: 1000 });
    const second = new SessionRepository(store, 'wx_unit', { cacheMs: 1000 });
    await first.save(record('both'), TTL);
    expect(first.loadNow('both')).toBeDefined();
    expect(second.loadNow('both')).toBeDefined();
    expect(first.loadCached('both')).toBeDefined();
    await first.delete('both');
    expect(second.loadCached('both')).toBeUndefined();
    expect(second.loadNow('both')).toBeUndefined();
  });

  it('drops a changed session from the shared cache even through a repository that never reads it (cacheMs 0)', async () => {
    const store = new MemoryStore();
    const reader = new SessionRepository(store, 'wx_unit', { cacheMs: 1000 });
    const uncached = new SessionRepository(store, 'wx_unit', { cacheMs: 0 });
    await reader.save(record('mixed'), TTL);
    expect(reader.loadNow('mixed')).toBeDefined();
    expect(reader.loadNow('mixed')).toBeDefined();
    expect(reader.loadCached('mixed')).toBeDefined();
    expect(uncached.loadCached('mixed')).toBeUndefined();
    await uncached.delete('mixed');
    expect(reader.loadNow('mixed')).toBeUndefined();
  });

  it('keeps the caches of two apps and of two stores apart', async () => {
    const store = new MemoryStore();
    const appA = new SessionRepository(store, 'wx_a', { cacheMs: 1000 });
    const appB = new SessionRepository(store, 'wx_b', { cacheMs: 1000 });
    const otherStore = new SessionRepository(new MemoryStore(), 'wx_a', { cacheMs: 1000 });
    await appA.save(record('apart'), TTL);
    expect(appA.loadNow('apart')).toBeDefined();
    expect(appA.loadNow('apart')).toBeDefined();
    expect(appA.cacheStats.entries).toBe(1);
    expect(appB.loadNow('apart')).toBeUndefined();
    expect(otherStore.loadNow('apart')).toBeUndefined();
    expect(appB.cacheStats.entries).toBe(0);
    expect(otherStore.cacheStats.entries).toBe(0);
  });
});

// Skipped, and reported by the test run, on a machine without Redis.
describe.skipIf(!services.redisUrl)('SessionRepository on RedisStore', async () => {
  const prefix = `wxl-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
  const client = new Redis(services.redisUrl ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
    lazyConnect: !services.redisUrl,
  });
  if (services.redisUrl) await once(client, 'ready');
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await client.quit();
  });

  it('makes one round trip per miss, shared by concurrent misses, and none on a hit', async () => {
    const { store, gets } = counting(new RedisStore({ client, prefix }));
    const sessions = new SessionRepository(store, 'wx_unit', { cacheMs: 1000 });
    await sessions.save(record('r1'), TTL);
    const loads = [sessions.loadNow('r1'), sessions.loadNow('r1'), sessions.loadNow('r1')];
    expect(loads[0]).toBeInstanceOf(Promise);
    const records = await Promise.all(loads);
    expect(records.map((r) => r?.openid)).toEqual(['o-r1', 'o-r1', 'o-r1']);
    expect(gets()).toBe(1);
    const hit = sessions.loadNow('r1');
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as SessionRecord).sid).toBe('r1');
    expect(gets()).toBe(1);
  });
});
