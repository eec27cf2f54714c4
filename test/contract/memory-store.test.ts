// Runs the SessionStore contract on MemoryStore, plus what only MemoryStore has: its entry bound.
// The contract itself lives in src/testing so that users can run it on their own stores.

import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/stores/memory-store.js';
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
