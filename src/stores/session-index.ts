// An index (a set of members per key, each with its own expiry) over any SessionStore: the store's
// own index methods when it has them, else a fallback built on the methods every store has.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { failOption, positiveNumberArgument } from '../options-toolkit.js';
import { INDEX_STORE_METHODS, type SessionStore, type StoredValue } from './types.js';

/**
 * The index operations, always async.
 *
 * @example
 * const index = sessionIndexOf(store);
 * await index.add('wx1:{u:o1}:sessions', sid, ttlMs);
 * await index.members('wx1:{u:o1}:sessions'); // [sid]
 */
export interface SessionIndex {
  /** Whether the store's own methods serve the index (else the fallback does). */
  readonly native: boolean;
  add(key: string, member: string, ttlMs: number): Promise<void>;
  members(key: string): Promise<string[]>;
  remove(key: string, member: string): Promise<void>;
}

/** How long a fallback writer may hold a key's lock; a writer that died frees it this late. */
const LOCK_TTL_MS = 2000;
const LOCK_POLL_MS = 20;

/**
 * The index of `store`: its `indexAdd`/`indexMembers`/`indexRemove` when it has all three; a
 * store with only some of them is refused (a TypeError naming the option "store"), as a
 * half-upgraded store would be wrong.
 *
 * The fallback keeps one JSON object `{ member: expiresAtMs }` under the key, written with `set`
 * (so a reader never sees a partial value) by one writer at a time: writers take a lock with
 * `add` and release it with `deleteIfEquals`. A writer that cannot get the lock within 2 s (its
 * holder died, or is stalled) writes anyway: then the last writer wins and one change may be
 * lost. Expired members are dropped on every write and never returned.
 *
 * @example
 * const index = sessionIndexOf(new MemoryStore()); // index.native === true
 */
export function sessionIndexOf(store: SessionStore): SessionIndex {
  const present = INDEX_STORE_METHODS.filter((name) => typeof store[name] === 'function');
  if (present.length === INDEX_STORE_METHODS.length) {
    return {
      native: true,
      add: async (key, member, ttlMs) => {
        positiveNumberArgument(ttlMs, 'index ttlMs');
        await store.indexAdd!(key, member, ttlMs);
      },
      members: async (key) => [...(await store.indexMembers!(key))],
      remove: async (key, member) => {
        await store.indexRemove!(key, member);
      },
    };
  }
  if (present.length > 0) {
    const missing = INDEX_STORE_METHODS.filter((name) => !present.includes(name));
    failOption('store', `has some index methods but not all three; missing: ${missing.join(', ')}`);
  }
  return fallbackIndex(store);
}

function fallbackIndex(store: SessionStore): SessionIndex {
  const write = async (key: string, change: (entries: Map<string, number>, now: number) => void) => {
    const lockKey = `${key}:lock`;
    const owner = randomUUID();
    const deadline = Date.now() + LOCK_TTL_MS;
    let locked = await store.add(lockKey, owner, LOCK_TTL_MS);
    while (!locked && Date.now() < deadline) {
      await sleep(LOCK_POLL_MS);
      locked = await store.add(lockKey, owner, LOCK_TTL_MS);
    }
    try {
      const now = Date.now();
      const entries = readEntries(await store.get(key), now);
      change(entries, now);
      const longest = Math.max(0, ...entries.values());
      if (entries.size === 0 || longest <= now) await store.delete(key);
      else await store.set(key, Object.fromEntries(entries), longest - now);
    } finally {
      if (locked) await store.deleteIfEquals(lockKey, owner);
    }
  };
  return {
    native: false,
    add: async (key, member, ttlMs) => {
      positiveNumberArgument(ttlMs, 'index ttlMs');
      await write(key, (entries, now) => entries.set(member, now + ttlMs));
    },
    members: async (key) => [...readEntries(await store.get(key), Date.now()).keys()],
    remove: async (key, member) => {
      await write(key, (entries) => entries.delete(member));
    },
  };
}

/** The live members of a fallback index value; anything malformed counts as empty. */
function readEntries(value: StoredValue | undefined, now: number): Map<string, number> {
  const entries = new Map<string, number>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return entries;
  for (const [member, expiresAt] of Object.entries(value)) {
    if (typeof expiresAt === 'number' && expiresAt > now) entries.set(member, expiresAt);
  }
  return entries;
}
