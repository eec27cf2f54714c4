// WxAuth: the framework-free service behind the middleware, a facade over its parts: the
// mini-program login, authentication, open data, phone numbers and the shared access_token.

import { WxLoginError } from '../errors.js';
import { WeChatClient } from '../wechat/client.js';
import { AccessTokenManager } from './access-token.js';
import { attachPort, deriveKeys } from './auth-port.js';
import { Authenticator } from './authenticator.js';
import { CodeExchanges } from './code-exchange.js';
import { traceLogin } from './login-tracing.js';
import { MiniProgramLogin } from './mini-program-login.js';
import { OpenDataService } from './open-data.js';
import { parseOptions, type WxAuthOptions } from './options.js';
import { PhoneNumbers } from './phone-numbers.js';
import { type LoginResult, SessionIssuer } from './session-issuer.js';
import { type RefreshFields, renewalFor, type SessionRenewal } from './session-renewal.js';
import { SessionRepository } from './sessions.js';
import { warnAboutSetup } from './setup-warnings.js';
import { TokenService } from './tokens.js';
import { type SessionInfo, type UserRef, UserSessions } from './user-sessions.js';
import type { WxSessionUser, WxUserActions } from './wx-user.js';

/**
 * The service that `wxLogin()` wraps; usable without Express (Koa, Fastify, jobs).
 *
 * @example
 * const auth = new WxAuth({ appId, appSecret, tokenSecret });
 * const { token } = await auth.login(code);
 * const user = await auth.authenticate(token);
 * const accessToken = await auth.getAccessToken(); // shared by every instance on the same store
 * await auth.revokeUser(openid);                   // log the user out everywhere
 */
export class WxAuth {
  /** The mini program's AppID. */
  readonly appId: string;
  readonly #wechat: WeChatClient;
  readonly #accessTokens: AccessTokenManager;
  readonly #login: MiniProgramLogin;
  readonly #authenticator: Authenticator;
  readonly #users: UserSessions;
  readonly #renewal: SessionRenewal | undefined;

