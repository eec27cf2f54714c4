// Every session of a user, across instances: an index per openid and per unionid in the store, so
// that an app can list a user's devices, end all their sessions, and update what they all know.

import type { WxLogger } from '../logger.js';
import { log } from '../logger.js';
import { type SessionIndex, sessionIndexOf } from '../stores/session-index.js';
import type { SessionStore, StoredValue } from '../stores/types.js';
import { applyMergePatch } from './merge-patch.js';
import type { WxAppUser } from './options.js';
import { renewalKey, renewedAtOf } from './renewal-family.js';
import { recordTtlMs } from './session-lifetime.js';
import type { SessionRecord, SessionRepository } from './sessions.js';
import { callStore } from './store-call.js';
import { userKey } from './user-keys.js';

/**
 * Whose sessions: an openid (a string or `{ openid }`), a unionid (`{ unionid }`: the user's
 * sessions in every app of the Open Platform account that logged in through this wxLogin()), or both.
 */
export type UserRef = string | { openid?: string | undefined; unionid?: string | undefined };

/** One session of a user, as `auth.listSessions()` gives it. Times are Unix seconds. */
export interface SessionInfo {
  sessionId: string;
  openid: string;
  unionid?: string;
  /** The mini program, or for web logins the official account's or website app's AppID. */
  appId: string;
  source: 'miniprogram' | 'web';
  createdAt: number;
  /** When tokens were last issued for it: the login, or the last renewal (`POST /wx/refresh`). */
  renewedAt: number;
  /** When the session ends at the latest. */
  expiresAt: number;
  /** A short description of the device it was created from (by default a User-Agent summary). */
  client?: string;
}

/** How long an ended session's marker stays: longer than any update that read it before it ended. */
const ENDED_MARKER_MS = 5 * 60_000;

/**
 * @example
 * const users = new UserSessions(store, 'wx123', sessions, (sid) => authenticator.revoke(sid), logger);
 * await users.track(record, ttlMs);
 * await users.endAll('o6_bmjrPTlm6_2sgVt7hMZOPfL2M'); // 2
 */
/** Whose a session is: what ending it needs to find its index entries and renewal record. */
export type SessionOwner = Pick<SessionRecord, 'openid' | 'unionid' | 'sid'>;

export class UserSessions {
  readonly #store: SessionStore;
  readonly #appId: string;
  readonly #sessions: SessionRepository;
  readonly #index: SessionIndex;
  readonly #logger: WxLogger | undefined;
  readonly #revoke: (sid: string) => Promise<void>;

  /** `revoke` deletes one session record (the Authenticator's logout, which also logs it). */
  constructor(
    store: SessionStore,
    appId: string,
    sessions: SessionRepository,
    revoke: (sid: string) => Promise<void>,
    logger: WxLogger | undefined,
  ) {
    this.#store = store;
    this.#appId = appId;
    this.#sessions = sessions;
    this.#revoke = revoke;
    this.#index = sessionIndexOf(store);
    this.#logger = logger;
  }

