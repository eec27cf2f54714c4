// The OAuth `state` of web logins: unguessable, single use (one atomic compare-and-delete in the
// store), expiring, and bound to the browser that started the flow by an HMAC kept in a cookie.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { callStore } from '../core/store-call.js';
import type { WxLogger } from '../logger.js';
import type { SessionStore } from '../stores/types.js';

/** 32 random bytes in hex: WeChat takes only a-zA-Z0-9 in `state`, at most 128 bytes. */
const STATE_PATTERN = /^[0-9a-f]{64}$/;
/** Separates the binding keys from every other use of the token signing keys (HKDF info). */
export const BINDING_INFO = 'express-wx-login oauth-state binding v1';

/** What the start of a login leaves behind: the state for WeChat, the binding for the cookie. */
export interface IssuedState {
  state: string;
  /** base64url HMAC of the state: the browser's proof that it started this flow. */
  binding: string;
}

/** What a state was issued with. */
export interface StateEntry {
  returnTo: string;
}

/**
 * Issues and consumes the states of one web app. Store key, for operators:
 * `<prefix><mini-program appId>:oauth-state:<web appId>:<state>`, with a TTL of `ttlMs`.
 *
 * @example
 * const states = new OAuthStates({ store, namespace: 'wxMini', webAppId: 'wxWeb', keys: port.deriveKeys(BINDING_INFO), ttlMs: 600_000 });
 * const { state, binding } = await states.issue({ returnTo: '/' });
 * states.bindingMatches(state, binding); // true
 * await states.consume(state); // { returnTo: '/' }, then undefined for ever
 */
export class OAuthStates {
  readonly #store: SessionStore;
  readonly #prefix: string;
  readonly #webAppId: string;
  readonly #ttlMs: number;
  readonly #logger: WxLogger | undefined;
  /** One binding key per token signing key: the first signs, any verifies (key rotation). */
  readonly #keys: Buffer[];

  constructor(options: {
    store: SessionStore;
    namespace: string;
    webAppId: string;
    /** Binding keys derived from the token signing keys (`AuthPort.deriveKeys(BINDING_INFO)`). */
    keys: Buffer[];
    ttlMs: number;
    logger?: WxLogger | undefined;
  }) {
    this.#store = options.store;
    this.#prefix = `${options.namespace}:oauth-state:${options.webAppId}:`;
    this.#webAppId = options.webAppId;
    this.#ttlMs = options.ttlMs;
    this.#logger = options.logger;
    // Derived, not random per process: every instance behind the load balancer must agree.
    this.#keys = options.keys;
  }

  /** True when `state` has the shape this class issues (checked before any store read). */
  static wellFormed(state: string): boolean {
    return STATE_PATTERN.test(state);
  }

  /** Issues a fresh state and stores it, single use, until it expires. */
  async issue(entry: StateEntry): Promise<IssuedState> {
    const state = randomBytes(32).toString('hex');
    const value = JSON.stringify({ returnTo: entry.returnTo, expiresAt: Date.now() + this.#ttlMs });
    await callStore(this.#logger, 'set oauth state', () =>
      this.#store.set(this.#prefix + state, value, this.#ttlMs),
    );
    return { state, binding: this.#bind(this.#keys[0]!, state) };
  }

  /** Whether `binding` (from the cookie) was issued for `state`, in constant time. */
  bindingMatches(state: string, binding: string): boolean {
    const given = Buffer.from(binding, 'utf8');
    let match = false;
    for (const key of this.#keys) {
      const expected = Buffer.from(this.#bind(key, state), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) match = true;
    }
    return match;
  }

  /**
   * Uses the state up: its entry when it was issued, unexpired and unused; `undefined` otherwise.
   * Of two concurrent callbacks with the same state, exactly one gets the entry.
   */
  async consume(state: string): Promise<StateEntry | undefined> {
    if (!OAuthStates.wellFormed(state)) return undefined;
    const key = this.#prefix + state;
    const value = await callStore(this.#logger, 'get oauth state', () => this.#store.get(key));
    if (typeof value !== 'string') return undefined;
    const removed = await callStore(this.#logger, 'delete oauth state', () =>
      this.#store.deleteIfEquals(key, value),
    );
    if (!removed) return undefined;
    const parsed = parseEntry(value);
    // The store's TTL expires it too; this also covers a store whose expiry is coarse.
    return parsed && parsed.expiresAt > Date.now() ? { returnTo: parsed.returnTo } : undefined;
  }

  #bind(key: Buffer, state: string): string {
    return createHmac('sha256', key).update(`${this.#webAppId}\n${state}`).digest('base64url');
  }
}

function parseEntry(value: string): { returnTo: string; expiresAt: number } | undefined {
  try {
    const parsed = JSON.parse(value) as { returnTo?: unknown; expiresAt?: unknown };
    return typeof parsed.returnTo === 'string' && typeof parsed.expiresAt === 'number'
      ? { returnTo: parsed.returnTo, expiresAt: parsed.expiresAt }
      : undefined;
  } catch {
    return undefined;
  }
}
