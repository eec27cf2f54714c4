// Sessions and the newest session_key per user, kept in the SessionStore under keys that carry the
// appId, with store failures turned into WX_STORE_UNAVAILABLE and a short local cache for reads.

import { LRUCache } from 'lru-cache';
import type { WxLogger } from '../logger.js';
import type { SessionStore, StoredValue } from '../stores/types.js';
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

/**
 * Reads and writes sessions and session keys. Key layout, for operators:
 * `<prefix><appId>:sess:<sid>` and `<prefix><appId>:skey:<openid>`.
 *
 * @example
 * const sessions = new SessionRepository(store, 'wx123', { cacheMs: 1000 });
 * await sessions.save(record, ttlMs);
 */
export class SessionRepository {
  readonly #store: SessionStore;
  readonly #appId: string;
  readonly #logger: WxLogger | undefined;
  readonly #cache: LRUCache<string, SessionRecord> | undefined;

  constructor(
    store: SessionStore,
    appId: string,
    options: { cacheMs: number; logger?: WxLogger | undefined },
  ) {
    this.#store = store;
    this.#appId = appId;
    this.#logger = options.logger;
    // Up to 1 s, which bounds how late another instance's logout takes effect here. Worth it for
    // an in-process store too: a cached record skips a JSON parse, and a logout here clears it.
    this.#cache =
      options.cacheMs > 0
        ? new LRUCache({ max: 10_000, ttl: options.cacheMs, ttlAutopurge: false })
        : undefined;
  }

  /** The session if this instance read it within `cacheMs`; never touches the store. */
  loadCached(sid: string): SessionRecord | undefined {
    return this.#cache?.get(sid);
  }

  async load(sid: string): Promise<SessionRecord | undefined> {
    const cached = this.#cache?.get(sid);
    if (cached) return cached;
    const value = await this.#call('get session', () => this.#store.get(this.#sessionKey(sid)));
    const record = asSessionRecord(value);
    if (record) this.#cache?.set(sid, record);
    return record;
  }

  async save(record: SessionRecord, ttlMs: number): Promise<void> {
    await this.#call('set session', () =>
      this.#store.set(this.#sessionKey(record.sid), record as unknown as StoredValue, ttlMs),
    );
  }

  async delete(sid: string): Promise<void> {
    this.#cache?.delete(sid);
    await this.#call('delete session', () => this.#store.delete(this.#sessionKey(sid)));
  }

  /** Drops this instance's cached copy, so that the next load() reads the store. */
  forget(sid: string): void {
    this.#cache?.delete(sid);
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

function asSessionRecord(value: StoredValue | undefined): SessionRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.sid !== 'string' || typeof r.openid !== 'string' || typeof r.expiresAt !== 'number')
    return undefined;
  return value as unknown as SessionRecord;
}
