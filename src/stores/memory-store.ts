// MemoryStore: the default SessionStore, an lru-cache bounded by entry count and per-entry TTL.
// Good for one process; several instances need a shared store such as RedisStore.

import { LRUCache } from 'lru-cache';
import type { SessionStore, StoredValue } from './types.js';

export interface MemoryStoreOptions {
  /**
   * The most entries kept; the least recently used go first when it is reached.
   * Defaults to `100_000` (a session, plus one key per user, is two entries).
   */
  max?: number;
}

/**
 * A SessionStore held in this process's memory. Entries are stored as JSON text, so a caller can
 * never alias or mutate what is stored, and expire lazily by TTL (lru-cache's `ttlAutopurge` is
 * off: no timer per entry).
 *
 * @example
 * app.use(wxLogin({ appId, appSecret, tokenSecret, store: new MemoryStore({ max: 50_000 }) }));
 */
export class MemoryStore implements SessionStore {
  /** Not shared between processes: `wxLogin()` warns about it when `NODE_ENV` is production. */
  readonly shared = false;
  readonly #cache: LRUCache<string, string>;

  constructor(options: MemoryStoreOptions = {}) {
    const max = options.max ?? 100_000;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(
        `express-wx-login: MemoryStore option "max" must be a positive integer, got ${String(max)}`,
      );
    }
    this.#cache = new LRUCache<string, string>({ max, ttlAutopurge: false, allowStale: false });
  }

  get(key: string): StoredValue | undefined {
    const text = this.#cache.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as StoredValue);
  }

  set(key: string, value: StoredValue, ttlMs: number): void {
    this.#cache.set(key, JSON.stringify(value), { ttl: checkTtl(ttlMs) });
  }

  delete(key: string): void {
    this.#cache.delete(key);
  }

  add(key: string, value: StoredValue, ttlMs: number): boolean {
    const ttl = checkTtl(ttlMs);
    // has() honours TTL, so an expired lock counts as absent.
    if (this.#cache.has(key)) return false;
    this.#cache.set(key, JSON.stringify(value), { ttl });
    return true;
  }

  deleteIfEquals(key: string, value: string): boolean {
    const text = this.#cache.get(key);
    if (text === undefined || text !== JSON.stringify(value)) return false;
    this.#cache.delete(key);
    return true;
  }

  /** Index method: adds (or renews) `member` at `key` for `ttlMs`; atomic, as the process is single-threaded. */
  indexAdd(key: string, member: string, ttlMs: number): void {
    const ttl = checkTtl(ttlMs);
    const now = Date.now();
    const entries = this.#indexEntries(key, now);
    entries.set(member, now + ttl);
    this.#writeIndex(key, entries, now);
  }

  /** Index method: the members at `key` that have not expired. */
  indexMembers(key: string): string[] {
    return [...this.#indexEntries(key, Date.now()).keys()];
  }

  /** Index method: removes `member` from the index at `key`. */
  indexRemove(key: string, member: string): void {
    const now = Date.now();
    const entries = this.#indexEntries(key, now);
    if (entries.delete(member)) this.#writeIndex(key, entries, now);
  }

  // An index is kept as JSON pairs [member, expiresAtMs] under its key, which lives as long as
  // its longest-lived member (and is evicted like any other entry).
  #indexEntries(key: string, now: number): Map<string, number> {
    const text = this.#cache.get(key);
    const pairs: unknown = text === undefined ? [] : JSON.parse(text);
    const entries = new Map<string, number>();
    if (!Array.isArray(pairs)) return entries;
    for (const pair of pairs) {
      if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number' && pair[1] > now)
        entries.set(pair[0], pair[1]);
    }
    return entries;
  }

  #writeIndex(key: string, entries: Map<string, number>, now: number): void {
    const longest = Math.max(0, ...entries.values());
    if (entries.size === 0 || longest <= now) this.#cache.delete(key);
    else this.#cache.set(key, JSON.stringify([...entries]), { ttl: longest - now });
  }

  /** How many entries are held now (expired ones included until they are read or evicted). */
  get size(): number {
    return this.#cache.size;
  }

  close(): void {
    this.#cache.clear();
  }
}

/** lru-cache reads a TTL of 0 as "never expires", which would keep an entry forever. */
function checkTtl(ttlMs: number): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new TypeError(
      `express-wx-login: MemoryStore ttlMs must be a positive number, got ${String(ttlMs)}`,
    );
  }
  return ttlMs;
}
