// WxAuth: the framework-free service behind the middleware. Login (code -> code2Session ->
// session -> token), authentication of a token, logout, and the actions of req.wxUser.

import { randomBytes } from 'node:crypto';
import { decryptData, type OpenData, sessionKeySignature, verifySignature } from '../crypto/index.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log } from '../logger.js';
import type { StoredValue } from '../stores/types.js';
import { type PhoneInfo, type PhoneNumberOptions, WeChatClient } from '../wechat/client.js';
import type { WeChatUserInfo } from '../wechat/oauth-client.js';
import { AccessTokenManager } from './access-token.js';
import { CodeExchanges } from './code-exchange.js';
import { type Configuration, type LoginEvent, parseOptions, type WxAuthOptions } from './options.js';
import { type SessionRecord, SessionRepository } from './sessions.js';
import { SingleFlight } from './single-flight.js';
import { TokenService } from './tokens.js';
import { type DecryptOptions, WxUser, type WxUserActions } from './wx-user.js';

/** The body of a successful `POST /wx/login`. */
export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
  openid: string;
  unionid?: string;
  user?: StoredValue;
}

/** The identity a login starts from: a mini-program code2Session, or a web OAuth exchange. */
export interface VerifiedIdentity {
  openid: string;
  unionid?: string;
  /** Absent for web logins: OAuth gives no session_key. */
  sessionKey?: string;
  source: 'miniprogram' | 'web';
  /** The app WeChat issued the openid for, when not the mini program (an official account, a website app). */
  appId?: string;
  /** The user's profile from `/sns/userinfo`, passed to `onLogin` only (never stored by the package). */
  profile?: WeChatUserInfo;
  /** Web logins: the user's OAuth tokens, passed to `onLogin` only (never stored or logged by the package). */
  oauth?: LoginEvent['oauth'];
}

/** Codes from wx.login and getPhoneNumber: visible ASCII, 1-128 characters. */
const CODE_PATTERN = /^[\x21-\x7e]{1,128}$/;
/** The token's `exp` is honoured with this tolerance, so the session outlives it by as much. */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * The service that `wxLogin()` wraps; usable without Express (Koa, Fastify, jobs).
 *
 * @example
 * const auth = new WxAuth({ appId, appSecret, tokenSecret });
 * const { token } = await auth.login(code);
 * const user = await auth.authenticate(token);
 * const accessToken = await auth.getAccessToken(); // shared by every instance on the same store
 */
export class WxAuth implements WxUserActions {
  readonly config: Configuration;
  readonly #wechat: WeChatClient;
  readonly #tokens: TokenService;
  readonly #sessions: SessionRepository;
  readonly #accessTokens: AccessTokenManager;
  readonly #logins = new SingleFlight<string, LoginResult>();
  readonly #exchanges: CodeExchanges;
  /** How long one WeChat call may take at most, timeouts, retries and backoff included. */
  readonly #callBudgetMs: number;

