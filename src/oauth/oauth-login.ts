// OAuthLogin: the framework-free web login through WeChat OAuth of one official account or
// website app. Start: a signed state (nothing stored) and WeChat's authorize URL. Callback: state
// checks, single use claimed, code exchange, profile, and a session through the core's port.

import { CODE_PATTERN } from '../constants.js';
import type { AuthPort } from '../core/auth-port.js';
import type { LoginResult } from '../core/session-issuer.js';
import { WxLoginError } from '../errors.js';
import { log } from '../logger.js';
import {
  type OAuthGrant,
  type OAuthUserTokens,
  WeChatOAuthClient,
  type WeChatUserInfo,
} from '../wechat/oauth-client.js';
import { type OAuthOptions, type OAuthSettings, parseOAuthOptions } from './options.js';

export type { OAuthSettings } from './options.js';

import { safeReturnPath } from './return-to.js';
import { OAuthNonces, OAuthStateCodec, STATE_KEY_INFO } from './state.js';

/** Where to send the browser to start a login, and what the browser must keep meanwhile. */
export interface OAuthStart {
  /** WeChat's authorize (or QR) page, parameters in the order WeChat checks, `#wechat_redirect` last. */
  url: string;
  state: string;
  /**
   * The state cookie's value: the state and `returnTo`, signed. Proves at the callback that this
   * browser started the flow; nothing about the flow is stored on the server until then.
   */
  binding: string;
  /** The same-origin path to go to afterwards (`'/'` when none or an unsafe one was asked for). */
  returnTo: string;
}

/**
 * How a callback ended when it did not throw: logged in, the user said no, or the page ran in
 * WeChat's snapshot mode (a virtual user, refused before any session or `onLogin`).
 */
export type OAuthOutcome =
  | { kind: 'login'; result: LoginResult; returnTo: string }
  | { kind: 'denied'; returnTo: string }
  | { kind: 'snapshot'; returnTo: string };

/** What the callback received; `undefined` for an absent parameter. */
export interface OAuthCallback {
  state: string | undefined;
  code: string | undefined;
  /** The state cookie's value, when the browser sent one. */
  binding: string | undefined;
}

/** /sns/userinfo's answers for a user access_token that a refresh may revive. */
const USER_TOKEN_STALE = new Set([40001, 42001, 42003]);

/**
 * Web login through WeChat OAuth, sharing the sessions and tokens of a `WxAuth` (through its
 * port): web users get what mini-program users get, and `requireWxSession()` accepts both.
 *
 * @example
 * const web = new OAuthLogin(portOf(auth)!, { appId: 'wxWebApp', appSecret, scope: 'snsapi_login', redirectUri: 'https://example.com/wx/web/callback' });
 * const { url, binding } = await web.begin('/account');          // redirect to url, keep binding in a cookie
 * const outcome = await web.complete({ state, code, binding });  // { kind: 'login', result: { token, ... }, returnTo }
 */
export class OAuthLogin {
  readonly config: OAuthSettings;
  readonly #port: AuthPort;
  readonly #codec: OAuthStateCodec;
  readonly #nonces: OAuthNonces;
  readonly #oauth: WeChatOAuthClient;

