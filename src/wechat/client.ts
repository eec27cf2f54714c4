// The WeChat server APIs that the package calls, each a small method over WeChatHttp that checks
// the shape of the answer. No caching, no access-token policy: that is the core's job.

import { WxLoginError } from '../errors.js';
import type { WxLogger } from '../logger.js';
import { malformed, optionalString, requireString } from './body-fields.js';
import { type WeChatBody, WeChatHttp, type WeChatTransport } from './request.js';

export interface WeChatClientOptions extends WeChatTransport {
  appId: string;
  appSecret: string;
  /** Defaults to `https://api.weixin.qq.com`. */
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  logger?: WxLogger | undefined;
}

/** What code2Session gives. The session_key never leaves the server. */
export interface Code2SessionResult {
  openid: string;
  sessionKey: string;
  /** Only when the mini program is bound to a WeChat Open Platform account. */
  unionid?: string;
}

export interface AccessTokenResult {
  accessToken: string;
  /** Seconds, as WeChat reported them. */
  expiresIn: number;
}

/** The phone number as WeChat's getuserphonenumber gives it (countryCode always a string). */
export interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/** Checks of getuserphonenumber's `phone_info.watermark`; its appid is always checked. */
export interface PhoneNumberOptions {
  /** Refuse a number whose watermark (when the user got it) is older than this many seconds. Off by default. */
  maxAgeSeconds?: number | undefined;
}

/** The HTTP caller for one app's credentials: its appSecret is scrubbed from everything logged. */
export function httpFor(options: WeChatClientOptions): WeChatHttp {
  return new WeChatHttp({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    secrets: [options.appSecret, ...proxySecrets(options.proxy)],
    logger: options.logger,
    proxy: options.proxy,
    httpAgent: options.httpAgent,
    httpsAgent: options.httpsAgent,
  });
}