  /** Adds a new session to its user's indexes (by openid and, when known, by unionid). */
  async track(record: SessionRecord, ttlMs: number): Promise<void> {
    await Promise.all(
      this.#indexKeys(record).map((key) =>
        this.#call('index session', () => this.#index.add(key, record.sid, ttlMs)),
      ),
    );
  }

  /** The user's live sessions, newest first. */
  async list(user: UserRef): Promise<SessionInfo[]> {
    const records = await this.#records(user);
    const infos = await Promise.all(
      records.map(async (record): Promise<SessionInfo> => {
        const family = await this.#call('get renewal', () =>
          this.#store.get(renewalKey(this.#appId, record.openid, record.sid)),
        );
        return {
          sessionId: record.sid,
          openid: record.openid,
          ...(record.unionid === undefined ? {} : { unionid: record.unionid }),
          appId: record.appId,
          source: record.source,
          createdAt: record.createdAt,
          renewedAt: renewedAtOf(family) ?? record.createdAt,
          expiresAt: record.expiresAt,
          ...(record.client === undefined ? {} : { client: record.client }),
        };
      }),
    );
    return infos.sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Ends one session: its record, its index entries, its renewal; refused here at once and on
   * other instances within `sessionCacheMs`. Resolves whether there was a session to end.
   */
  async end(sid: string, known?: SessionOwner): Promise<boolean> {
    this.#sessions.forget(sid);
    // The caller that just authenticated the session (a logout) knows whose it is: no second read.
    const record: SessionOwner | undefined = known ?? (await this.#sessions.load(sid));
    if (!record) {
      await this.#revoke(sid);
      return false;
    }
    // The marker first: an update that read the record before it ended sees it after writing, and
    // ends the session again (see update()).
    await this.#call('mark session ended', () =>
      this.#store.set(this.#endedKey({ ...record, sid }), true, ENDED_MARKER_MS),
    );
    await this.#revoke(sid);
    await Promise.all([
      ...this.#indexKeys({ ...record, sid }).map((key) =>
        this.#call('unindex session', () => this.#index.remove(key, sid)),
      ),
      this.#call('delete renewal', () => this.#store.delete(renewalKey(this.#appId, record.openid, sid))),
    ]);
    return true;
  }

  /** Ends every session of the user. Resolves how many there were. */
  async endAll(user: UserRef): Promise<number> {
    const sids = await this.#sids(user);
    const ended = await Promise.all(sids.map((sid) => this.end(sid)));
    const count = ended.filter(Boolean).length;
    log(this.#logger, 'info', { ...refFields(user), sessions: count }, 'logout everywhere');
    return count;
  }

  /**
   * Applies a JSON merge patch (RFC 7396: keys set, `null` removes) to the `user` of every session
   * of the user, and of `alsoSid`. Concurrent updates of one session: the last write wins.
   * Resolves the new `user` of each session updated, by session id.
   */
  async update(user: UserRef, patch: unknown, alsoSid?: string): Promise<Map<string, WxAppUser>> {
    checkPatch(patch);
    const sids = new Set(await this.#sids(user));
    if (alsoSid !== undefined) sids.add(alsoSid);
    const updated = new Map<string, WxAppUser>();
    await Promise.all(
      [...sids].map(async (sid) => {
        this.#sessions.forget(sid);
        const record = await this.#sessions.load(sid);
        if (!record) return;
        const next = applyMergePatch(record.user, patch) as StoredValue;
        const ttlMs = recordTtlMs(record.expiresAt - Math.floor(Date.now() / 1000));
        if (ttlMs <= 0) return;
        await this.#sessions.save({ ...record, user: next }, ttlMs);
        this.#sessions.forget(sid);
        // An end() that ran meanwhile deleted the record before this write brought it back.
        const ended = await this.#call('get ended marker', () => this.#store.get(this.#endedKey(record)));
        if (ended !== undefined) {
          await this.#revoke(sid);
          return;
        }
        updated.set(sid, next as WxAppUser);
      }),
    );
    return updated;
  }

  async #records(user: UserRef): Promise<SessionRecord[]> {
    const sids = await this.#sids(user);
    const records = await Promise.all(sids.map((sid) => this.#sessions.load(sid)));
    return records.filter((record): record is SessionRecord => record !== undefined);
  }

  async #sids(user: UserRef): Promise<string[]> {
    const { openid, unionid } = refFields(user);
    const keys = [
      ...(openid === undefined ? [] : [userKey(this.#appId, 'u', openid, 'sessions')]),
      ...(unionid === undefined ? [] : [userKey(this.#appId, 'n', unionid, 'sessions')]),
    ];
    const lists = await Promise.all(
      keys.map((key) => this.#call('read session index', () => this.#index.members(key))),
    );
    return [...new Set(lists.flat())];
  }

  #indexKeys(record: SessionOwner): string[] {
    const keys = [userKey(this.#appId, 'u', record.openid, 'sessions')];
    if (record.unionid !== undefined) keys.push(userKey(this.#appId, 'n', record.unionid, 'sessions'));
    return keys;
  }

  #endedKey(record: SessionOwner): string {
    return userKey(this.#appId, 'u', record.openid, `ended:${record.sid}`);
  }

  #call<T>(op: string, run: () => T | Promise<T>): Promise<T> {
    return callStore(this.#logger, op, run);
  }
}

const ID = /^[\w-]{1,128}$/;

/**
 * The openid and unionid a UserRef names; a TypeError for anything else, as it is the app's call.
 *
 * @example
 * refFields('o1'); // { openid: 'o1' }
 */
export function refFields(user: UserRef): { openid?: string; unionid?: string } {
  const { openid, unionid } = typeof user === 'string' ? { openid: user, unionid: undefined } : (user ?? {});
  for (const [name, value] of [
    ['openid', openid],
    ['unionid', unionid],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || !ID.test(value))) {
      throw new TypeError(`express-wx-login: ${name} must be 1-128 letters, digits, "_" or "-"`);
    }
  }
  if (openid === undefined && unionid === undefined) {
    throw new TypeError('express-wx-login: name the user by openid (a string or { openid }) or { unionid }');
  }
  return {
    ...(openid === undefined ? {} : { openid }),
    ...(unionid === undefined ? {} : { unionid }),
  };
}

function checkPatch(patch: unknown): void {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new TypeError('express-wx-login: an update must be a JSON object (a merge patch)');
  }
  applyMergePatch(undefined, patch);
}
