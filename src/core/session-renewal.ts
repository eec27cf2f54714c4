// Renewal without a new wx.login(): a refresh token that rotates on every use, each one good for
// one renewal; a token used twice ends the session (the family), as the OAuth 2.1 security BCP says.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import type { SessionStore } from '../stores/types.js';
import { deriveKeys } from './auth-port.js';
import type { Configuration } from './options.js';
import { formatRenewal, parseRenewal, type RenewalState, renewalKey } from './renewal-family.js';
import type { LoginResult } from './session-issuer.js';
import { recordTtlMs, sessionFits } from './session-lifetime.js';
import type { SessionRecord, SessionRepository } from './sessions.js';
import { callStore } from './store-call.js';
import type { TokenService } from './tokens.js';
import type { UserSessions } from './user-sessions.js';

/** The label of the HKDF derivation of refresh-token keys from the signing keys. */
export const REFRESH_KEY_INFO = 'express-wx-login refresh-token v1';

/** What a login in renewal mode adds to its answer, and what a renewal answers. */
export interface RefreshFields {
  /** Good for one `POST /wx/refresh`; the answer carries the next one. */
  refreshToken: string;
  /** Seconds until the session ends at the latest (`absoluteTtl` from the login). */
  refreshExpiresIn: number;
}

/** A refresh token: `<sid>.<generation>.<mac>`, the MAC over the app, the session and the generation. */
const TOKEN = /^([\w-]{22})\.(\d{1,9})\.([\w-]{43})$/;

/**
 * Refresh tokens carry no random secret of their own: each is an HMAC (keys derived from the
 * signing keys) of the session id and a generation number, and the store keeps only the current
 * generation. So nothing secret is stored, and every earlier generation is known to be a reuse
 * for as long as the session lives, in one short value per session.
 *
 * @example
 * const renewal = new SessionRenewal(config, store, sessions, tokens, users, keys);
 * const fields = await renewal.start(record);          // at login
 * const next = await renewal.renew(fields.refreshToken); // POST /wx/refresh
 */
export class SessionRenewal {
  readonly #config: { appId: string; accessTokenTtl: number; logger: WxLogger | undefined };
  readonly #store: SessionStore;
  readonly #sessions: SessionRepository;
  readonly #tokens: TokenService;
  readonly #users: UserSessions;
  /** The first signs; all verify (signing-key rotation). */
  readonly #keys: Buffer[];

  constructor(
    config: { appId: string; accessTokenTtl: number; logger: WxLogger | undefined },
    store: SessionStore,
    sessions: SessionRepository,
    tokens: TokenService,
    users: UserSessions,
    keys: Buffer[],
  ) {
    this.#config = config;
    this.#store = store;
    this.#sessions = sessions;
    this.#tokens = tokens;
    this.#users = users;
    this.#keys = keys;
  }

  /** Starts the renewals of a new session: generation 0. */
  async start(record: SessionRecord): Promise<RefreshFields> {
    const now = Math.floor(Date.now() / 1000);
    const state: RenewalState = { generation: 0, renewedAt: now };
    await this.#call('start renewal', () =>
      this.#store.set(this.#key(record), formatRenewal(state), recordTtlMs(record.expiresAt - now)),
    );
    return { refreshToken: this.#tokenFor(record.sid, 0), refreshExpiresIn: record.expiresAt - now };
  }

