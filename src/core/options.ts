// The options of the core service: the public `WxAuthOptions`, every default stated once, and
// `parseOptions()`, which validates them at once and returns the internal Configuration.

import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { WxLogger } from '../logger.js';
import {
  failOption as fail,
  functionOption,
  httpUrlOption,
  integerOption,
  omitUndefined,
  oneOf,
  positiveNumberOption,
  requiredString,
} from '../options-toolkit.js';
import { MemoryStore } from '../stores/memory-store.js';
import type { SessionStore } from '../stores/types.js';
import type { LoginEvent, PhoneEvent, WxAppUser } from './hook-events.js';
import { parseRefresh, parseSigningKeys, parseStore, parseTransport } from './option-parsers.js';
import { DEFAULT_SESSION_CACHE_BYTES } from './session-cache.js';
import { DEFAULT_TOKEN_CACHE_BYTES } from './tokens.js';

/** A token signing key; `kid` goes into the token header so that keys can be rotated. */
export interface SigningKey {
  kid?: string;
  /** At least 32 bytes (UTF-8). */
  secret: string;
}

export interface WxAuthOptions<Req = unknown> {
  /** The mini program's AppID. Required. */
  appId: string;
  /** The mini program's AppSecret. Required; never logged, never in an error message. */
  appSecret: string;
  /** HS256 key for our tokens, at least 32 bytes. Required unless `signingKeys` is given. */
  tokenSecret?: string;
  /** For key rotation: signs with the first, verifies with any (by `kid`). Overrides `tokenSecret`. */
  signingKeys?: SigningKey[];
  /** Where sessions live. Defaults to a new `MemoryStore()`; use `RedisStore` for several instances. */
  store?: SessionStore;
  /** Defaults to `'https://api.weixin.qq.com'`; tests point it at the emulator. */
  apiBaseUrl?: string;
  /**
   * An HTTP(S) forward proxy for every WeChat call (a fixed egress IP for WeChat's IP whitelist),
   * e.g. `'http://user:pass@10.0.0.1:3128'`: https targets are tunnelled with CONNECT. Never
   * logged. Defaults to none (direct; `HTTP_PROXY` is not read).
   */
  proxy?: string;
  /** An `http.Agent` of your own for WeChat calls to an `http://` apiBaseUrl; wins over `proxy`. Defaults to none. */
  httpAgent?: HttpAgent;
  /** An `https.Agent` of your own for WeChat calls to an `https://` apiBaseUrl; wins over `proxy`. Defaults to none. */
  httpsAgent?: HttpsAgent;
  /** Refuse phone numbers whose watermark is older than this many seconds (`POST /wx/phone`). Defaults to no age check. */
  phoneMaxAgeSeconds?: number;
  /** Per WeChat call attempt, in ms. Defaults to `5000`. */
  timeoutMs?: number;
  /** Extra attempts for -1, network errors, timeouts, 5xx and unreadable replies. Defaults to `2`. */
  retries?: number;
  /** First retry delay in ms, doubled per attempt, jittered. Defaults to `100`. */
  retryDelayMs?: number;
  /** Token and session lifetime in seconds. Defaults to `604800` (7 days). */
  tokenTtl?: number;
  /** A pino-style logger. Defaults to writing errors (5xx) to stderr; pass your logger to route them. */
  logger?: WxLogger;
  /**
   * Maps a WeChat user to the app's own user; the result (plain JSON) is kept as `user` in the
   * session. Throw a `WxLoginError` (e.g. status 403 with your own code) to refuse the login.
   */
  onLogin?: (event: LoginEvent<Req>) => WxAppUser | undefined | Promise<WxAppUser | undefined>;
  /** Called after `POST /wx/phone` got a number, to persist it. */
  onPhoneNumber?: (event: PhoneEvent<Req>) => void | Promise<void>;
  /** Which access_token API to use. Defaults to `'stable'` (`/cgi-bin/stable_token`). */
  tokenEndpoint?: 'stable' | 'classic';
  /**
   * How long, in ms, an instance may trust a session it already loaded before reading the store
   * again. Bounds how late a logout on another instance takes effect. Defaults to `1000`; `0` reads
   * the store on every request. At most `1000`. On a store that is not shared between processes
   * (`MemoryStore`), every change to a session is made in this process and drops the cached copy at
   * once, so a session stays cached up to a minute, in one cache shared by every wxLogin() of the
   * app on that store.
   */
  sessionCacheMs?: number;
  /**
   * Heap, in bytes (estimated), that verified tokens may take in this process; a cached token
   * skips its HMAC. A token is cached when it is verified a second time. Defaults to `83886080`
   * (80 MiB: about 105,000 users' tokens); `0` turns it off.
   */
  tokenCacheBytes?: number;
  /**
   * Heap, in bytes (estimated), that sessions read within `sessionCacheMs` may take. A session of
   * an in-process store (MemoryStore) is cached when it is read a second time, a shared store's
   * when first read. Defaults to `50331648` (48 MiB: about 100,000 sessions); `0` turns the
   * session cache off.
   */
  sessionCacheBytes?: number;
  /**
   * A short description of the device a login came from (at most 80 characters), kept with the
   * session and shown by `auth.listSessions()`. `wxLogin()` defaults it to a summary of the
   * User-Agent header ("iPhone · WeChat 8.0.50 · mini program"); none by default without Express.
   */
  describeClient?: (request: Req | undefined) => string | undefined;
  /**
   * Renewal without a new wx.login(): mini-program logins get a short-lived access token plus a
   * refresh token for `POST /wx/refresh`, which rotates on every use; a refresh token used twice
   * ends the session. `true` takes the defaults. Off by default: one token of `tokenTtl`, as before.
   * Web logins (wxOAuth()) keep one token of `tokenTtl` either way.
   */
  refresh?: boolean | RefreshOptions;
}

