// The options of a web login (official-account H5 or website QR), every default stated once, and
// their validation into the WebLoginConfig the service runs on. Fails at once, naming the option.

import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { failOption as fail, requireOptionsObject } from '../option-errors.js';
import { parseTransport } from './options.js';

/** `snsapi_base` (silent, openid only) and `snsapi_userinfo` (profile) for official-account H5 pages; `snsapi_login` for website QR login. */
export type WebLoginScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

export interface WebLoginOptions {
  /** The official account's (H5) or website app's (QR) AppID, not the mini program's. Required. */
  appId: string;
  /** Its AppSecret. Required; never logged, never in an error message. */
  appSecret: string;
  /** Required. `snsapi_login` uses `/connect/qrconnect`, the others `/connect/oauth2/authorize`. */
  scope: WebLoginScope;
  /** The absolute URL of the callback route, exactly as registered with WeChat. Required. */
  redirectUri: string;
  /** Defaults to `'https://open.weixin.qq.com'`; tests point it at the emulator. */
  authorizeBaseUrl?: string;
  /** Defaults to the `apiBaseUrl` of the `wxLogin()` it shares sessions with. */
  apiBaseUrl?: string;
  /** How long a started login may take, in seconds (1-3600). Defaults to `600`. */
  stateTtlSeconds?: number;
  /** The language of `/sns/userinfo`'s province, city and country. Defaults to `'zh_CN'`. */
  lang?: 'zh_CN' | 'zh_TW' | 'en';
  /**
   * Accept a callback whose browser sent no state cookie (WeChat's in-app browser sometimes drops
   * it). The state must still be one this server issued, unused and unexpired. Defaults to `false`.
   */
  allowMissingStateCookie?: boolean;
  /**
   * Official-account H5 only: adds `forcePopup=true` to the authorize link, so WeChat asks the user
   * even where it would authorize silently. Defaults to `false`.
   */
  forcePopup?: boolean;
  /** An outbound proxy for this web app's WeChat calls. Defaults to the `wxLogin()`'s `proxy`. */
  proxy?: string;
  /** Defaults to the `wxLogin()`'s `httpAgent`. */
  httpAgent?: HttpAgent;
  /** Defaults to the `wxLogin()`'s `httpsAgent`. */
  httpsAgent?: HttpsAgent;
}

/** The validated, defaulted web login options. */
export interface WebLoginConfig {
  appId: string;
  appSecret: string;
  scope: WebLoginScope;
  redirectUri: string;
  /** The path of `redirectUri`: where the browser sends the state cookie back. */
  callbackPath: string;
  authorizeBaseUrl: string;
  apiBaseUrl: string;
  stateTtlSeconds: number;
  lang: 'zh_CN' | 'zh_TW' | 'en';
  allowMissingStateCookie: boolean;
  forcePopup: boolean;
  /** Undefined: the wxLogin()'s. Not enumerable: it may hold credentials. */
  proxy: string | undefined;
  httpAgent: HttpAgent | undefined;
  httpsAgent: HttpsAgent | undefined;
}

const DEFAULTS = {
  authorizeBaseUrl: 'https://open.weixin.qq.com',
  stateTtlSeconds: 600,
  lang: 'zh_CN',
} as const;

const SCOPES: readonly WebLoginScope[] = ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'];
const LANGS = ['zh_CN', 'zh_TW', 'en'] as const;
const BASE_URL = /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/;

function requiredString(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '')
    fail(name, 'is required and must be a non-empty string');
  return value;
}

function baseUrl(value: unknown, name: string, example: string): string {
  if (typeof value !== 'string' || !BASE_URL.test(value))
    fail(name, `must be an http(s) URL such as "${example}"`);
  return value.replace(/\/+$/, '');
}

/**
 * Validates web login options; `apiBaseUrl` defaults to `fallbackApiBaseUrl` (the wxLogin's).
 *
 * @example
 * parseWebLoginOptions({ appId: 'wxWeb', appSecret: 's', scope: 'snsapi_login', redirectUri: 'https://example.com/wx/web/callback' }, 'https://api.weixin.qq.com').stateTtlSeconds; // 600
 */
export function parseWebLoginOptions(input: WebLoginOptions, fallbackApiBaseUrl: string): WebLoginConfig {
  requireOptionsObject(input);
  const options = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Record<
    string,
    unknown
  >;
  const appId = requiredString(options, 'appId');
  const appSecret = requiredString(options, 'appSecret');
  const scope = options.scope as WebLoginScope;
  if (!SCOPES.includes(scope)) fail('scope', `must be one of ${SCOPES.map((s) => `"${s}"`).join(', ')}`);
  const redirectUri = requiredString(options, 'redirectUri');
  let callbackPath: string;
  try {
    const url = new URL(redirectUri);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hash !== '' || url.username !== '') {
      throw new Error('not a plain http(s) URL');
    }
    callbackPath = url.pathname;
  } catch {
    fail('redirectUri', 'must be the absolute http(s) URL of the callback route, without a #fragment');
  }
  const ttl = options.stateTtlSeconds ?? DEFAULTS.stateTtlSeconds;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
    fail('stateTtlSeconds', 'must be an integer from 1 to 3600');
  }
  const lang = options.lang ?? DEFAULTS.lang;
  if (!LANGS.includes(lang as (typeof LANGS)[number])) fail('lang', 'must be "zh_CN", "zh_TW" or "en"');
  const allowMissing = options.allowMissingStateCookie ?? false;
  if (typeof allowMissing !== 'boolean') fail('allowMissingStateCookie', 'must be a boolean');
  const forcePopup = options.forcePopup ?? false;
  if (typeof forcePopup !== 'boolean') fail('forcePopup', 'must be a boolean');
  if (forcePopup && scope === 'snsapi_login') {
    fail('forcePopup', 'applies to official-account H5 logins only, not snsapi_login');
  }
  const config: WebLoginConfig = {
    appId,
    appSecret,
    scope,
    redirectUri,
    callbackPath,
    authorizeBaseUrl: baseUrl(
      options.authorizeBaseUrl ?? DEFAULTS.authorizeBaseUrl,
      'authorizeBaseUrl',
      DEFAULTS.authorizeBaseUrl,
    ),
    apiBaseUrl: baseUrl(options.apiBaseUrl ?? fallbackApiBaseUrl, 'apiBaseUrl', 'https://api.weixin.qq.com'),
    stateTtlSeconds: ttl,
    lang: lang as WebLoginConfig['lang'],
    allowMissingStateCookie: allowMissing,
    forcePopup,
    ...parseTransport(options),
  };
  return Object.defineProperty(config, 'proxy', { enumerable: false });
}
