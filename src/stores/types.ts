// The SessionStore interface: the few operations the core needs from any storage engine.
// Keys are built by the core (they always carry the appId); the store adds its own prefix.

/** A value that survives JSON.stringify/JSON.parse unchanged. */
export type StoredValue =
  | string
  | number
  | boolean
  | null
  | StoredValue[]
  | { [key: string]: StoredValue | undefined };

/** A result that may be returned directly or as a promise. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Where sessions, the newest session_key per user, the shared access_token and its lock live.
 *
 * Every write has a TTL: nothing is kept forever. Values are JSON; a store must return a copy
 * (callers may not alias stored entries). A store that cannot reach its backend throws (or
 * rejects); the core turns that into `WX_STORE_UNAVAILABLE` (503).
 *
 * Run `runSessionStoreContract()` from `express-wx-login/testing` against any implementation.
 *
 * @example
 * class MyStore implements SessionStore {
 *   async get(key) { ... }
 *   async set(key, value, ttlMs) { ... }
 *   async delete(key) { ... }
 *   async add(key, value, ttlMs) { ... }          // set if absent, atomically
 *   async deleteIfEquals(key, value) { ... }      // compare-and-delete, atomically
 * }
 */
export interface SessionStore {
  /** The value at `key`, or `undefined` when absent or expired. */
  get(key: string): Awaitable<StoredValue | undefined>;
  /** Writes `value` at `key`, expiring after `ttlMs` milliseconds (> 0). */
  set(key: string, value: StoredValue, ttlMs: number): Awaitable<void>;
  /** Removes `key`; no error when it is absent. */
  delete(key: string): Awaitable<void>;
  /**
   * Writes `value` only if `key` is absent, atomically across every instance sharing the store.
   * Resolves `true` when this call wrote it. Used for locks and single-flight markers.
   */
  add(key: string, value: StoredValue, ttlMs: number): Awaitable<boolean>;
  /**
   * Removes `key` only if it still holds `value` (a string), atomically. Resolves `true` when
   * removed. Used to release a lock without releasing one that another instance took since.
   */
  deleteIfEquals(key: string, value: string): Awaitable<boolean>;
  /**
   * Optional: renews the TTL of `key` to `ttlMs` only if it still holds `value` (a string),
   * atomically. Resolves `true` when renewed. Keeps a claim or lock alive while its owner works, so
   * that its TTL can be short and an abandoned one expires soon. Without it, the core reads, compares
   * and writes again, which can overwrite a claim another instance took in between.
   */
  extendIfEquals?(key: string, value: string, ttlMs: number): Awaitable<boolean>;
  /**
   * Optional: `false` when the store lives in this process (like MemoryStore). The core then warns
   * in production, where several instances are the norm and an in-process store is not shared; and,
   * as no other process can change a session, keeps sessions it read cached up to a minute rather
   * than `sessionCacheMs`. Only a store no other process can write may say `false`.
   */
  readonly shared?: boolean;
  /** Optional: releases connections or timers the store owns. */
  close?(): Awaitable<void>;
  /**
   * Optional index methods (all three or none): a set of members per key, each member with its
   * own expiry, the key living as long as its longest-lived member. The core keeps each user's
   * session ids in such an index. A store without them gets a fallback built on `get`/`set`/`add`/
   * `deleteIfEquals` (see `sessionIndexOf()`): correct, but slower and serialised by a short lock.
   *
   * Adds `member` (or renews it) to expire `ttlMs` from now; the key then lives at least as long.
   */
  indexAdd?(key: string, member: string, ttlMs: number): Awaitable<void>;
  /** Optional index method: the members at `key` that have not expired, in no particular order. */
  indexMembers?(key: string): Awaitable<string[]>;
  /** Optional index method: removes `member` from the index at `key`; no error when absent. */
  indexRemove?(key: string, member: string): Awaitable<void>;
}

/** The store method names every store must have; checked when `wxLogin()` is built. */
export const REQUIRED_STORE_METHODS = ['get', 'set', 'delete', 'add', 'deleteIfEquals'] as const;

/** The optional index methods: a store has all three or none. */
export const INDEX_STORE_METHODS = ['indexAdd', 'indexMembers', 'indexRemove'] as const;
