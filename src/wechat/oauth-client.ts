// WeChat's web OAuth server APIs for an official account or a website app: the code exchange
// (/sns/oauth2/access_token) and the user's profile (/sns/userinfo), over the shared WeChatHttp.

import { malformed, optionalString, requireString } from './body-fields.js';
import { httpFor, type WeChatClientOptions } from './client.js';
import type { WeChatHttp } from './request.js';

/** The same settings as the mini program's client, with the official account's or website app's AppID and AppSecret. */
export type WeChatOAuthClientOptions = WeChatClientOptions;

/** What `/sns/oauth2/access_token` gives. The access_token is the user's, for /sns/userinfo only. */
export interface OAuthGrant {
  openid: string;
  /** Only with snsapi_userinfo or snsapi_login, and only for apps bound to an Open Platform account. */
  unionid?: string;
  /** The scope(s) the user granted, as WeChat reports them (comma-separated). */
  scope: string;
  accessToken: string;
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

  /** `GET /sns/oauth2/access_token`: a redirect's code for the user's openid (and unionid). */
  async exchangeCode(code: string): Promise<OAuthGrant> {
    const body = await this.#http.call({
      kind: 'oauth',
      name: 'oauth2_access_token',
      method: 'GET',
      path: '/sns/oauth2/access_token',
      query: { appid: this.#appId, secret: this.#appSecret, code, grant_type: 'authorization_code' },
    });
    const grant: OAuthGrant = {
      openid: requireString(body, 'openid'),
      scope: typeof body.scope === 'string' ? body.scope : '',
      accessToken: requireString(body, 'access_token'),
    };
    const unionid = optionalString(body, 'unionid');
    if (unionid !== undefined) grant.unionid = unionid;
    return grant;
  }

  /** `GET /sns/userinfo`: needs a grant with snsapi_userinfo or snsapi_login (else 48001). */
  async userInfo(grant: OAuthGrant, lang: string): Promise<WeChatUserInfo> {
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

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
