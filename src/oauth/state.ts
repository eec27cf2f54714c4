// The OAuth `state` of web logins, stateless until the callback: a signed, expiring nonce for
// WeChat, a signed cookie binding it (and returnTo) to the browser, single use claimed at the callback.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { CLOCK_TOLERANCE_SECONDS } from '../constants.js';
import { callStore } from '../core/store-call.js';
import type { WxLogger } from '../logger.js';
import type { SessionStore } from '../stores/types.js';
import { safeReturnPath } from './return-to.js';

/**
 * Separates the state keys from every other use of the token signing keys (HKDF info). "v2": the
 * keys of the stored states of 0.1 (v1) are never reused for this format.
 */
export const STATE_KEY_INFO = 'express-wx-login oauth-state v2';

/** nonce (16 bytes) + expiry (ms, 12 hex digits) + MAC (16 bytes), all lowercase hex: 76 characters. */
const STATE_PATTERN = /^[0-9a-f]{76}$/;
const NONCE_HEX = 32;
const EXPIRY_HEX = 12;
/** A cookie holds the state, returnTo (<= 512 bytes, base64url) and a MAC: well under this. */
const MAX_COOKIE_LENGTH = 1024;
/** A claimed nonce outlives its state by the clock skew tolerated between instances. */
const CLAIM_MARGIN_MS = CLOCK_TOLERANCE_SECONDS * 1000;
/** The most nonces kept beside an in-process store (about 150 bytes each). */
const LOCAL_CLAIMS = 100_000;
/**
 * Claimed nonces of in-process stores (`shared: false`, like MemoryStore), one pool per store:
 * there, single use needs no shared record, and a pool of its own keeps a flood of scripted
 * callbacks from evicting sessions out of the store's LRU. Evicting an old nonce here only lets a
 * callback whose code WeChat already took (40163) through the state check.
 */
const localClaims = new WeakMap<SessionStore, LRUCache<string, true>>();

/** What the start of a login hands out: the state for WeChat's URL, the value for the state cookie. */
export interface IssuedState {
  /** Only a-z0-9, 76 characters: WeChat takes a-zA-Z0-9 in `state`, at most 128 bytes. */
  state: string;
  /** `<state>.<returnTo, base64url>.<MAC>`: HttpOnly, never read by the page. */
  cookie: string;
  /** Unix time in milliseconds after which the state is refused. */
  expiresAt: number;
}

/** A state whose signature checked out (its expiry is not checked here). */
export interface SignedState {
  nonce: string;
  expiresAt: number;
}

/**
 * Signs and reads the states of one web app. Nothing is stored when a login starts: the state is
 * `nonce | expiry | HMAC(webAppId, nonce, expiry)`, and the cookie binds that state and `returnTo`
 * with another HMAC, so a cookie of another flow, another web app or another key never matches.
 * Pure and synchronous; `clock` is for tests.
 *
 * @example
 * const codec = new OAuthStateCodec({ webAppId: 'wxWeb', keys: port.deriveKeys(STATE_KEY_INFO), ttlMs: 600_000 });
 * const { state, cookie } = codec.issue('/account');
 * codec.readState(state);          // { nonce, expiresAt }
 * codec.readCookie(cookie, state); // { returnTo: '/account' }
 */
export class OAuthStateCodec {
  readonly #webAppId: string;
  /** One key per token signing key: the first signs, any verifies (key rotation). */
  readonly #keys: readonly Buffer[];
  readonly #ttlMs: number;
  readonly #clock: () => number;

  constructor(options: {
    webAppId: string;
    /** Derived from the token signing keys (`AuthPort.deriveKeys(STATE_KEY_INFO)`), so every instance agrees. */
    keys: readonly Buffer[];
    ttlMs: number;
    clock?: () => number;
  }) {
    if (options.keys.length === 0) throw new TypeError('express-wx-login: no key to sign OAuth states');
    this.#webAppId = options.webAppId;
    this.#keys = options.keys;
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock ?? Date.now;
  }

  /** True when `state` has the shape this class issues (checked before anything else). */
  static wellFormed(state: string): boolean {
    return STATE_PATTERN.test(state);
  }

  /** A fresh state and its cookie for `returnTo` (a path already checked by `safeReturnPath`). */
  issue(returnTo: string): IssuedState {
    const nonce = randomBytes(NONCE_HEX / 2).toString('hex');
    const expiresAt = this.#clock() + this.#ttlMs;
    const body = nonce + expiresAt.toString(16).padStart(EXPIRY_HEX, '0');
    const state = body + this.#stateMac(this.#keys[0]!, body);
    const encoded = Buffer.from(returnTo, 'utf8').toString('base64url');
    const cookie = `${state}.${encoded}.${this.#cookieMac(this.#keys[0]!, state, encoded)}`;
    return { state, cookie, expiresAt };
  }

