// The local cache of session records in front of a shared SessionStore (Redis): each repository
// has its own, whose entries live `cacheMs`, the bound on how late a logout on another instance is
// seen here. Records are kept as JSON outside the V8 heap (ByteLru): with 100,000 users rotating, a
// heap object per session made every request pay for the collector walking them. An in-process
// store (MemoryStore) gets no cache: it keeps its entries off the heap too and answers at once, so
// a copy would cost the same to read and twice the memory.

import { ByteLru } from '../stores/byte-lru.js';
import type { SessionStore } from '../stores/types.js';
import type { SessionRecord } from './sessions.js';

/**
 * Room for the sessions of about 100,000 users in the local cache: an entry is the sid (22 B), the
 * record as JSON (about 250 B, more with what `onLogin` returned) and ByteLru's 49 B.
 */
export const DEFAULT_SESSION_CACHE_BYTES = 48 * 1024 * 1024;

/**
 * Cached records by sid, and what tells a read whether it may still cache what it read.
 *
 * @example
 * const cache = sessionCacheFor(redisStore, { cacheMs: 1000, cacheBytes: 48 * 1024 * 1024 });
 * const epoch = cache.epoch; // before reading the store
 * if (cache.mayCache(epoch)) cache.set(sid, record);
 */
export class SessionCache {
  readonly #records: ByteLru;
  readonly #ttlMs: number;
  /**
   * Bumped when a delete starts and when it ends. A read that overlapped a delete (the epoch
   * changed, or a delete is still running) is answered but not cached: a store that answers
   * slowly must not put a session back into the cache after a logout cleared it.
   */
  #epoch = 0;
  #deleting = 0;

  constructor(ttlMs: number, maxBytes: number) {
    this.#ttlMs = ttlMs;
    this.#records = new ByteLru({ maxBytes });
  }

  /** The record cached for `sid` within the last `ttlMs`, a fresh copy; `undefined` when none. */
  get(sid: string): SessionRecord | undefined {
    const text = this.#records.get(sid);
    return text === undefined ? undefined : (JSON.parse(text) as SessionRecord);
  }

  set(sid: string, record: SessionRecord): void {
    this.#records.set(sid, JSON.stringify(record), this.#ttlMs);
  }

  delete(sid: string): void {
    this.#records.delete(sid);
  }

  /** Records held (expired ones included until evicted) and the bytes they count. */
  get size(): number {
    return this.#records.size;
  }

  get bytes(): number {
    return this.#records.bytes;
  }

  /** Taken before a store read starts, and given back to `mayCache()` when it ends. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Whether a read that started at `epoch` may cache what it read: no delete overlapped it. */
  mayCache(epoch: number): boolean {
    return epoch === this.#epoch && this.#deleting === 0;
  }

  /** Drops `sid` and keeps overlapping reads from caching it again until `done()` is called. */
  startDelete(sid: string): { done(): void } {
    this.#epoch++;
    this.#deleting++;
    this.#records.delete(sid);
    return {
      done: () => {
        this.#deleting--;
        this.#epoch++;
      },
    };
  }
}

/**
 * The cache of a repository on `store`: its own for a shared store, none for an in-process store
 * (`shared: false`) or when `cacheMs` or `cacheBytes` is 0.
 *
 * @example
 * const cache = sessionCacheFor(new MemoryStore(), { cacheMs: 1000 }); // undefined: read the store
 */
export function sessionCacheFor(
  store: SessionStore,
  options: { cacheMs: number; cacheBytes?: number | undefined },
): SessionCache | undefined {
  const bytes = options.cacheBytes ?? DEFAULT_SESSION_CACHE_BYTES;
  if (store.shared === false || options.cacheMs <= 0 || bytes <= 0) return undefined;
  return new SessionCache(options.cacheMs, bytes);
}
