// The parsers of the core options that are more than a toolkit call: signing keys, the store,
// the renewal lifetimes, the outbound proxy and agents (shared with web login's options).

import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { failOption as fail, integerOption, omitUndefined } from '../options-toolkit.js';
import { REQUIRED_STORE_METHODS, type SessionStore } from '../stores/types.js';
import type { RefreshOptions, SigningKey } from './options.js';

/**
 * The signing keys: `signingKeys`, or `tokenSecret` as one key without a kid; 32 bytes at least.
 *
 * @example
 * parseSigningKeys({ tokenSecret: 'x'.repeat(32) }); // [{ secret: 'xxx…' }]
 */
export function parseSigningKeys(options: Record<string, unknown>): SigningKey[] {
  const raw =
    options.signingKeys ??
    (options.tokenSecret === undefined ? undefined : [{ secret: options.tokenSecret }]);
  const name = options.signingKeys ? 'signingKeys' : 'tokenSecret';
  if (raw === undefined) fail('tokenSecret', 'is required (at least 32 bytes) unless "signingKeys" is given');
  if (!Array.isArray(raw) || raw.length === 0) fail(name, 'must be a non-empty array of { kid, secret }');
  const kids = new Set<string | undefined>();
  return raw.map((key: Partial<SigningKey> | null, i) => {
    const secret = key?.secret;
    if (typeof secret !== 'string' || Buffer.byteLength(secret, 'utf8') < 32) {
      fail(
        options.signingKeys ? `signingKeys[${i}].secret` : 'tokenSecret',
        'must be a string of at least 32 bytes',
      );
    }
    const kid = key?.kid;
    if (kid !== undefined && (typeof kid !== 'string' || !/^[\w.-]{1,64}$/.test(kid))) {
      fail(`signingKeys[${i}].kid`, 'must be 1-64 characters of letters, digits, "_", "." or "-"');
    }
    if (kids.has(kid)) fail(`signingKeys[${i}].kid`, 'must be unique');
    kids.add(kid);
    return kid === undefined ? { secret } : { kid, secret };
  });
}

/**
 * The renewal lifetimes: `undefined` (single-token mode), `true` (the defaults) or an object.
 *
 * @example
 * parseRefresh(true); // { accessTokenTtl: 900, absoluteTtl: 2592000 }
 */
export function parseRefresh(value: unknown): Required<RefreshOptions> | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    fail('refresh', 'must be true, false or { accessTokenTtl, absoluteTtl }');
  }
  const given = value === true ? {} : omitUndefined(value as RefreshOptions);
  const unknown = Object.keys(given).filter((key) => key !== 'accessTokenTtl' && key !== 'absoluteTtl');
  if (unknown.length > 0)
    fail(`refresh.${unknown[0]}`, 'is unknown (refresh takes accessTokenTtl and absoluteTtl)');
  // Named in full, so that an error says "refresh.absoluteTtl".
  const options = {
    'refresh.accessTokenTtl': given.accessTokenTtl,
    'refresh.absoluteTtl': given.absoluteTtl,
  };
  const accessTokenTtl = integerOption(options, 'refresh.accessTokenTtl', 900, 60, 24 * 3600);
  const absoluteTtl = integerOption(
    options,
    'refresh.absoluteTtl',
    30 * 24 * 3600,
    accessTokenTtl,
    365 * 24 * 3600,
  );
  return { accessTokenTtl, absoluteTtl };
}

/**
 * A store given in the options, checked for the SessionStore methods; `undefined` when none.
 *
 * @example
 * parseStore(new MemoryStore()); // the store
 */
export function parseStore(value: unknown): SessionStore | undefined {
  if (value === undefined) return undefined;
  const store = value as Record<string, unknown> | null;
  const missing = REQUIRED_STORE_METHODS.filter((method) => typeof store?.[method] !== 'function');
  if (missing.length > 0) fail('store', `must implement SessionStore; missing: ${missing.join(', ')}`);
  return value as SessionStore;
}

/**
 * The outbound-proxy options: `proxy` an http(s) URL, the agents objects. Shared with the web
 * login options, which may set their own.
 *
 * @example
 * parseTransport({ proxy: 'http://10.0.0.1:3128' }).proxy; // 'http://10.0.0.1:3128'
 */
export function parseTransport(options: Record<string, unknown>): {
  proxy: string | undefined;
  httpAgent: HttpAgent | undefined;
  httpsAgent: HttpsAgent | undefined;
} {
  const { proxy, httpAgent, httpsAgent } = options;
  if (proxy !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof proxy === 'string' ? new URL(proxy) : undefined;
    } catch {}
    // The message never repeats the value: it may hold the proxy's password.
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      fail('proxy', 'must be an http(s) URL such as "http://user:pass@10.0.0.1:3128"');
    }
  }
  for (const [name, agent] of [
    ['httpAgent', httpAgent],
    ['httpsAgent', httpsAgent],
  ] as const) {
    if (agent !== undefined && (typeof agent !== 'object' || agent === null)) fail(name, 'must be an Agent');
  }
  return {
    proxy: proxy as string | undefined,
    httpAgent: httpAgent as HttpAgent | undefined,
    httpsAgent: httpsAgent as HttpsAgent | undefined,
  };
}