  /** The nonce and expiry of a state this web app signed (with any current key); else `undefined`. */
  readState(state: string): SignedState | undefined {
    if (!OAuthStateCodec.wellFormed(state)) return undefined;
    const body = state.slice(0, NONCE_HEX + EXPIRY_HEX);
    const mac = state.slice(NONCE_HEX + EXPIRY_HEX);
    if (!this.#keys.some((key) => equal(mac, this.#stateMac(key, body)))) return undefined;
    return {
      nonce: state.slice(0, NONCE_HEX),
      expiresAt: Number.parseInt(state.slice(NONCE_HEX, NONCE_HEX + EXPIRY_HEX), 16),
    };
  }

  /**
   * The returnTo of `cookie` when it was issued with `state` by this web app (with any current key);
   * `undefined` for a cookie of another flow, another web app, another key, or a tampered one.
   */
  readCookie(cookie: string, state: string): { returnTo: string } | undefined {
    if (cookie.length > MAX_COOKIE_LENGTH) return undefined;
    const parts = cookie.split('.');
    if (parts.length !== 3) return undefined;
    const [cookieState, encoded, mac] = parts as [string, string, string];
    if (!equal(cookieState, state)) return undefined;
    if (!this.#keys.some((key) => equal(mac, this.#cookieMac(key, state, encoded)))) return undefined;
    // Signed by us, so safe already; checked again so that a bug elsewhere cannot become a redirect.
    return { returnTo: safeReturnPath(Buffer.from(encoded, 'base64url').toString('utf8')) ?? '/' };
  }

  /** True once `expiresAt` has passed. */
  expired(expiresAt: number): boolean {
    return this.#clock() >= expiresAt;
  }

  // Distinct labels: a state MAC can never pass as a cookie MAC or the other way round.
  #stateMac(key: Buffer, body: string): string {
    return hmac(key, `state\n${this.#webAppId}\n${body}`).subarray(0, 16).toString('hex');
  }

  #cookieMac(key: Buffer, state: string, encodedReturnTo: string): string {
    return hmac(key, `cookie\n${this.#webAppId}\n${state}\n${encodedReturnTo}`).toString('base64url');
  }
}

/**
 * Single use of states, claimed when a callback arrives: one atomic `add` of the nonce, kept until
 * the state has expired everywhere. Store key, for operators:
 * `<prefix><mini-program appId>:oauth-nonce:<web appId>:<nonce>`, value `1`. A store that says it
 * lives in this process (`shared: false`, like MemoryStore) is not written: the nonces go to a
 * bounded pool of their own beside it, never competing with sessions for its entries.
 *
 * @example
 * const nonces = new OAuthNonces({ store, namespace: 'wxMini', webAppId: 'wxWeb' });
 * await nonces.claim(signed); // true the first time, false for ever after
 */
export class OAuthNonces {
  readonly #store: SessionStore;
  readonly #prefix: string;
  readonly #logger: WxLogger | undefined;
  readonly #clock: () => number;

  constructor(options: {
    store: SessionStore;
    namespace: string;
    webAppId: string;
    logger?: WxLogger | undefined;
    clock?: () => number;
  }) {
    this.#store = options.store;
    this.#prefix = `${options.namespace}:oauth-nonce:${options.webAppId}:`;
    this.#logger = options.logger;
    this.#clock = options.clock ?? Date.now;
  }

  /** True for the first claim of `state`'s nonce; of concurrent claims, exactly one wins. */
  async claim(state: SignedState): Promise<boolean> {
    // An instance whose clock runs behind still accepts the state a little longer: outlive that.
    const ttlMs = Math.max(1, state.expiresAt - this.#clock()) + CLAIM_MARGIN_MS;
    if (this.#store.shared === false) {
      let pool = localClaims.get(this.#store);
      if (!pool) {
        pool = new LRUCache<string, true>({ max: LOCAL_CLAIMS, ttlAutopurge: false, allowStale: false });
        localClaims.set(this.#store, pool);
      }
      const key = this.#prefix + state.nonce;
      if (pool.has(key)) return false;
      pool.set(key, true, { ttl: ttlMs });
      return true;
    }
    return callStore(this.#logger, 'claim oauth state', () =>
      this.#store.add(this.#prefix + state.nonce, 1, ttlMs),
    );
  }
}

function hmac(key: Buffer, message: string): Buffer {
  return createHmac('sha256', key).update(message, 'utf8').digest();
}

/** Constant-time comparison of two ASCII strings. */
function equal(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
