// The options of a web login through WeChat OAuth (official-account H5 or website QR), every
// default stated once, and their validation into the OAuthConfig it runs on.

import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { parseTransport } from '../core/options.js';
import {
  booleanOption,
  failOption as fail,
  httpUrlOption,
  integerOption,
  omitUndefined,
  oneOf,
  requiredString,
} from '../options-toolkit.js';

/** `snsapi_base` (silent, openid only) and `snsapi_userinfo` (profile) for official-account H5 pages; `snsapi_login` for website QR login. */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

export interface OAuthOptions {
  /** The official account's (H5) or website app's (QR) AppID, not the mini program's. Required. */
  appId: string;
  /** Its AppSecret. Required; never logged, never in an error message. */
  appSecret: string;
  /** Required. `snsapi_login` uses `/connect/qrconnect`, the others `/connect/oauth2/authorize`. */
  scope: OAuthScope;
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

/** The validated, defaulted OAuth options, as `wxOAuth().oauth.config` shows them (no appSecret). */
export interface OAuthSettings {
  readonly appId: string;
  readonly scope: OAuthScope;
  readonly redirectUri: string;
  /** The path of `redirectUri`. */
  readonly callbackPath: string;
  readonly authorizeBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly stateTtlSeconds: number;
  readonly lang: 'zh_CN' | 'zh_TW' | 'en';
  readonly allowMissingStateCookie: boolean;
  readonly forcePopup: boolean;
  /** Undefined: the wxLogin()'s. Not enumerable: it may hold credentials. */
  readonly proxy: string | undefined;
  readonly httpAgent: HttpAgent | undefined;
  readonly httpsAgent: HttpsAgent | undefined;
}

/** The validated OAuth options with the appSecret, which only the WeChat client keeps. Internal. */
export interface OAuthConfig extends OAuthSettings {
  readonly appSecret: string;
}

const DEFAULTS = {
  authorizeBaseUrl: 'https://open.weixin.qq.com',
  stateTtlSeconds: 600,
  lang: 'zh_CN',
} as const;

const SCOPES: readonly OAuthScope[] = ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'];
const LANGS = ['zh_CN', 'zh_TW', 'en'] as const;

/**
 * Validates OAuth options; `apiBaseUrl` defaults to `fallbackApiBaseUrl` (the wxLogin's).
 *
 * @example
 * parseOAuthOptions({ appId: 'wxWeb', appSecret: 's', scope: 'snsapi_login', redirectUri: 'https://example.com/wx/web/callback' }, 'https://api.weixin.qq.com').stateTtlSeconds; // 600
 */
export function parseOAuthOptions(input: OAuthOptions, fallbackApiBaseUrl: string): OAuthConfig {
  const options = omitUndefined(input);
  const appId = requiredString(options, 'appId');
  const appSecret = requiredString(options, 'appSecret');
  const scope = oneOf(options, 'scope', SCOPES, undefined);
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
  const config: OAuthConfig = {
    appId,
    appSecret,
    scope,
    redirectUri,
    callbackPath,
    authorizeBaseUrl: httpUrlOption(options, 'authorizeBaseUrl', DEFAULTS.authorizeBaseUrl),
    apiBaseUrl: httpUrlOption(options, 'apiBaseUrl', fallbackApiBaseUrl),
    stateTtlSeconds: integerOption(options, 'stateTtlSeconds', DEFAULTS.stateTtlSeconds, 1, 3600),
    lang: oneOf(options, 'lang', LANGS, DEFAULTS.lang),
    allowMissingStateCookie: booleanOption(options, 'allowMissingStateCookie', false),
    forcePopup: booleanOption(options, 'forcePopup', false),
    ...parseTransport(options),
  };
  if (config.forcePopup && scope === 'snsapi_login') {
    fail('forcePopup', 'applies to official-account H5 logins only, not snsapi_login');
  }
  // As for the mini program: util.inspect() or JSON of the config must not print the secrets.
  return Object.defineProperties(config, { appSecret: { enumerable: false }, proxy: { enumerable: false } });
}
