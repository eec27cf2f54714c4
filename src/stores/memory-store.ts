// MemoryStore: the default SessionStore, two ByteLru maps (sessions and other lasting records;
// records of a minute or less) bounded by entry count, TTLs honoured, held outside the V8 heap.
// One process only: else use RedisStore.

import { integerOption, omitUndefined, positiveNumberArgument } from '../options-toolkit.js';
import { ByteLru } from './byte-lru.js';
import type { SessionStore, StoredValue } from './types.js';

export interface MemoryStoreOptions {
  /**
   * The most lasting entries kept (TTL over a minute: sessions, session keys, the access_token);
   * the least recently used go first when it is reached. Each logged-in user holds three (the
   * session, the user's session_key and their session index; four with a unionid), so the
   * default `300_000` holds 100,000 users.
   */
  max?: number;
  /**
   * The most short-lived entries kept (TTL of a minute or less: login-code claims and results,
   * locks). They have a pool of their own, so a burst of them never evicts a session.
   * Defaults to `50_000`.
   */
  maxShortLived?: number;
}

/** Entries that live at most this long share the short-lived pool. Sessions never do: they live at least 90 s. */
const SHORT_LIVED_MS = 60_000;
/** How often expired entries are dropped, so that they do not hold capacity until evicted. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * A SessionStore held in this process's memory. Entries are stored as JSON text, so a caller can
 * never alias or mutate what is stored. Expired entries are never returned, and are dropped once a
 * minute (one timer per store, unref'd) and whenever a pool is full, before anything live is
 * evicted (a timer per entry would cost more). A bad option throws a `TypeError` with
 * `code: 'ERR_INVALID_ARG_VALUE'` naming it.
 *
 * Entries live in typed arrays and one byte buffer (`ByteLru`), not as heap objects: V8's collector
 * marks every heap object again at each full collection, which every request of the process pays
 * for, on any route. With 100,000 users held as objects (lru-cache, before 0.2.0), a route that never
 * met this package answered at 0.72-0.88 of bare Express; held here, at 0.92-1.01. A user takes
 * about 825 B of process memory, 2 B of it in the heap (bench/README.md, "Memory").
 *
 * @example
 * app.use(wxLogin({ appId, appSecret, tokenSecret, store: new MemoryStore({ max: 50_000 }) }));
 */
export class MemoryStore implements SessionStore {
  /** Not shared between processes: `wxLogin()` warns about it when `NODE_ENV` is production. */
  readonly shared = false;
  readonly #lasting: ByteLru;
  readonly #short: ByteLru;
  #timer: NodeJS.Timeout | undefined;
  /** When a full pool last purged expired entries (ms), so a pool full of live entries is not scanned on every set. */
  #lastFullPurge = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryStoreOptions = {}) {
    const given = omitUndefined(options);
    const max = integerOption(given, 'max', 300_000, 1, Number.POSITIVE_INFINITY);
    const maxShortLived = integerOption(given, 'maxShortLived', 50_000, 1, Number.POSITIVE_INFINITY);
    this.#lasting = new ByteLru(max);
    this.#short = new ByteLru(maxShortLived);
  }

  get(key: string): StoredValue | undefined {
    const text = this.#lasting.get(key) ?? this.#short.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as StoredValue);
  }

  set(key: string, value: StoredValue, ttlMs: number): void {
    this.#write(key, JSON.stringify(value), checkTtl(ttlMs));
  }

  delete(key: string): void {
    this.#lasting.delete(key);
    this.#short.delete(key);
  }

  add(key: string, value: StoredValue, ttlMs: number): boolean {
    const ttl = checkTtl(ttlMs);
    // has() honours TTL, so an expired lock counts as absent.
    if (this.#lasting.has(key) || this.#short.has(key)) return false;
    this.#write(key, JSON.stringify(value), ttl);
    return true;
  }

  deleteIfEquals(key: string, value: string): boolean {
    const expected = JSON.stringify(value);
    for (const pool of [this.#lasting, this.#short]) {
      if (pool.get(key) === expected) {
        pool.delete(key);
        return true;
      }
    }
    return false;
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
    const text = this.#lasting.get(key) ?? this.#short.get(key);
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
    if (entries.size === 0 || longest <= now) this.delete(key);
    else this.#write(key, JSON.stringify([...entries]), longest - now);
  }

  /** How many entries are held now, in both pools (expired ones included until purged). */
  get size(): number {
    return this.#lasting.size + this.#short.size;
  }

  /** Drops every expired entry now; runs on its own once a minute. */
  purgeExpired(): void {
    this.#lasting.purgeStale();
    this.#short.purgeStale();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#lasting.clear();
    this.#short.clear();
  }

  #write(key: string, text: string, ttl: number): void {
    const [pool, other] = ttl <= SHORT_LIVED_MS ? [this.#short, this.#lasting] : [this.#lasting, this.#short];
    other.delete(key);
    if (pool.size >= pool.max && !pool.has(key)) this.#purgeBeforeEviction(pool);
    pool.set(key, text, ttl);
    if (this.#timer === undefined) this.#timer = startPurging(this);
  }

  /** A full pool drops its expired entries first, at most once a second (a scan is O(entries)). */
  #purgeBeforeEviction(pool: ByteLru): void {
    const now = performance.now();
    if (now - this.#lastFullPurge < 1000) return;
    this.#lastFullPurge = now;
    pool.purgeStale();
  }
}

/**
 * The purge timer holds the store weakly: a store the app dropped (tests, hot reloads) is still
 * collected, and its timer stops. Unref'd, so it never keeps the process alive.
 */
function startPurging(store: MemoryStore): NodeJS.Timeout {
  const ref = new WeakRef(store);
  const timer = setInterval(() => {
    const alive = ref.deref();
    if (alive) alive.purgeExpired();
    else clearInterval(timer);
  }, PURGE_INTERVAL_MS);
  timer.unref();
  return timer;
}

/** lru-cache reads a TTL of 0 as "never expires", which would keep an entry forever. */
function checkTtl(ttlMs: number): number {
  return positiveNumberArgument(ttlMs, 'MemoryStore ttlMs');
}