  /**
   * Exchanges a refresh token for a new access token and the next refresh token. The session,
   * its `user` and its session_key stay; WeChat is not called. Throws WX_TOKEN_INVALID (not one
   * of ours) or WX_SESSION_REVOKED (the session ended, or this token was used before: then the
   * session is ended now, everywhere).
   */
  async renew(refreshToken: unknown): Promise<LoginResult & RefreshFields> {
    const { sid, generation } = this.#verify(refreshToken);
    const record = await this.#freshSession(sid);
    if (!record) throw ended();
    const key = this.#key(record);
    const stored = await this.#call('get renewal', () => this.#store.get(key));
    const state = parseRenewal(stored);
    // A token of another generation, or two requests racing with one token: a reuse. Ending the
    // family costs the rightful client one silent wx.login(); missing a stolen token costs more.
    if (!state || state.generation !== generation || typeof stored !== 'string') return this.#reused(record);
    const swapped = await this.#call('swap renewal', () => this.#store.deleteIfEquals(key, stored));
    if (!swapped) return this.#reused(record);
    const now = Math.floor(Date.now() / 1000);
    const next: RenewalState = { generation: generation + 1, renewedAt: now };
    const ttlMs = recordTtlMs(record.expiresAt - now);
    const added = await this.#call('swap renewal', () => this.#store.add(key, formatRenewal(next), ttlMs));
    if (!added) return this.#reused(record);
    // A logout that ran meanwhile deleted the session before this renewal wrote its state.
    if (!(await this.#freshSession(sid))) {
      await this.#call('delete renewal', () => this.#store.delete(key));
      throw ended();
    }
    const expiresAt = Math.min(now + this.#config.accessTokenTtl, record.expiresAt);
    const token = await this.#tokens.sign({ openid: record.openid, sid, issuedAt: now, expiresAt });
    log(this.#config.logger, 'info', { openid: record.openid, sid, generation: next.generation }, 'renewal');
    return {
      token,
      tokenType: 'Bearer',
      expiresIn: expiresAt - now,
      refreshToken: this.#tokenFor(sid, next.generation),
      refreshExpiresIn: record.expiresAt - now,
      openid: record.openid,
      ...(record.unionid === undefined ? {} : { unionid: record.unionid }),
      ...(record.user === undefined ? {} : { user: record.user }),
    };
  }

  async #reused(record: SessionRecord): Promise<never> {
    log(
      this.#config.logger,
      'warn',
      { openid: record.openid, sid: record.sid },
      'refresh token reused: the session is ended',
    );
    await this.#users.end(record.sid);
    throw new WxLoginError(
      'WX_SESSION_REVOKED',
      'this refresh token was already used, so the session has ended; log in again',
    );
  }

  async #freshSession(sid: string): Promise<SessionRecord | undefined> {
    this.#sessions.forget(sid);
    const record = await this.#sessions.load(sid);
    return record && sessionFits(record, record.openid) ? record : undefined;
  }

  #verify(refreshToken: unknown): { sid: string; generation: number } {
    if (typeof refreshToken !== 'string' || refreshToken.length > 200) {
      throw new WxLoginError(
        'WX_INVALID_REQUEST',
        '"refreshToken" must be the refreshToken of a login or renewal',
      );
    }
    const match = TOKEN.exec(refreshToken);
    const sid = match?.[1];
    const generation = Number(match?.[2]);
    const mac = Buffer.from(match?.[3] ?? '', 'base64url');
    const valid =
      sid !== undefined &&
      mac.length === 32 &&
      this.#keys.some((key) => timingSafeEqual(this.#mac(key, sid, generation), mac));
    if (!valid) throw new WxLoginError('WX_TOKEN_INVALID', 'the refresh token is invalid');
    return { sid, generation };
  }

  #tokenFor(sid: string, generation: number): string {
    const [current] = this.#keys;
    if (!current) throw new WxLoginError('WX_MISCONFIGURED', 'no signing key');
    return `${sid}.${generation}.${this.#mac(current, sid, generation).toString('base64url')}`;
  }

  #mac(key: Buffer, sid: string, generation: number): Buffer {
    return createHmac('sha256', key).update(`${this.#config.appId}\n${sid}\n${generation}`).digest();
  }

  #key(record: SessionRecord): string {
    return renewalKey(this.#config.appId, record.openid, record.sid);
  }

  #call<T>(op: string, run: () => T | Promise<T>): Promise<T> {
    return callStore(this.#config.logger, op, run);
  }
}

/**
 * The renewal part of a service, or `undefined` in single-token mode (no `refresh` option).
 *
 * @example
 * const renewal = renewalFor(config, sessions, tokens, users);
 */
export function renewalFor(
  config: Configuration,
  sessions: SessionRepository,
  tokens: TokenService,
  users: UserSessions,
): SessionRenewal | undefined {
  if (!config.refresh) return undefined;
  const { appId, logger, store } = config;
  return new SessionRenewal(
    { appId, accessTokenTtl: config.refresh.accessTokenTtl, logger },
    store,
    sessions,
    tokens,
    users,
    deriveKeys(config.signingKeys, REFRESH_KEY_INFO),
  );
}

function ended(): WxLoginError {
  return new WxLoginError('WX_SESSION_REVOKED', 'the session has ended; log in again');
}