  constructor(options: WxAuthOptions) {
    const config = parseOptions(options);
    this.config = config;
    this.#wechat = new WeChatClient({
      appId: config.appId,
      appSecret: config.appSecret,
      baseUrl: config.apiBaseUrl,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
      retryDelayMs: config.retryDelayMs,
      logger: config.logger,
      proxy: config.proxy,
      httpAgent: config.httpAgent,
      httpsAgent: config.httpsAgent,
    });
    this.#tokens = new TokenService(config.appId, config.signingKeys);
    this.#sessions = new SessionRepository(config.store, config.appId, {
      cacheMs: config.sessionCacheMs,
      logger: config.logger,
    });
    this.#callBudgetMs = (config.timeoutMs + config.retryDelayMs * 4) * (1 + config.retries);
    this.#accessTokens = new AccessTokenManager({
      store: config.store,
      appId: config.appId,
      wechat: this.#wechat,
      endpoint: config.tokenEndpoint,
      fetchBudgetMs: this.#callBudgetMs,
      logger: config.logger,
    });
    this.#exchanges = new CodeExchanges(config.store, config.appId, config.logger);
    this.#warnAboutSetup();
  }

  get appId(): string {
    return this.config.appId;
  }

  /**
   * Exchanges a wx.login() code for a session and a token. Concurrent calls with the same code
   * share one code2Session call and one answer (a double tap must not burn the code twice), in
   * this process and across instances sharing the store.
   */
  login(code: unknown): Promise<LoginResult> {
    const valid = requireCode(code, 'code');
    return this.#logins.run(valid, () =>
      this.#exchanges.once(valid, this.#callBudgetMs + 5000, async () => {
        const identity = await this.#wechat.code2Session(valid);
        return this.createSession({ ...identity, source: 'miniprogram' });
      }),
    );
  }

  /** Creates a session for an identity WeChat vouched for, runs `onLogin`, and signs a token. */
  async createSession(identity: VerifiedIdentity): Promise<LoginResult> {
    const { openid, unionid, sessionKey, source, profile, oauth } = identity;
    const appId = identity.appId ?? this.config.appId;
    // Web logins carry no session_key, so there is nothing to look up.
    const isNewSession =
      sessionKey === undefined || (await this.#sessions.loadSessionKey(openid)) === undefined;
    const user = await this.#runOnLogin({ openid, unionid, appId, isNewSession, source, profile, oauth });
    const now = Math.floor(Date.now() / 1000);
    const ttlMs = this.#recordTtlMs();
    if (sessionKey !== undefined) {
      // WeChat keeps one valid key per user: the newest one replaces the last for every session.
      await this.#sessions.saveSessionKey(openid, { sessionKey, updatedAt: Date.now() }, ttlMs);
    }
    const record: SessionRecord = {
      sid: randomBytes(16).toString('base64url'),
      openid,
      appId,
      source,
      createdAt: now,
      expiresAt: now + this.config.tokenTtl,
      ...(unionid === undefined ? {} : { unionid }),
      ...(user === undefined ? {} : { user }),
    };
    await this.#sessions.save(record, ttlMs);
    const token = await this.#tokens.sign({
      openid,
      sid: record.sid,
      issuedAt: now,
      expiresAt: record.expiresAt,
    });
    log(this.config.logger, 'info', { openid, sid: record.sid, source, appId }, 'login');
    return {
      token,
      tokenType: 'Bearer',
      expiresIn: this.config.tokenTtl,
      openid,
      ...(unionid === undefined ? {} : { unionid }),
      ...(user === undefined ? {} : { user }),
    };
  }

  /** Verifies a token and loads its session. Throws WX_TOKEN_* / WX_SESSION_REVOKED (401) or WX_STORE_UNAVAILABLE. */
  async authenticate(token: string): Promise<WxUser> {
    const claims = await this.#tokens.verify(token);
    const record = await this.#sessions.load(claims.sid);
    if (!record || !this.#sessionFits(record, claims.sub)) {
      throw new WxLoginError('WX_SESSION_REVOKED', 'the session has ended; log in again');
    }
    return this.#userFor(record);
  }

  /**
   * The fast path of `authenticate()`, with no promise: the user when this instance verified the
   * token and read its session within `sessionCacheMs`, else `undefined` (then call
   * `authenticate()`, which also produces the errors). Expiry and revocation checks are the same.
   */
  authenticateCached(token: string): WxUser | undefined {
    const claims = this.#tokens.verifyCached(token);
    const record = claims && this.#sessions.loadCached(claims.sid);
    return record && claims && this.#sessionFits(record, claims.sub) ? this.#userFor(record) : undefined;
  }

  /** Sessions and session keys outlive the token by its clock tolerance, so a token still accepted finds them. */
  #recordTtlMs(): number {
    return (this.config.tokenTtl + CLOCK_TOLERANCE_SECONDS) * 1000;
  }

  #sessionFits(record: SessionRecord, openid: string): boolean {
    return (
      record.openid === openid && record.expiresAt + CLOCK_TOLERANCE_SECONDS >= Math.floor(Date.now() / 1000)
    );
  }

  #userFor(record: SessionRecord): WxUser {
    return new WxUser(
      {
        openid: record.openid,
        unionid: record.unionid,
        appId: record.appId,
        sessionId: record.sid,
        user: record.user,
        expiresAt: record.expiresAt,
      },
      this,
    );
  }

  /** Ends a session: its token is refused from now on, here at once and elsewhere within `sessionCacheMs`. */
  async revokeSession(sessionId: string): Promise<void> {
    await this.#sessions.delete(sessionId);
    log(this.config.logger, 'info', { sid: sessionId }, 'logout');
  }

  /** The access_token for other WeChat APIs, cached once for every instance sharing the store. */
  getAccessToken(): Promise<string> {
    return this.#accessTokens.get();
  }

  /**
   * Runs a call that needs the access_token; a token WeChat rejects (40001/40014/42001) is
   * refreshed once and the call retried once.
   */
  withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    return this.#accessTokens.withToken(call);
  }

  async decryptFor(
    openid: string,
    encryptedData: unknown,
    iv: unknown,
    options: DecryptOptions = {},
  ): Promise<OpenData> {
    const key = await this.#requireSessionKey(openid);
    try {
      return decryptData({
        sessionKey: key,
        encryptedData: encryptedData as string,
        iv: iv as string,
        appId: this.config.appId,
        ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
      });
    } catch (err) {
      if (isWxLoginError(err) && err.code === 'WX_DECRYPT_FAILED') {
        // We hold the newest key we were given: the client rotated it with a wx.login we never saw.
        throw new WxLoginError(
          'WX_SESSION_KEY_STALE',
          'the session key changed; call wx.login(), log in again and retry',
        );
      }
      throw err;
    }
  }

  async verifySignatureFor(openid: string, rawData: unknown, signature: unknown): Promise<boolean> {
    if (typeof rawData !== 'string' || typeof signature !== 'string') {
      throw new WxLoginError('WX_INVALID_REQUEST', 'rawData and signature must be strings');
    }
    const key = await this.#requireSessionKey(openid);
    return verifySignature({ rawData, signature, sessionKey: key });
  }

  async checkSessionKeyFor(openid: string): Promise<boolean> {
    const key = await this.#sessions.loadSessionKey(openid);
    if (!key) return false;
    return this.withAccessToken((accessToken) =>
      this.#wechat.checkSessionKey(accessToken, openid, sessionKeySignature(key.sessionKey)),
    );
  }

  async resetSessionKeyFor(openid: string): Promise<void> {
    const key = await this.#requireSessionKey(openid);
    const fresh = await this.withAccessToken((accessToken) =>
      this.#wechat.resetSessionKey(accessToken, openid, sessionKeySignature(key)),
    );
    // WeChat keeps the old key's expiry for the new one; so do we, roughly, with the session TTL.
    await this.#sessions.saveSessionKey(
      openid,
      { sessionKey: fresh, updatedAt: Date.now() },
      this.#recordTtlMs(),
    );
    log(this.config.logger, 'info', { openid }, 'session key reset');
  }

  async phoneNumberFor(user: WxUser, code: unknown, options: PhoneNumberOptions = {}): Promise<PhoneInfo> {
    const valid = requireCode(code, 'code');
    const maxAgeSeconds = options.maxAgeSeconds ?? this.config.phoneMaxAgeSeconds;
    const phone = await this.withAccessToken((accessToken) =>
      this.#wechat.getPhoneNumber(accessToken, valid, user.openid, { maxAgeSeconds }),
    );
    if (this.config.onPhoneNumber) {
      await this.#runHook('onPhoneNumber', () =>
        this.config.onPhoneNumber?.({
          openid: user.openid,
          appId: user.appId,
          phone,
          ...(user.unionid === undefined ? {} : { unionid: user.unionid }),
          ...(user.user === undefined ? {} : { user: user.user }),
        }),
      );
    }
    return phone;
  }

  /** Releases keep-alive sockets (not the store, which the app owns). */
  close(): void {
    this.#wechat.close();
  }

  async #requireSessionKey(openid: string): Promise<string> {
    const key = await this.#sessions.loadSessionKey(openid);
    if (!key) {
      throw new WxLoginError(
        'WX_SESSION_KEY_STALE',
        'no session key is held for this user; call wx.login() and log in again',
      );
    }
    return key.sessionKey;
  }

  async #runOnLogin(event: {
    openid: string;
    unionid: string | undefined;
    appId: string;
    isNewSession: boolean;
    source: 'miniprogram' | 'web';
    profile: WeChatUserInfo | undefined;
    oauth: LoginEvent['oauth'] | undefined;
  }): Promise<StoredValue | undefined> {
    const hook = this.config.onLogin;
    if (!hook) return undefined;
    const { unionid, profile, oauth, ...rest } = event;
    return this.#runHook('onLogin', () =>
      hook({
        ...rest,
        ...(unionid === undefined ? {} : { unionid }),
        ...(profile === undefined ? {} : { profile }),
        ...(oauth === undefined ? {} : { oauth }),
      }),
    );
  }

  /** Runs an app hook: its WxLoginError passes through; anything else becomes a generic 500, logged. */
  async #runHook<T>(name: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (isWxLoginError(err)) throw err;
      log(
        this.config.logger,
        'error',
        { hook: name, error: err instanceof Error ? err.message : String(err) },
        'hook failed',
      );
      throw new WxLoginError('WX_INTERNAL_ERROR', 'the login could not be completed', { cause: err });
    }
  }

  #warnAboutSetup(): void {
    const { logger, store, tokenTtl } = this.config;
    if (store.shared === false && process.env.NODE_ENV === 'production') {
      log(
        logger,
        'warn',
        {},
        'MemoryStore in production: sessions are lost on restart and not shared between instances; use RedisStore',
      );
    }
    if (tokenTtl < 300)
      log(logger, 'warn', { tokenTtl }, 'tokenTtl is under 5 minutes: users will log in very often');
  }
}

function requireCode(code: unknown, field: string): string {
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
    throw new WxLoginError(
      'WX_INVALID_REQUEST',
      `"${field}" must be a string of 1-128 visible ASCII characters`,
    );
  }
  return code;
}
