// WeChat's web OAuth server APIs for an official account or a website app: the code exchange
// (/sns/oauth2/access_token) and the user's profile (/sns/userinfo), over the shared WeChatHttp.

import { WxLoginError } from '../errors.js';
import { malformed, optionalString, requireString } from './body-fields.js';
import { httpFor, type WeChatClientOptions } from './client.js';
import type { WeChatBody, WeChatHttp } from './request.js';

/** The same settings as the mini program's client, with the official account's or website app's AppID and AppSecret. */
export type WeChatOAuthClientOptions = WeChatClientOptions;

/** The user's OAuth tokens (not the app's access_token): for /sns/userinfo and the like. */
export interface OAuthUserTokens {
  openid: string;
  /** The scope(s) the user granted, as WeChat reports them (comma-separated). */
  scope: string;
  accessToken: string;
  /** Seconds the access_token lives (7200). */
  expiresIn: number;
  /** Renews the access_token for 30 days (`/sns/oauth2/refresh_token`). */
  refreshToken: string;
}

/** What `/sns/oauth2/access_token` gives. */
export interface OAuthGrant extends OAuthUserTokens {
  /** Only with snsapi_userinfo or snsapi_login, and only for apps bound to an Open Platform account. */
  unionid?: string;
  /**
   * `is_snapshotuser: 1`: the page ran in WeChat's snapshot mode (快照页, e.g. opened from a Moments
   * share); openid and unionid are virtual and must never become a session.
   */
  snapshotUser: boolean;
}

/** The user's public WeChat profile (`/sns/userinfo`), as WeChat names its fields. */
export interface WeChatUserInfo {
  nickname: string;
  /** 0 unknown, 1 male, 2 female. */
  sex: number;
  province: string;
  city: string;
  country: string;
  /** The avatar URL; empty when the user has none. */
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

/**
 * The web OAuth APIs of one official account or website app.
 *
 * @example
 * const oauth = new WeChatOAuthClient({ appId, appSecret, baseUrl: 'https://api.weixin.qq.com', timeoutMs: 5000, retries: 2, retryDelayMs: 100 });
 * const grant = await oauth.exchangeCode(code);
 * const profile = await oauth.userInfo(grant, 'zh_CN');
 */
export class WeChatOAuthClient {
  readonly #http: WeChatHttp;
  readonly #appId: string;
  readonly #appSecret: string;

  constructor(options: WeChatOAuthClientOptions) {
    this.#appId = options.appId;
    this.#appSecret = options.appSecret;
    this.#http = httpFor(options);
  }

  /**
   * `GET /sns/oauth2/access_token`: a redirect's code for the user's openid (and unionid). WeChat
   * answers it as `text/plain`; the JSON inside is read all the same.
   */
  async exchangeCode(code: string): Promise<OAuthGrant> {
    const body = await this.#http.call({
      kind: 'oauth',
      name: 'oauth2_access_token',
      method: 'GET',
      path: '/sns/oauth2/access_token',
      query: { appid: this.#appId, secret: this.#appSecret, code, grant_type: 'authorization_code' },
      redeemsCode: 'oauth',
    });
    const grant: OAuthGrant = {
      ...userTokens(body),
      snapshotUser: body.is_snapshotuser === 1 || body.is_snapshotuser === '1',
    };
    const unionid = optionalString(body, 'unionid');
    if (unionid !== undefined) grant.unionid = unionid;
    return grant;
  }

  /**
   * `GET /sns/oauth2/refresh_token` (no secret): an unexpired access_token comes back with a new
   * lifetime, an expired one is replaced. 40030/42002 (invalid, older than 30 days): log in again.
   */
  async refresh(refreshToken: string): Promise<OAuthUserTokens> {
    const body = await this.#http.call({
      kind: 'oauth',
      name: 'oauth2_refresh_token',
      method: 'GET',
      path: '/sns/oauth2/refresh_token',
      query: { appid: this.#appId, grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    return userTokens(body, refreshToken);
  }

  /** `GET /sns/auth`: whether WeChat still accepts the user's access_token for that openid. */
  async checkAccessToken(accessToken: string, openid: string): Promise<boolean> {
    try {
      await this.#http.call({
        kind: 'oauth',
        name: 'sns_auth',
        method: 'GET',
        path: '/sns/auth',
        query: { access_token: accessToken, openid },
      });
      return true;
    } catch (err) {
      if (err instanceof WxLoginError && err.errcode !== undefined && TOKEN_REFUSED.has(err.errcode))
        return false;
      throw err;
    }
  }

  /** `GET /sns/userinfo`: needs a grant with snsapi_userinfo or snsapi_login (else 48001). */
  async userInfo(
    grant: Pick<OAuthUserTokens, 'accessToken' | 'openid'>,
    lang: string,
  ): Promise<WeChatUserInfo> {
    const body = await this.#http.call({
      kind: 'oauth',
      name: 'userinfo',
      method: 'GET',
      path: '/sns/userinfo',
      query: { access_token: grant.accessToken, openid: grant.openid, lang },
    });
    if (body.openid !== grant.openid) throw malformed('openid');
    const privilege = Array.isArray(body.privilege)
      ? body.privilege.filter((p): p is string => typeof p === 'string')
      : [];
    const profile: WeChatUserInfo = {
      nickname: text(body.nickname),
      sex: typeof body.sex === 'number' ? body.sex : Number(body.sex) || 0,
      province: text(body.province),
      city: text(body.city),
      country: text(body.country),
      headimgurl: text(body.headimgurl),
      privilege,
    };
    const unionid = optionalString(body, 'unionid');
    if (unionid !== undefined) profile.unionid = unionid;
    return profile;
  }

  /** Releases keep-alive sockets. */
  close(): void {
    this.#http.close();
  }
}

/** /sns/auth's answers for a token that is not (or no longer) the user's: not an error, a "no". */
const TOKEN_REFUSED = new Set([40001, 40003, 40014, 41001, 42001]);

function userTokens(body: WeChatBody, previousRefreshToken?: string): OAuthUserTokens {
  const expiresIn = Number(body.expires_in);
  return {
    openid: requireString(body, 'openid'),
    scope: typeof body.scope === 'string' ? body.scope : '',
    accessToken: requireString(body, 'access_token'),
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 7200,
    refreshToken: optionalString(body, 'refresh_token') ?? previousRefreshToken ?? '',
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