/** A proxy URL's password, raw and decoded: scrubbed like the appSecret should it ever show up. */
function proxySecrets(proxy: string | undefined): string[] {
  if (proxy === undefined) return [];
  try {
    const { password } = new URL(proxy);
    return password === '' ? [] : [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

/**
 * The WeChat server API, one method per endpoint.
 *
 * @example
 * const wechat = new WeChatClient({ appId, appSecret, baseUrl: emulator.url, timeoutMs: 5000, retries: 2, retryDelayMs: 100 });
 * const { openid } = await wechat.code2Session(code);
 */
export class WeChatClient {
  readonly #http: WeChatHttp;
  readonly #appId: string;
  readonly #appSecret: string;

  constructor(options: WeChatClientOptions) {
    this.#appId = options.appId;
    this.#appSecret = options.appSecret;
    this.#http = httpFor(options);
  }

  /** How long one call may take at most, timeouts, retries and backoff included. */
  get worstCaseMs(): number {
    return this.#http.worstCaseMs;
  }

  /** `GET /sns/jscode2session`: needs only appid and secret, never an access_token. */
  async code2Session(code: string): Promise<Code2SessionResult> {
    const body = await this.#http.call({
      kind: 'login',
      name: 'jscode2session',
      method: 'GET',
      path: '/sns/jscode2session',
      query: { appid: this.#appId, secret: this.#appSecret, js_code: code, grant_type: 'authorization_code' },
      redeemsCode: 'login',
    });
    const openid = requireString(body, 'openid');
    const sessionKey = requireString(body, 'session_key');
    const unionid = optionalString(body, 'unionid');
    return unionid === undefined ? { openid, sessionKey } : { openid, sessionKey, unionid };
  }

  /** `POST /cgi-bin/stable_token` (default) or `GET /cgi-bin/token` (classic). */
  async fetchAccessToken(endpoint: 'stable' | 'classic', forceRefresh = false): Promise<AccessTokenResult> {
    const body =
      endpoint === 'stable'
        ? await this.#http.call({
            kind: 'token',
            name: 'stable_token',
            method: 'POST',
            path: '/cgi-bin/stable_token',
            body: {
              grant_type: 'client_credential',
              appid: this.#appId,
              secret: this.#appSecret,
              force_refresh: forceRefresh,
            },
          })
        : await this.#http.call({
            kind: 'token',
            name: 'token',
            method: 'GET',
            path: '/cgi-bin/token',
            query: { grant_type: 'client_credential', appid: this.#appId, secret: this.#appSecret },
          });
    const accessToken = requireString(body, 'access_token');
    const expiresIn = Number(body.expires_in);
    if (!Number.isFinite(expiresIn) || expiresIn <= 0) throw malformed('expires_in');
    return { accessToken, expiresIn };
  }

  /**
   * `POST /wxa/business/getuserphonenumber`; `openid` makes WeChat check the code belongs to that
   * user. The answer's watermark must name our appId (else 400 `WX_WATERMARK_MISMATCH`) and, with
   * `maxAgeSeconds`, be recent enough (else 400 `WX_DATA_EXPIRED`).
   */
  async getPhoneNumber(
    accessToken: string,
    code: string,
    openid?: string,
    options: PhoneNumberOptions = {},
  ): Promise<PhoneInfo> {
    const { maxAgeSeconds } = options;
    // Checked before WeChat is called: a bad option must not cost the user's single-use code.
    if (
      maxAgeSeconds !== undefined &&
      !(typeof maxAgeSeconds === 'number' && Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0)
    ) {
      throw new WxLoginError('WX_DATA_INVALID', 'maxAgeSeconds must be a positive finite number');
    }
    const body = await this.#http.call({
      kind: 'phone',
      name: 'getuserphonenumber',
      method: 'POST',
      path: '/wxa/business/getuserphonenumber',
      query: { access_token: accessToken },
      body: openid === undefined ? { code } : { code, openid },
      redeemsCode: 'phone',
    });
    const info = body.phone_info;
    if (typeof info !== 'object' || info === null) throw malformed('phone_info');
    const phone = info as WeChatBody;
    this.#checkWatermark(phone.watermark, maxAgeSeconds);
    const countryCode = phone.countryCode;
    return {
      phoneNumber: requireString(phone, 'phoneNumber'),
      purePhoneNumber: requireString(phone, 'purePhoneNumber'),
      // Documented as a string, sent as the number 86 in WeChat's own example.
      countryCode:
        typeof countryCode === 'number' ? String(countryCode) : requireString(phone, 'countryCode'),
    };
  }

  /** `GET /wxa/checksession`: true when WeChat still accepts the key whose signature is given. */
  async checkSessionKey(accessToken: string, openid: string, signature: string): Promise<boolean> {
    try {
      await this.#http.call({
        kind: 'session-key',
        name: 'checksession',
        method: 'GET',
        path: '/wxa/checksession',
        query: { access_token: accessToken, openid, signature, sig_method: 'hmac_sha256' },
      });
      return true;
    } catch (err) {
      // 87009: not the current key; 40003: WeChat knows no such user of this app. Either way, no.
      if (err instanceof WxLoginError && (err.errcode === 87009 || err.errcode === 40003)) return false;
      throw err;
    }
  }

  /** `GET /wxa/resetusersessionkey`: WeChat issues a new session_key; the old one stops working. */
  async resetSessionKey(accessToken: string, openid: string, signature: string): Promise<string> {
    const body = await this.#http.call({
      kind: 'session-key',
      name: 'resetusersessionkey',
      method: 'GET',
      path: '/wxa/resetusersessionkey',
      query: { access_token: accessToken, openid, signature, sig_method: 'hmac_sha256' },
    });
    return requireString(body, 'session_key');
  }

  /** Releases keep-alive sockets. */
  close(): void {
    this.#http.close();
  }

  /** As for open data: the number was produced for our app and, when asked, recently. */
  #checkWatermark(raw: unknown, maxAgeSeconds: number | undefined): void {
    const watermark = raw as { appid?: unknown; timestamp?: unknown } | null | undefined;
    if (
      typeof watermark !== 'object' ||
      watermark === null ||
      typeof watermark.appid !== 'string' ||
      typeof watermark.timestamp !== 'number' ||
      !Number.isFinite(watermark.timestamp)
    ) {
      throw malformed('phone_info.watermark');
    }
    if (watermark.appid !== this.#appId) {
      throw new WxLoginError('WX_WATERMARK_MISMATCH', 'the phone number was issued for another app');
    }
    if (maxAgeSeconds !== undefined && Date.now() / 1000 - watermark.timestamp > maxAgeSeconds) {
      throw new WxLoginError(
        'WX_DATA_EXPIRED',
        `the phone number is older than ${maxAgeSeconds} seconds; ask the user for it again`,
      );
    }
  }
}