  constructor(options: WxAuthOptions) {
    const config = parseOptions(options);
    const { appId, store, logger } = config;
    this.appId = appId;
    this.#wechat = new WeChatClient({
      appId,
      appSecret: config.appSecret,
      baseUrl: config.apiBaseUrl,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      retryDelayMs: config.retryDelayMs,
      logger,
      proxy: config.proxy,
      httpAgent: config.httpAgent,
      httpsAgent: config.httpsAgent,
    });
    const tokens = new TokenService(appId, config.signingKeys, { cacheBytes: config.tokenCacheBytes });
    const sessions = new SessionRepository(store, appId, {
      cacheMs: config.sessionCacheMs,
      cacheBytes: config.sessionCacheBytes,
      logger,
    });
    this.#accessTokens = new AccessTokenManager({
      store,
      appId,
      wechat: this.#wechat,
      endpoint: config.tokenEndpoint,
      fetchBudgetMs: this.#wechat.worstCaseMs,
      logger,
    });
    // Ending a session goes through the Authenticator's revoke(), whatever else that may do.
    this.#users = new UserSessions(store, appId, sessions, (sid) => this.#authenticator.revoke(sid), logger);
    this.#renewal = renewalFor(config, sessions, tokens, this.#users);
    const issuer = new SessionIssuer(config, sessions, tokens, this.#users, this.#renewal);
    this.#login = new MiniProgramLogin(this.#wechat, new CodeExchanges(store, appId, logger), issuer);
    // The session_key record lives as long as the longest session (renewal mode: absoluteTtl).
    const keyTtl = Math.max(config.tokenTtl, config.refresh?.absoluteTtl ?? 0);
    const openData = new OpenDataService(
      { appId, tokenTtl: keyTtl, logger },
      sessions,
      this.#wechat,
      this.#accessTokens,
    );
    const phones = new PhoneNumbers(config, this.#wechat, this.#accessTokens);
    const actions: WxUserActions = {
      decrypt: (openid, data, iv, o) => openData.decrypt(openid, data, iv, o),
      verifySignature: (openid, rawData, signature) => openData.verifySignature(openid, rawData, signature),
      checkSessionKey: (openid) => openData.checkSessionKey(openid),
      resetSessionKey: (openid) => openData.resetSessionKey(openid),
      phoneNumber: (user, code, request, options) => phones.forUser(user, code, request, options),
      update: async (user, patch) =>
        (await this.#users.update(user, patch, user.sessionId)).get(user.sessionId),
    };
    this.#authenticator = new Authenticator(appId, tokens, sessions, actions, logger);
    attachPort(this, {
      appId,
      tokenTtl: config.tokenTtl,
      store,
      logger,
      wechat: {
        apiBaseUrl: config.apiBaseUrl,
        timeoutMs: config.timeoutMs,
        retries: config.retries,
        retryDelayMs: config.retryDelayMs,
        // A getter: even util.inspect(auth, { showHidden: true }) must not print the proxy's password.
        get proxy() {
          return config.proxy;
        },
        httpAgent: config.httpAgent,
        httpsAgent: config.httpsAgent,
      },
      createSession: (identity, request) =>
        traceLogin(identity.appId ?? appId, identity.source, () => issuer.createSession(identity, request)),
      deriveKeys: (info) => deriveKeys(config.signingKeys, info),
    });
    warnAboutSetup(config);
  }

  /**
   * Exchanges a wx.login() code for a session and a token. Concurrent calls with the same code
   * share one code2Session call and one answer, in this process and across instances sharing
   * the store. `request` is handed to `onLogin` as `req`.
   */
  login(code: unknown, request?: unknown): Promise<LoginResult> {
    return traceLogin(this.appId, 'miniprogram', () => this.#login.login(code, request));
  }

  /** Whether logins get refresh tokens (the `refresh` option): `POST /wx/refresh` is served then. */
  get renews(): boolean {
    return this.#renewal !== undefined;
  }

  /**
   * Renewal mode: exchanges a refresh token for a new access token and the next refresh token,
   * keeping the session (its user, its session_key) and calling no WeChat API. A refresh token
   * works once: used again, it ends the session everywhere (WX_SESSION_REVOKED).
   */
  renew(refreshToken: unknown): Promise<LoginResult & RefreshFields> {
    if (!this.#renewal) {
      return Promise.reject(
        new WxLoginError(
          'WX_MISCONFIGURED',
          'renewal is off: pass the "refresh" option to use refresh tokens',
        ),
      );
    }
    return this.#renewal.renew(refreshToken);
  }

  /** Verifies a token and loads its session. Throws WX_TOKEN_* / WX_SESSION_REVOKED (401) or WX_STORE_UNAVAILABLE. */
  authenticate(token: string, request?: unknown): Promise<WxSessionUser> {
    return this.#authenticator.authenticate(token, request);
  }

  /**
   * `authenticate()` with no promise where no I/O happens (MemoryStore, a session read moments
   * ago): the user, or a promise only when the store must be asked. Throws synchronously for a
   * bad token.
   */
  authenticateNow(token: string, request?: unknown): WxSessionUser | Promise<WxSessionUser> {
    return this.#authenticator.authenticateNow(token, request);
  }

  /**
   * The fast path of `authenticate()`, with no promise: the user when this instance verified the
   * token and read its session within `sessionCacheMs`, else `undefined` (then call `authenticate()`).
   */
  authenticateCached(token: string, request?: unknown): WxSessionUser | undefined {
    return this.#authenticator.authenticateCached(token, request);
  }

  /** Ends a session: its token is refused from now on, here at once and elsewhere within `sessionCacheMs`. */
  async revokeSession(
    sessionId: string,
    owner?: { openid: string; unionid?: string | undefined },
  ): Promise<void> {
    // `owner`, when the caller just authenticated the session (a logout), saves a store read.
    await this.#users.end(
      sessionId,
      owner && {
        sid: sessionId,
        openid: owner.openid,
        ...(owner.unionid === undefined ? {} : { unionid: owner.unionid }),
      },
    );
  }

  /**
   * Ends every session of a user (mini program and web alike), on every instance within
   * `sessionCacheMs`: for a ban, an account deletion, "log out everywhere". Name the user by
   * openid, or `{ unionid }` for their sessions in every app of this wxLogin(). Resolves how many ended.
   */
  revokeUser(user: UserRef): Promise<number> {
    return this.#users.endAll(user);
  }

  /** A user's live sessions, newest first: for a "your devices" page. */
  listSessions(user: UserRef): Promise<SessionInfo[]> {
    return this.#users.list(user);
  }

  /**
   * Changes the `user` that every session of a user carries (what `onLogin` returned), by a JSON
   * merge patch: `{ role: 'admin', trial: null }` sets `role` and removes `trial`. Every instance
   * sees it within `sessionCacheMs`. Resolves how many sessions were updated.
   */
  async updateUser(user: UserRef, patch: Record<string, unknown>): Promise<number> {
    return (await this.#users.update(user, patch)).size;
  }

  /** The access_token for other WeChat APIs, cached once for every instance sharing the store. */
  getAccessToken(): Promise<string> {
    return this.#accessTokens.get();
  }

  /** Runs a call that needs the access_token; a token WeChat rejects is refreshed once and the call retried once. */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    return this.#accessTokens.withToken(call);
  }

  /** Releases keep-alive sockets (not the store, which the app owns). */
  close(): void {
    this.#wechat.close();
  }
}
