// Runs the SessionStore contract on MemoryStore and on a store without index methods (the fallback
// index), plus what only MemoryStore has: its entry bound.

import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { sessionIndexOf } from '../../src/stores/session-index.js';
import { runSessionStoreContract } from '../../src/testing/store-contract.js';
import { requiredOnly } from '../helpers/required-only-store.js';

const HOUR = 3_600_000;

runSessionStoreContract({ describe, it, afterAll }, () => new MemoryStore(), {
  name: 'MemoryStore contract',
});

describe('MemoryStore bound', () => {
  it('evicts the least recently used entry when a 4th set exceeds max 3', () => {
    const store = new MemoryStore({ max: 3 });
    store.set('a', 'A', HOUR);
    store.set('b', 'B', HOUR);
    store.set('c', 'C', HOUR);
    // Reading 'a' makes 'b' the least recently used.
    expect(store.get('a')).toBe('A');
    store.set('d', 'D', HOUR);
    expect(store.size).toBe(3);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe('A');
    expect(store.get('c')).toBe('C');
    expect(store.get('d')).toBe('D');
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new MemoryStore({ max: 0 })).toThrow(/option "max"/);
    expect(() => new MemoryStore({ max: 1.5 })).toThrow(TypeError);
    expect(() => new MemoryStore({ maxShortLived: -1 })).toThrow(/option "maxShortLived"/);
  });

  it('keeps records of a minute or less in a pool of their own: a burst of them evicts no session', () => {
    const store = new MemoryStore({ max: 2, maxShortLived: 3 });
    store.set('sess:1', 'S1', HOUR);
    store.set('skey:1', 'K1', HOUR);
    for (let i = 0; i < 100; i++) store.add(`code:${i}`, 'pending', 30_000);
    expect(store.get('sess:1')).toBe('S1');
    expect(store.get('skey:1')).toBe('K1');
    expect(store.size).toBe(5);
    expect(store.get('code:99')).toBe('pending');
    expect(store.get('code:0')).toBeUndefined();
  });

  it('moves a key between pools when its TTL changes, and never holds it twice', () => {
    const store = new MemoryStore();
    store.set('k', 'short', 5_000);
    store.set('k', 'long', HOUR);
    expect(store.get('k')).toBe('long');
    expect(store.size).toBe(1);
    expect(store.add('k', 'other', 5_000)).toBe(false);
    expect(store.deleteIfEquals('k', 'long')).toBe(true);
    expect(store.size).toBe(0);
  });

  it('drops expired entries when full before it evicts a live one', async () => {
    const store = new MemoryStore({ maxShortLived: 3 });
    store.set('gone-soon', 'x', 20);
    store.set('live-1', 'a', 60_000);
    store.set('live-2', 'b', 60_000);
    // Read last, so that plain LRU order would evict live-1 and keep the expired entry.
    expect(store.get('gone-soon')).toBe('x');
    await new Promise((resolve) => setTimeout(resolve, 40));
    store.set('live-3', 'c', 60_000);
    expect(store.size).toBe(3);
    expect(store.get('live-1')).toBe('a');
    expect(store.get('live-2')).toBe('b');
    expect(store.get('live-3')).toBe('c');
  });

  it('purges expired entries so that they stop counting', async () => {
    const store = new MemoryStore();
    store.set('a', 1, 20);
    store.set('b', 2, HOUR);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(store.size).toBe(2);
    store.purgeExpired();
    expect(store.size).toBe(1);
    store.close();
  });
});

runSessionStoreContract({ describe, it, afterAll }, () => requiredOnly(new MemoryStore()), {
  name: 'A store without index methods (the fallback index)',
});

describe('the index of a store', () => {
  it('is the store’s own when it has the index methods, else the fallback', () => {
    expect(sessionIndexOf(new MemoryStore()).native).toBe(true);
    expect(sessionIndexOf(requiredOnly(new MemoryStore())).native).toBe(false);
  });

  it('refuses a store with only some of the index methods', () => {
    const half = { ...requiredOnly(new MemoryStore()), indexAdd: () => undefined };
    expect(() => sessionIndexOf(half)).toThrow(
      /option "store" has some index methods but not all three; missing: indexMembers, indexRemove/,
    );
    expect(() => sessionIndexOf(half)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it.each([
    ['native', () => sessionIndexOf(new MemoryStore())],
    ['fallback', () => sessionIndexOf(requiredOnly(new MemoryStore()))],
  ])('%s: refuses a TTL that is not a positive number, and adds nothing', async (_, indexOf) => {
    const index = indexOf();
    await expect(index.add('k', 'm', 0)).rejects.toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: 'express-wx-login: index ttlMs must be a positive number, got 0',
      }),
    );
    expect(await index.members('k')).toEqual([]);
  });

  it('serialises fallback writers with a lock that it releases', async () => {
    const memory = new MemoryStore();
    const index = sessionIndexOf(requiredOnly(memory));
    await Promise.all(Array.from({ length: 10 }, (_, i) => index.add('k', `m${i}`, 60_000)));
    expect((await index.members('k')).length).toBe(10);
    expect(memory.get('k:lock')).toBeUndefined();
  });
});
