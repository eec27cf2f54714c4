// The options of the core service: the public `WxAuthOptions`, every default stated once, and
// `parseOptions()`, which validates them at once and returns the internal Configuration.

import type { WxLogger } from '../logger.js';
import { failOption as fail, requireOptionsObject } from '../option-errors.js';
import { MemoryStore } from '../stores/memory-store.js';
import { REQUIRED_STORE_METHODS, type SessionStore, type StoredValue } from '../stores/types.js';
import type { PhoneInfo } from '../wechat/client.js';
import type { WeChatUserInfo } from '../wechat/oauth-client.js';
import { DEFAULT_SESSION_CACHE_BYTES } from './sessions.js';
import { DEFAULT_TOKEN_CACHE_BYTES } from './tokens.js';

/** What `onLogin` receives. */
export interface LoginEvent {
  openid: string;
  unionid?: string;
  /** The app the user logged in through: the mini program, or for web logins the official account or website app. */
  appId: string;
  /**
   * True when this store held no session_key for the user: a first login, or the last one expired.
   * Always true for web logins, which have no session_key.
   */
  isNewSession: boolean;
  /** Where the login came from. */
  source: 'miniprogram' | 'web';
  /** The user's WeChat profile: web logins with `snsapi_userinfo` or `snsapi_login` only. */
  profile?: WeChatUserInfo;
}

/** What `onPhoneNumber` receives. */
export interface PhoneEvent {
  openid: string;
  unionid?: string;
  appId: string;
  phone: PhoneInfo;
  /** What `onLogin` returned for this session. */
  user?: StoredValue;
}

/** A token signing key; `kid` goes into the token header so that keys can be rotated. */
export interface SigningKey {
  kid?: string;
  /** At least 32 bytes (UTF-8). */
  secret: string;
}

export interface WxAuthOptions {
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
  /** Per WeChat call attempt, in ms. Defaults to `5000`. */
  timeoutMs?: number;
  /** Extra attempts for -1, network errors, timeouts, 5xx and unreadable replies. Defaults to `2`. */
  retries?: number;
  /** First retry delay in ms, doubled per attempt, jittered. Defaults to `100`. */
  retryDelayMs?: number;
  /** Token and session lifetime in seconds. Defaults to `604800` (7 days). */
  tokenTtl?: number;
  /** A pino-style logger. Defaults to none (silent). */
  logger?: WxLogger;
  /** Maps a WeChat user to the app's own user; the result (JSON) is kept as `user` in the session. */
  onLogin?: (event: LoginEvent) => StoredValue | undefined | Promise<StoredValue | undefined>;
  /** Called after `POST /wx/phone` got a number, to persist it. */
  onPhoneNumber?: (event: PhoneEvent) => void | Promise<void>;
  /** Which access_token API to use. Defaults to `'stable'` (`/cgi-bin/stable_token`). */
  tokenEndpoint?: 'stable' | 'classic';
  /**
   * How long, in ms, an instance may trust a session it already loaded before reading the store
   * again. Bounds how late a logout on another instance takes effect. Defaults to `1000`; `0` reads
   * the store on every request. At most `1000`.
   */
  sessionCacheMs?: number;
  /**
   * Heap, in bytes (estimated), that verified tokens may take in this process; a cached token
   * skips its HMAC. Defaults to `67108864` (64 MiB: about 100,000 users' tokens); `0` turns it off.
   */
  tokenCacheBytes?: number;
  /**
   * Heap, in bytes (estimated), that sessions read within `sessionCacheMs` may take. Defaults to
   * `50331648` (48 MiB: about 100,000 sessions); `0` turns the session cache off.
   */
  sessionCacheBytes?: number;
}

/** The validated, defaulted options the core runs on. */
export interface Configuration {
  appId: string;
  appSecret: string;
  signingKeys: SigningKey[];
  store: SessionStore;
  storeIsDefault: boolean;
  apiBaseUrl: string;
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

function nonEmptyString(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '')
    fail(name, 'is required and must be a non-empty string');
  return value;
}

