// The local cache of session records in front of the SessionStore. For a shared store (Redis) each
// repository has its own, whose entries live `cacheMs`: the bound on how late a logout on another
// instance is seen here. For an in-process store (MemoryStore) every change to a session is made in
// this process, through a repository that drops the cached copy at once; there, one cache per store
// and app is shared by every repository (every wxLogin() on that store), and entries live a minute.

import { LRUCache } from 'lru-cache';
import type { SessionStore } from '../stores/types.js';
import { Doorkeeper, textTag } from './doorkeeper.js';
import type { SessionRecord } from './sessions.js';

/** Room for the sessions of about 100,000 users in the local cache (see sessionCacheEntryBytes). */
export const DEFAULT_SESSION_CACHE_BYTES = 48 * 1024 * 1024;

/**
 * How long a session read from an in-process store is trusted. Re-reading it every second, as a
 * shared store needs, turns every request of 10,000 rotating users into a read, a JSON parse and a
 * new cached object, whose churn makes the collector mark the whole store far more often (bench/).
 * The minute bounds only what bypasses the repositories: an app deleting store keys itself.
 */
export const IN_PROCESS_CACHE_MS = 60_000;

/** sessionCacheEntryBytes() of a typical session (no `onLogin` user), to size the doorkeeper. */
const TYPICAL_SESSION_ENTRY_BYTES = 400;

/**
 * What one cached session costs in heap, roughly: the record, its strings (two bytes a character
 * at worst), what `onLogin` returned, and lru-cache's slots. Measured in bench/.
 */
export function sessionCacheEntryBytes(record: SessionRecord): number {
  const strings =
    record.sid.length * 2 + record.openid.length + (record.unionid?.length ?? 0) + record.appId.length;
  const user = record.user === undefined ? 0 : JSON.stringify(record.user).length + 48;
  return 160 + 2 * strings + user;
}

/**
 * Cached records by sid, and what tells a read whether it may still cache what it read.
 *
 * @example
 * const { cache } = sessionCacheFor(store, 'wx123', { cacheMs: 1000, cacheBytes: 48 * 1024 * 1024 });
 * const epoch = cache.epoch; // before reading the store
 * if (cache.mayCache(sid, epoch)) cache.records.set(sid, record);
 */
export class SessionCache {
  readonly records: LRUCache<string, SessionRecord>;
  /**
   * Bumped when a delete starts and when it ends. A read that overlapped a delete (the epoch
   * changed, or a delete is still running) is answered but not cached: a store that answers
   * slowly must not put a session back into the cache after a logout cleared it.
   */
  #epoch = 0;
  #deleting = 0;
  /**
   * In front of an in-process store only: a session is cached when it is read a second time. A
   * read there costs a few microseconds, less than caching a session that is read once; a shared
   * store's read is a round trip, so its sessions are cached when first read.
   */
  readonly #door: Doorkeeper | undefined;

  constructor(ttlMs: number, maxBytes: number, options: { secondRead?: boolean } = {}) {
    this.records = new LRUCache({
      ttl: ttlMs,
      ttlAutopurge: false,
      maxSize: maxBytes,
      sizeCalculation: sessionCacheEntryBytes,
    });
    this.#door = options.secondRead ? new Doorkeeper(maxBytes / TYPICAL_SESSION_ENTRY_BYTES) : undefined;
  }

  /** Taken before a store read starts, and given back to `mayCache()` when it ends. */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Whether a read of `sid` that started at `epoch` may cache what it read: no delete overlapped
   * it, and (in front of an in-process store) `sid` was read before. Not a pure check: there, this
   * call is what remembers the read, so call it once per store read that found a session.
   */
  mayCache(sid: string, epoch: number): boolean {
    if (epoch !== this.#epoch || this.#deleting !== 0) return false;
    return this.#door === undefined || this.#door.seenBefore(textTag(sid));
  }

  /** Drops `sid` and keeps overlapping reads from caching it again until `done()` is called. */
  startDelete(sid: string): { done(): void } {
    this.#epoch++;
    this.#deleting++;
    this.records.delete(sid);
    return {
      done: () => {
        this.#deleting--;
        this.#epoch++;
      },
    };
  }
}

// Keyed by the store object, so that a store the app drops takes its caches with it.
const inProcessCaches = new WeakMap<SessionStore, Map<string, SessionCache>>();

/**
 * The cache a repository of `appId` on `store` uses, and whether it may read from it. A shared
 * store's repository has its own, none when `cacheMs` or `cacheBytes` is 0. An in-process store's
 * cache is made by the first repository on it and shared by the later ones of the same app, byte
 * bound included; a repository that does not read from it still drops what it changes from it.
 *
 * @example
 * const { cache, reads } = sessionCacheFor(new MemoryStore(), 'wx123', { cacheMs: 1000, cacheBytes: 1 << 20 });
 */
export function sessionCacheFor(
  store: SessionStore,
  appId: string,
  options: { cacheMs: number; cacheBytes?: number | undefined },
): { cache: SessionCache | undefined; reads: boolean } {
  const bytes = options.cacheBytes ?? DEFAULT_SESSION_CACHE_BYTES;
  const reads = options.cacheMs > 0 && bytes > 0;
  if (store.shared !== false) {
    return { cache: reads ? new SessionCache(options.cacheMs, bytes) : undefined, reads };
  }
  let byApp = inProcessCaches.get(store);
  if (!byApp) {
    byApp = new Map();
    inProcessCaches.set(store, byApp);
  }
  let cache = byApp.get(appId);
  if (!cache) {
    cache = new SessionCache(IN_PROCESS_CACHE_MS, bytes > 0 ? bytes : DEFAULT_SESSION_CACHE_BYTES, {
      secondRead: true,
    });
    byApp.set(appId, cache);
  }
  return { cache, reads };
}
