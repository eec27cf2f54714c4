// Runs the SessionStore contract on MemoryStore and on a store without index methods (the fallback
// index), plus what only MemoryStore has: its entry bound.

import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { sessionIndexOf } from '../../src/stores/session-index.js';
import type { SessionStore } from '../../src/stores/types.js';
import { runSessionStoreContract } from '../../src/testing/store-contract.js';

runSessionStoreContract({ describe, it, afterAll }, () => new MemoryStore(), {
  name: 'MemoryStore contract',
});

describe('MemoryStore bound', () => {
  it('evicts the least recently used entry when a 4th set exceeds max 3', () => {
    const store = new MemoryStore({ max: 3 });
    store.set('a', 'A', 60_000);
    store.set('b', 'B', 60_000);
    store.set('c', 'C', 60_000);
    // Reading 'a' makes 'b' the least recently used.
    expect(store.get('a')).toBe('A');
    store.set('d', 'D', 60_000);
    expect(store.size).toBe(3);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe('A');
    expect(store.get('c')).toBe('C');
    expect(store.get('d')).toBe('D');
  });

  it('refuses a max that is not a positive integer', () => {
    expect(() => new MemoryStore({ max: 0 })).toThrow(/MemoryStore option "max"/);
    expect(() => new MemoryStore({ max: 1.5 })).toThrow(TypeError);
  });
});

/** A store with only the required methods, as a third-party store written before the index existed. */
function requiredOnly(store: MemoryStore): SessionStore {
  return {
    get: (k) => store.get(k),
    set: (k, v, ttl) => store.set(k, v, ttl),
    delete: (k) => store.delete(k),
    add: (k, v, ttl) => store.add(k, v, ttl),
    deleteIfEquals: (k, v) => store.deleteIfEquals(k, v),
  };
}

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
  });

  it('serialises fallback writers with a lock that it releases', async () => {
    const memory = new MemoryStore();
    const index = sessionIndexOf(requiredOnly(memory));
    await Promise.all(Array.from({ length: 10 }, (_, i) => index.add('k', `m${i}`, 60_000)));
    expect((await index.members('k')).length).toBe(10);
    expect(memory.get('k:lock')).toBeUndefined();
  });
});
