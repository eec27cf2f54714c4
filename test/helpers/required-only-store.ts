// A store with only the methods every SessionStore has, over a MemoryStore: what a third-party
// store written before the session index existed looks like (the core falls back to its own index),
// and, without `shared: false`, a store the core treats as shared between processes.

import type { MemoryStore, SessionStore } from '../../src/index.js';

/**
 * `store`'s get, set, delete, add and deleteIfEquals, and nothing else.
 *
 * @example
 * const store = requiredOnly(new MemoryStore());
 */
export function requiredOnly(store: MemoryStore): SessionStore {
  return {
    get: (k) => store.get(k),
    set: (k, v, ttl) => store.set(k, v, ttl),
    delete: (k) => store.delete(k),
    add: (k, v, ttl) => store.add(k, v, ttl),
    deleteIfEquals: (k, v) => store.deleteIfEquals(k, v),
  };
}