  /** @internal Made by `wxOAuth()`, which holds the port of the `wxLogin()` whose sessions it shares. */
  constructor(port: AuthPort, options: OAuthOptions) {
    this.#port = port;
    const config = parseOAuthOptions(options, port.wechat.apiBaseUrl);
    // A spread copies enumerable properties only: the (non-enumerable) appSecret stays behind, so
    // not even util.inspect(..., { showHidden: true }) of this public object can print it.
    this.config = Object.freeze({ ...config });
    const { store, logger } = port;
    const { timeoutMs, retries, retryDelayMs } = port.wechat;
    const { proxy, httpAgent, httpsAgent } = config;
    this.#codec = new OAuthStateCodec({
      webAppId: config.appId,
      keys: port.deriveKeys(STATE_KEY_INFO),
      ttlMs: config.stateTtlSeconds * 1000,
    });
    this.#nonces = new OAuthNonces({ store, namespace: port.appId, webAppId: config.appId, logger });
    this.#oauth = new WeChatOAuthClient({
      appId: config.appId,
      appSecret: config.appSecret,
      baseUrl: config.apiBaseUrl,
      timeoutMs,
      retries,
      retryDelayMs,
      logger,
      // The web login's own transport, else the wxLogin's.
      proxy: proxy ?? port.wechat.proxy,
      httpAgent: httpAgent ?? port.wechat.httpAgent,
      httpsAgent: httpsAgent ?? port.wechat.httpsAgent,
    });
  }

  /**
   * Starts a login: a fresh signed state and WeChat's URL. Stores nothing, so anonymous starts
   * cost the server nothing lasting. `returnTo` longer than 512 bytes or unsafe becomes `'/'`.
   */
  async begin(returnTo: unknown): Promise<OAuthStart> {
    const safe = safeReturnPath(returnTo) ?? '/';
    const { state, cookie } = this.#codec.issue(safe);
    return { url: this.authorizeUrl(state), state, binding: cookie, returnTo: safe };
  }

  /** WeChat's authorize URL for `state`, exactly as WeChat wants it (it checks the order). */
  authorizeUrl(state: string): string {
    const { authorizeBaseUrl, appId, redirectUri, scope, forcePopup } = this.config;
    const path = scope === 'snsapi_login' ? '/connect/qrconnect' : '/connect/oauth2/authorize';
    return (
      `${authorizeBaseUrl}${path}?appid=${encodeURIComponent(appId)}` +
      `&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=${scope}` +
      `&state=${state}${forcePopup ? '&forcePopup=true' : ''}#wechat_redirect`
    );
  }

  /**
   * Finishes a login. The state is checked (present, well formed, bound to this browser by the
   * signed cookie, signed for this web app, unexpired) and its nonce claimed once in the store,
   * before WeChat is called at all; then the code is exchanged, the profile fetched for
   * `snsapi_userinfo`/`snsapi_login`, and a session created as for the mini program.
   * Throws WX_OAUTH_STATE_MISSING (400), WX_OAUTH_STATE_INVALID / WX_OAUTH_STATE_MISMATCH (403),
   * WX_INVALID_REQUEST, or the WeChat errors (WX_CODE_INVALID, WX_CODE_USED, WX_OAUTH_SCOPE_INSUFFICIENT, ...).
   */
  async complete(input: OAuthCallback, request?: unknown): Promise<OAuthOutcome> {
    const { state, code, binding } = input;
    if (state === undefined || state === '') {
      throw this.#refuse('WX_OAUTH_STATE_MISSING', 'the callback has no state; start the login again');
    }
    if (!OAuthStateCodec.wellFormed(state)) {
      throw this.#refuse('WX_OAUTH_STATE_INVALID', 'the login state is unknown, expired or already used');
    }
    // Without the cookie (allowMissingStateCookie), the state alone is checked and returnTo is lost.
    let returnTo = '/';
    if (binding === undefined) {
      if (!this.config.allowMissingStateCookie) {
        throw this.#refuse(
          'WX_OAUTH_STATE_MISMATCH',
          'this browser did not start the login (no state cookie); start it again',
        );
      }
      log(this.#port.logger, 'info', { appId: this.config.appId }, 'web login without state cookie');
    } else {
      const bound = this.#codec.readCookie(binding, state);
      if (!bound) {
        throw this.#refuse('WX_OAUTH_STATE_MISMATCH', 'this browser did not start the login; start it again');
      }
      returnTo = bound.returnTo;
    }
    const signed = this.#codec.readState(state);
    if (!signed || this.#codec.expired(signed.expiresAt)) {
      throw this.#refuse('WX_OAUTH_STATE_INVALID', 'the login state is unknown, expired or already used');
    }
    if (code !== undefined && !CODE_PATTERN.test(code)) {
      throw new WxLoginError('WX_INVALID_REQUEST', '"code" must be 1-128 visible ASCII characters');
    }
    // The first write of the whole flow, for a state signed here minutes ago and not yet expired.
    if (!(await this.#nonces.claim(signed))) {
      throw this.#refuse('WX_OAUTH_STATE_INVALID', 'the login state is unknown, expired or already used');
    }
    // WeChat redirects with the state alone when the user refuses.
    if (code === undefined) return { kind: 'denied', returnTo };

    const grant = await this.#oauth.exchangeCode(code);
    if (grant.snapshotUser) {
      // A virtual openid/unionid: no session, no onLogin, nothing linked to a real user.
      log(this.#port.logger, 'info', { appId: this.config.appId }, 'web login refused: snapshot-mode user');
      return { kind: 'snapshot', returnTo };
    }
    let tokens: OAuthUserTokens = grant;
    let profile: WeChatUserInfo | undefined;
    if (this.config.scope !== 'snsapi_base') ({ tokens, profile } = await this.#profile(grant));
    const unionid = grant.unionid ?? profile?.unionid;
    const result = await this.#port.createSession(
      {
        openid: grant.openid,
        source: 'web',
        appId: this.config.appId,
        ...(unionid === undefined ? {} : { unionid }),
        ...(profile === undefined ? {} : { profile }),
        oauth: {
          accessToken: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          expiresIn: tokens.expiresIn,
          scope: tokens.scope,
        },
      },
      request,
    );
    return { kind: 'login', result, returnTo };
  }

  /**
   * Renews a user's OAuth access_token (from `onLogin`'s `oauth.refreshToken`), for apps that call
   * user APIs later. The package keeps no user tokens itself.
   *
   * @example
   * const { accessToken, expiresIn } = await oauth.oauth.refreshUserToken(saved.refreshToken);
   */
  refreshUserToken(refreshToken: string): Promise<OAuthUserTokens> {
    return this.#oauth.refresh(refreshToken);
  }

  /**
   * Whether WeChat still accepts a user's OAuth access_token for that openid (`/sns/auth`).
   *
   * @example
   * if (!(await oauth.oauth.checkUserToken(saved.accessToken, openid))) await oauth.oauth.refreshUserToken(saved.refreshToken);
   */
  checkUserToken(accessToken: string, openid: string): Promise<boolean> {
    return this.#oauth.checkAccessToken(accessToken, openid);
  }

  /** The profile; a user access_token WeChat refuses (40001/42001/42003) is refreshed once, then retried. */
  async #profile(grant: OAuthGrant): Promise<{ tokens: OAuthUserTokens; profile: WeChatUserInfo }> {
    try {
      return { tokens: grant, profile: await this.#oauth.userInfo(grant, this.config.lang) };
    } catch (err) {
      if (!(err instanceof WxLoginError) || err.errcode === undefined || !USER_TOKEN_STALE.has(err.errcode)) {
        throw err;
      }
      log(
        this.#port.logger,
        'info',
        { appId: this.config.appId, errcode: err.errcode },
        "the user's OAuth access_token was refused; refreshing once",
      );
      const tokens = await this.#oauth.refresh(grant.refreshToken);
      if (tokens.openid !== grant.openid)
        throw new WxLoginError('WX_UPSTREAM_ERROR', "WeChat's refresh named another user");
      return { tokens, profile: await this.#oauth.userInfo(tokens, this.config.lang) };
    }
  }

  /** Releases keep-alive sockets. */
  close(): void {
    this.#oauth.close();
  }

  #refuse(
    code: 'WX_OAUTH_STATE_MISSING' | 'WX_OAUTH_STATE_INVALID' | 'WX_OAUTH_STATE_MISMATCH',
    message: string,
  ): WxLoginError {
    log(this.#port.logger, 'info', { appId: this.config.appId, code }, 'web login refused');
    return new WxLoginError(code, message);
  }
}
