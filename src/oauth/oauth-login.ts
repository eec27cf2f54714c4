// OAuthLogin: the framework-free web login through WeChat OAuth of one official account or
// website app. Start: a signed state (nothing stored) and WeChat's authorize URL. Callback: state
// checks, single use claimed, code exchange, profile, and a session through the core's port.

import type { AuthPort } from '../core/auth-port.js';
import { log } from '../logger.js';
import { type OAuthUserTokens, WeChatOAuthClient, type WeChatUserInfo } from '../wechat/oauth-client.js';
import { type CallbackChecks, checkCallback } from './callback-checks.js';
import type { OAuthCallback, OAuthOutcome, OAuthStart } from './flow-types.js';
import { type OAuthOptions, type OAuthSettings, parseOAuthOptions } from './options.js';
import { safeReturnPath } from './return-to.js';
import { OAuthNonces, OAuthStateCodec, STATE_KEY_INFO } from './state.js';
import { fetchProfile } from './user-profile.js';

export type { OAuthCallback, OAuthOutcome, OAuthStart } from './flow-types.js';
export type { OAuthSettings } from './options.js';

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
  readonly #checks: CallbackChecks;
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
    this.#checks = {
      codec: this.#codec,
      nonces: new OAuthNonces({ store, namespace: port.appId, webAppId: config.appId, logger }),
      webAppId: config.appId,
      allowMissingStateCookie: config.allowMissingStateCookie,
      logger,
    };
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
    const returnTo = await checkCallback(input, this.#checks);
    const { code } = input;
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
    if (this.config.scope !== 'snsapi_base') {
      ({ tokens, profile } = await fetchProfile(this.#oauth, grant, {
        lang: this.config.lang,
        webAppId: this.config.appId,
        logger: this.#port.logger,
      }));
    }
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

  /** Releases keep-alive sockets. */
  close(): void {
    this.#oauth.close();
  }
}
