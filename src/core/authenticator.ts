// Authentication of our own tokens: the signature and claims, then the session behind them (so a
// logout takes effect), with a fast path that needs no promise when both were checked moments ago.

import { CHANNELS, observed, publish } from '../diagnostics.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { sessionFits } from './session-lifetime.js';
import type { SessionLoad, SessionRecord, SessionRepository } from './sessions.js';
import type { TokenClaims, TokenService } from './tokens.js';
import { WxUser, type WxUserActions } from './wx-user.js';

/**
 * @example
 * const authenticator = new Authenticator(appId, tokens, sessions, actions, logger);
 * const user = authenticator.authenticateCached(token) ?? (await authenticator.authenticate(token));
 */
export class Authenticator {
  readonly #tokens: TokenService;
  readonly #sessions: SessionRepository;
  readonly #actions: WxUserActions;
  readonly #logger: WxLogger | undefined;
  /** The audience of the tokens, for the instrumentation events. */
  readonly #appId: string;

  constructor(
    appId: string,
    tokens: TokenService,
    sessions: SessionRepository,
    actions: WxUserActions,
    logger: WxLogger | undefined,
  ) {
    this.#appId = appId;
    this.#tokens = tokens;
    this.#sessions = sessions;
    this.#actions = actions;
    this.#logger = logger;
  }

  /** Verifies a token and loads its session. Rejects with WX_TOKEN_* / WX_SESSION_REVOKED (401) or WX_STORE_UNAVAILABLE. */
  async authenticate(token: string, request?: unknown): Promise<WxUser> {
    return this.authenticateNow(token, request);
  }

  /**
   * `authenticate()` without a promise where no I/O happens: the token is checked synchronously
   * (an HMAC), and a store that answers synchronously (MemoryStore) gives the user at once. Only a
   * store round trip (RedisStore, on a session-cache miss) makes it a promise. Errors are thrown
   * synchronously, or rejected when they come from the store.
   */
  authenticateNow(token: string, request?: unknown): WxUser | Promise<WxUser> {
    let claims: TokenClaims;
    let loaded: SessionLoad;
    try {
      claims = this.#tokens.verifyNow(token);
      loaded = this.#sessions.loadNow(claims.sid);
    } catch (err) {
      throw this.#refused(err);
    }
    if (loaded instanceof Promise) {
      return loaded.then(
        (record) => this.#accept(record, claims, request, false),
        (err: unknown) => {
          throw this.#refused(err);
        },
      );
    }
    return this.#accept(loaded, claims, request, false);
  }

  /**
   * The user when this instance verified the token and read its session within `sessionCacheMs`,
   * else `undefined` (then call `authenticateNow()`, which also produces the errors). Expiry and
   * revocation checks are the same.
   */
  authenticateCached(token: string, request?: unknown): WxUser | undefined {
    const claims = this.#tokens.verifyCached(token);
    const record = claims && this.#sessions.loadCached(claims.sid);
    if (!record || !claims || !sessionFits(record, claims.sub)) return undefined;
    this.#publishVerified(record.appId, true);
    return this.#userFor(record, request);
  }

  #accept(record: SessionRecord | undefined, claims: TokenClaims, request: unknown, cached: boolean): WxUser {
    if (!record || !sessionFits(record, claims.sub)) {
      throw this.#refused(new WxLoginError('WX_SESSION_REVOKED', 'the session has ended; log in again'));
    }
    this.#publishVerified(record.appId, cached);
    return this.#userFor(record, request);
  }

  /** Publishes a refusal and hands the error back, to be thrown. */
  #refused(err: unknown): unknown {
    const code = isWxLoginError(err) ? err.code : 'WX_INTERNAL_ERROR';
    publish(CHANNELS.tokenRefused, () => ({ appId: this.#appId, code }));
    return err;
  }

  #publishVerified(sessionAppId: string, cached: boolean): void {
    // The hot path: check before making even the closure.
    if (observed(CHANNELS.tokenVerified)) {
      publish(CHANNELS.tokenVerified, () => ({ appId: this.#appId, sessionAppId, cached }));
    }
  }

  /** Ends a session: its token is refused from now on, here at once and elsewhere within `sessionCacheMs`. */
  async revoke(sessionId: string): Promise<void> {
    await this.#sessions.delete(sessionId);
    log(this.#logger, 'info', { sid: sessionId }, 'logout');
  }

  #userFor(record: SessionRecord, request: unknown): WxUser {
    return new WxUser(
      {
        openid: record.openid,
        unionid: record.unionid,
        appId: record.appId,
        sessionId: record.sid,
        user: record.user,
        expiresAt: record.expiresAt,
      },
      this.#actions,
      request,
    );
  }
}