/** The lifetimes of the renewal mode (`refresh` option). */
export interface RefreshOptions {
  /** Seconds an access token lives. Defaults to `900` (15 minutes); 60 to 86400. */
  accessTokenTtl?: number;
  /** Seconds a session lives at most, however often it is renewed. Defaults to `2592000` (30 days). */
  absoluteTtl?: number;
}

/** The validated, defaulted options the core runs on. Internal: not exported by the package. */
export interface Configuration {
  appId: string;
  appSecret: string;
  signingKeys: SigningKey[];
  store: SessionStore;
  apiBaseUrl: string;
  /** Not enumerable: it may hold credentials. */
  proxy: string | undefined;
  httpAgent: HttpAgent | undefined;
  httpsAgent: HttpsAgent | undefined;
  phoneMaxAgeSeconds: number | undefined;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  tokenTtl: number;
  logger: WxLogger | undefined;
  onLogin: WxAuthOptions['onLogin'];
  onPhoneNumber: WxAuthOptions['onPhoneNumber'];
  tokenEndpoint: 'stable' | 'classic';
  sessionCacheMs: number;
  tokenCacheBytes: number;
  sessionCacheBytes: number;
  describeClient: WxAuthOptions['describeClient'];
  /** `undefined`: single-token mode. */
  refresh: Required<RefreshOptions> | undefined;
}

const DEFAULTS = {
  apiBaseUrl: 'https://api.weixin.qq.com',
  timeoutMs: 5000,
  retries: 2,
  retryDelayMs: 100,
  tokenTtl: 7 * 24 * 3600,
  tokenEndpoint: 'stable',
  sessionCacheMs: 1000,
  tokenCacheBytes: DEFAULT_TOKEN_CACHE_BYTES,
  sessionCacheBytes: DEFAULT_SESSION_CACHE_BYTES,
} as const;
/** 4 GiB: a cache larger than that is surely a mistake of units. */
const MAX_CACHE_BYTES = 2 ** 32;

/**
 * Validates `options` and fills defaults. Throws a `TypeError` (code `ERR_INVALID_ARG_VALUE`)
 * naming the first bad option.
 *
 * @example
 * parseOptions({ appId: 'wx1', appSecret: 's', tokenSecret: 'x'.repeat(32) }).tokenTtl; // 604800
 */
export function parseOptions(input: WxAuthOptions<never>): Configuration {
  const options = omitUndefined(input);
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    fail('logger', 'must be a pino-style logger object');
  }
  // Off unless set, so no default: the fallback below is never used.
  const phoneMaxAgeSeconds =
    options.phoneMaxAgeSeconds === undefined
      ? undefined
      : positiveNumberOption(options, 'phoneMaxAgeSeconds', 0);
  const config: Configuration = {
    appId: requiredString(options, 'appId'),
    appSecret: requiredString(options, 'appSecret'),
    signingKeys: parseSigningKeys(options),
    store: parseStore(options.store) ?? new MemoryStore(),
    apiBaseUrl: httpUrlOption(options, 'apiBaseUrl', DEFAULTS.apiBaseUrl),
    ...parseTransport(options),
    phoneMaxAgeSeconds,
    timeoutMs: integerOption(options, 'timeoutMs', DEFAULTS.timeoutMs, 1, 120_000),
    retries: integerOption(options, 'retries', DEFAULTS.retries, 0, 10),
    retryDelayMs: integerOption(options, 'retryDelayMs', DEFAULTS.retryDelayMs, 0, 60_000),
    tokenTtl: integerOption(options, 'tokenTtl', DEFAULTS.tokenTtl, 60, 365 * 24 * 3600),
    logger,
    onLogin: functionOption(options, 'onLogin'),
    onPhoneNumber: functionOption(options, 'onPhoneNumber'),
    tokenEndpoint: oneOf(options, 'tokenEndpoint', ['stable', 'classic'] as const, DEFAULTS.tokenEndpoint),
    sessionCacheMs: integerOption(options, 'sessionCacheMs', DEFAULTS.sessionCacheMs, 0, 1000),
    tokenCacheBytes: integerOption(options, 'tokenCacheBytes', DEFAULTS.tokenCacheBytes, 0, MAX_CACHE_BYTES),
    sessionCacheBytes: integerOption(
      options,
      'sessionCacheBytes',
      DEFAULTS.sessionCacheBytes,
      0,
      MAX_CACHE_BYTES,
    ),
    describeClient: functionOption(options, 'describeClient'),
    refresh: parseRefresh(options.refresh),
  };
  // Present but not enumerable: util.inspect(config) or JSON.stringify(config) in an app's debug
  // line must not print the secrets.
  return Object.defineProperties(config, {
    appSecret: { enumerable: false },
    signingKeys: { enumerable: false },
    proxy: { enumerable: false },
  });
}

export type { LoginEvent, PhoneEvent, WxAppUser, WxLoginTypes } from './hook-events.js';
export { parseTransport } from './option-parsers.js';
