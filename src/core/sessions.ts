// Sessions and the newest session_key per user in the SessionStore (keys carry the appId): store
// failures become WX_STORE_UNAVAILABLE; reads go through a local cache, synchronous if the store is.

import type { WxLogger } from '../logger.js';
import type { SessionStore, StoredValue } from '../stores/types.js';
import { type SessionCache, sessionCacheFor } from './session-cache.js';
import { callStore } from './store-call.js';

/** A login session as stored. Holds no secret: the session_key lives in the user's key record. */
export interface SessionRecord {
  sid: string;
  openid: string;
  unionid?: string;
  appId: string;
  /** What `onLogin` returned. */
  user?: StoredValue;
  source: 'miniprogram' | 'web';
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds. */
  expiresAt: number;
  /** A short description of the device the login came from (`describeClient`), for listSessions(). */
  client?: string;
}

/** The one current session_key of a user, as WeChat keeps only one. */
export interface SessionKeyRecord {
  sessionKey: string;
  /** Unix ms of the code2Session (or reset) that produced it. */
  updatedAt: number;
}

/** A session read: the record at once when nothing had to wait, else a promise of it. */
export type SessionLoad = SessionRecord | undefined | Promise<SessionRecord | undefined>;

/**
 * Reads and writes sessions and session keys. Key layout, for operators:
 * `<prefix><appId>:sess:<sid>` and `<prefix><appId>:skey:<openid>`.
 *
 * @example
 * const sessions = new SessionRepository(store, 'wx123', { cacheMs: 1000 });
 * await sessions.save(record, ttlMs);
 * const loaded = sessions.loadNow(sid); // a record or undefined at once on MemoryStore
 * const record = loaded instanceof Promise ? await loaded : loaded;
 */
export class SessionRepository {
  readonly #store: SessionStore;
  readonly #appId: string;
  readonly #logger: WxLogger | undefined;
  /** Dropped from whenever a session changes; see session-cache.ts for who shares it. */
  readonly #cache: SessionCache | undefined;
  /** Whether reads are answered from `#cache` (not when `cacheMs` or `cacheBytes` is 0). */
  readonly #readsCache: boolean;
  /** Reads waiting for the store, by sid: concurrent misses of one session share one round trip. */
  readonly #reading = new Map<string, Promise<SessionRecord | undefined>>();
  #hits = 0;
  #misses = 0;

  constructor(
    store: SessionStore,
    appId: string,
    options: { cacheMs: number; cacheBytes?: number; logger?: WxLogger | undefined },
  ) {
    this.#store = store;
    this.#appId = appId;
    this.#logger = options.logger;
    // A shared store: up to 1 s, which bounds how late another instance's logout takes effect
    // here. Worth it for an in-process store too (longer there): a cached record skips a JSON parse.
    const { cache, reads } = sessionCacheFor(store, appId, options);
    this.#cache = cache;
    this.#readsCache = reads;
  }

  /** The session if this instance has it cached (see session-cache.ts); never touches the store. */
  loadCached(sid: string): SessionRecord | undefined {
    return this.#readsCache ? this.#cache?.records.get(sid) : undefined;
  }

  /**
   * The session: from the local cache, else from the store, synchronously when the store answered
   * with a value (MemoryStore), as a promise when it answered with one (RedisStore: one round trip
   * per miss, shared by concurrent misses of the same session). Store failures come as a rejected
   * promise of `WX_STORE_UNAVAILABLE`, never as a synchronous throw.
   */
  loadNow(sid: string): SessionLoad {
    const cached = this.loadCached(sid);
    if (cached) {
      this.#hits++;
      return cached;
    }
    this.#misses++;
    const waiting = this.#reading.get(sid);
    if (waiting) return waiting;
    const epoch = this.#cache?.epoch ?? 0;
    let value: ReturnType<SessionStore['get']>;
    try {
      value = this.#store.get(this.#sessionKey(sid));
    } catch (err) {
      return this.#call('get session', () => Promise.reject(err));
    }
    if (!isPromiseLike(value)) return this.#accept(sid, value, epoch);
    const reading = this.#call('get session', () => value).then(
      (answer) => {
        if (this.#reading.get(sid) === reading) this.#reading.delete(sid);
        return this.#accept(sid, answer, epoch);
      },
      (err: unknown) => {
        if (this.#reading.get(sid) === reading) this.#reading.delete(sid);
        throw err;
      },
    );
    this.#reading.set(sid, reading);
    return reading;
  }

  async load(sid: string): Promise<SessionRecord | undefined> {
    return this.loadNow(sid);
  }

  /** Local cache hits and misses since start, for logs and the bench. */
  get cacheStats(): { hits: number; misses: number; entries: number; bytes: number } {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#cache?.records.size ?? 0,
      bytes: this.#cache?.records.calculatedSize ?? 0,
    };
  }

  #accept(sid: string, value: StoredValue | undefined, epoch: number): SessionRecord | undefined {
    const record = asSessionRecord(value);
    const cache = this.#readsCache ? this.#cache : undefined;
    if (record && cache?.mayCache(sid, epoch)) cache.records.set(sid, record);
    return record;
  }

  async save(record: SessionRecord, ttlMs: number): Promise<void> {
    await this.#call('set session', () =>
      this.#store.set(this.#sessionKey(record.sid), record as unknown as StoredValue, ttlMs),
    );
  }

  async delete(sid: string): Promise<void> {
    const deleting = this.#cache?.startDelete(sid);
    // A request after the logout must not join a read that started before it.
    this.#reading.delete(sid);
    try {
      await this.#call('delete session', () => this.#store.delete(this.#sessionKey(sid)));
    } finally {
      deleting?.done();
    }
  }

  /** Drops this instance's cached copy, so that the next load() reads the store. */
  forget(sid: string): void {
    this.#cache?.records.delete(sid);
  }

  async loadSessionKey(openid: string): Promise<SessionKeyRecord | undefined> {
    const value = await this.#call('get session key', () => this.#store.get(this.#userKey(openid)));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const { sessionKey, updatedAt } = value as Record<string, unknown>;
    return typeof sessionKey === 'string' && typeof updatedAt === 'number'
      ? { sessionKey, updatedAt }
      : undefined;
  }

  async saveSessionKey(openid: string, record: SessionKeyRecord, ttlMs: number): Promise<void> {
    await this.#call('set session key', () =>
      this.#store.set(this.#userKey(openid), record as unknown as StoredValue, ttlMs),
    );
  }

  #call<T>(op: string, run: () => T | Promise<T>): Promise<T> {
    return callStore(this.#logger, op, run);
  }

  #sessionKey(sid: string): string {
    return `${this.#appId}:sess:${sid}`;
  }

  #userKey(openid: string): string {
    return `${this.#appId}:skey:${openid}`;
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function asSessionRecord(value: StoredValue | undefined): SessionRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.sid !== 'string' || typeof r.openid !== 'string' || typeof r.expiresAt !== 'number')
    return undefined;
  return value as unknown as SessionRecord;
}