function integer(
  options: Record<string, unknown>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(
      name,
      `must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
  return value;
}

function parseSigningKeys(options: WxAuthOptions): SigningKey[] {
  const raw =
    options.signingKeys ??
    (options.tokenSecret === undefined ? undefined : [{ secret: options.tokenSecret }]);
  const name = options.signingKeys ? 'signingKeys' : 'tokenSecret';
  if (raw === undefined) fail('tokenSecret', 'is required (at least 32 bytes) unless "signingKeys" is given');
  if (!Array.isArray(raw) || raw.length === 0) fail(name, 'must be a non-empty array of { kid, secret }');
  const kids = new Set<string | undefined>();
  return raw.map((key, i) => {
    const secret = (key as Partial<SigningKey> | null)?.secret;
    if (typeof secret !== 'string' || Buffer.byteLength(secret, 'utf8') < 32) {
      fail(
        options.signingKeys ? `signingKeys[${i}].secret` : 'tokenSecret',
        'must be a string of at least 32 bytes',
      );
    }
    const kid = key.kid;
    if (kid !== undefined && (typeof kid !== 'string' || !/^[\w.-]{1,64}$/.test(kid))) {
      fail(`signingKeys[${i}].kid`, 'must be 1-64 characters of letters, digits, "_", "." or "-"');
    }
    if (kids.has(kid)) fail(`signingKeys[${i}].kid`, 'must be unique');
    kids.add(kid);
    return kid === undefined ? { secret } : { kid, secret };
  });
}

function parseStore(value: unknown): SessionStore | undefined {
  if (value === undefined) return undefined;
  const store = value as Record<string, unknown> | null;
  const missing = REQUIRED_STORE_METHODS.filter((method) => typeof store?.[method] !== 'function');
  if (missing.length > 0) fail('store', `must implement SessionStore; missing: ${missing.join(', ')}`);
  return value as SessionStore;
}

function optionalFunction<T>(options: Record<string, unknown>, name: string): T | undefined {
  const value = options[name];
  if (value !== undefined && typeof value !== 'function') fail(name, 'must be a function');
  return value as T | undefined;
}

/**
 * Validates `options` and fills defaults. Throws a `TypeError` naming the first bad option.
 *
 * @example
 * parseOptions({ appId: 'wx1', appSecret: 's', tokenSecret: 'x'.repeat(32) }).tokenTtl; // 604800
 */
export function parseOptions(input: WxAuthOptions): Configuration {
  requireOptionsObject(input);
  // Like express-rate-limit: an option given as `undefined` means "use the default".
  const options = Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined),
  ) as WxAuthOptions & Record<string, unknown>;
  const appId = nonEmptyString(options, 'appId');
  const appSecret = nonEmptyString(options, 'appSecret');
  const signingKeys = parseSigningKeys(options);
  const store = parseStore(options.store);
  const apiBaseUrl = options.apiBaseUrl ?? DEFAULTS.apiBaseUrl;
  if (typeof apiBaseUrl !== 'string' || !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(apiBaseUrl)) {
    fail('apiBaseUrl', 'must be an http(s) URL such as "https://api.weixin.qq.com"');
  }
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    fail('logger', 'must be a pino-style logger object');
  }
  const tokenEndpoint = options.tokenEndpoint ?? DEFAULTS.tokenEndpoint;
  if (tokenEndpoint !== 'stable' && tokenEndpoint !== 'classic')
    fail('tokenEndpoint', 'must be "stable" or "classic"');
  const config: Configuration = {
    appId,
    appSecret,
    signingKeys,
    store: store ?? new MemoryStore(),
    storeIsDefault: store === undefined,
    apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
    timeoutMs: integer(options, 'timeoutMs', DEFAULTS.timeoutMs, 1, 120_000),
    retries: integer(options, 'retries', DEFAULTS.retries, 0, 10),
    retryDelayMs: integer(options, 'retryDelayMs', DEFAULTS.retryDelayMs, 0, 60_000),
    tokenTtl: integer(options, 'tokenTtl', DEFAULTS.tokenTtl, 60, 365 * 24 * 3600),
    logger,
    onLogin: optionalFunction(options, 'onLogin'),
    onPhoneNumber: optionalFunction(options, 'onPhoneNumber'),
    tokenEndpoint,
    sessionCacheMs: integer(options, 'sessionCacheMs', DEFAULTS.sessionCacheMs, 0, 1000),
    tokenCacheBytes: integer(options, 'tokenCacheBytes', DEFAULTS.tokenCacheBytes, 0, MAX_CACHE_BYTES),
    sessionCacheBytes: integer(options, 'sessionCacheBytes', DEFAULTS.sessionCacheBytes, 0, MAX_CACHE_BYTES),
  };
  // Present but not enumerable: util.inspect(auth.config) or JSON.stringify(config) in an app's
  // debug line must not print the secrets.
  return Object.defineProperties(config, {
    appSecret: { enumerable: false },
    signingKeys: { enumerable: false },
  });
}
