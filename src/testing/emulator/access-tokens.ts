// The access_tokens the emulated WeChat hands out and accepts: /cgi-bin/token's (a new one per call,
// the previous one kept 5 minutes) and /cgi-bin/stable_token's (one per app, renewed 5 minutes
// early, force_refresh at most once per 30 s and 20 times a day), kept apart as WeChat keeps them.

import { newAccessToken } from './ids.js';

interface TokenRecord {
  value: string;
  appId: string;
  expiresAt: number;
  /** Set once a newer token replaced it: it keeps working until then (the 5-minute overlap). */
  replacedUntil?: number;
  revoked: boolean;
}

/** An issued token as the endpoints answer it. */
export interface IssuedToken {
  access_token: string;
  expires_in: number;
}

/** The check of a token given to an API: the app it belongs to, or WeChat's errcode. */
export type TokenCheck = { ok: true; appId: string } | { ok: false; errcode: number };

const OVERLAP_MS = 5 * 60_000;
const FORCE_MIN_INTERVAL_MS = 30_000;
const FORCE_PER_DAY = 20;
const DAY_MS = 24 * 3600_000;

/**
 * Issues and checks access_tokens.
 *
 * @example
 * const tokens = new AccessTokens(7200, Date.now);
 * const { access_token } = tokens.stable('wx123', false);
 * tokens.check(access_token); // { ok: true, appId: 'wx123' }
 */
export class AccessTokens {
  readonly #byValue = new Map<string, TokenRecord>();
  readonly #classic = new Map<string, TokenRecord>();
  readonly #stable = new Map<string, TokenRecord>();
  readonly #forcedAt = new Map<string, number[]>();
  readonly #waitLifted = new Set<string>();
  readonly #ttlMs: number;
  readonly #renewEarlyMs: number;
  readonly #now: () => number;

  constructor(ttlSeconds: number, now: () => number) {
    this.#ttlMs = ttlSeconds * 1000;
    // 300 s of 7200, as WeChat; scaled down for the short lifetimes tests use.
    this.#renewEarlyMs = Math.min(300, Math.floor(ttlSeconds / 24)) * 1000;
    this.#now = now;
  }

  /** `/cgi-bin/token`: always a new token; the previous one keeps working for 5 minutes at most. */
  classic(appId: string): IssuedToken {
    const now = this.#now();
    const previous = this.#classic.get(appId);
    if (previous) this.#replace(previous, now + OVERLAP_MS);
    return this.#answer(this.#issue(this.#classic, appId, now), now);
  }

  /**
   * `/cgi-bin/stable_token`: the same token while it has more than 5 minutes left (with the time it
   * has left), else a new one while the old one runs out. `force` replaces it at once, unless a
   * forced refresh happened less than 30 s ago or 20 times in a day: then WeChat does not refresh.
   */
  stable(appId: string, force: boolean): IssuedToken {
    const now = this.#now();
    const current = this.#stable.get(appId);
    if (force && this.#mayForce(appId, now)) {
      if (current) current.revoked = true;
      return this.#answer(this.#issue(this.#stable, appId, now), now);
    }
    if (current && current.expiresAt - now > this.#renewEarlyMs) return this.#answer(current, now);
    if (current) this.#replace(current, current.expiresAt);
    return this.#answer(this.#issue(this.#stable, appId, now), now);
  }

  /** 41001 missing, 40001 unknown, revoked or replaced past its overlap, 42001 expired. */
  check(value: string | undefined): TokenCheck {
    if (!value) return { ok: false, errcode: 41001 };
    const token = this.#byValue.get(value);
    const now = this.#now();
    if (!token || token.revoked) return { ok: false, errcode: 40001 };
    if (now >= token.expiresAt) return { ok: false, errcode: 42001 };
    if (token.replacedUntil !== undefined && now >= token.replacedUntil) return { ok: false, errcode: 40001 };
    return { ok: true, appId: token.appId };
  }

  /**
   * Makes every token issued so far fail with 40001. stable_token's normal mode still hands back
   * its current token until it runs out or a forced refresh: the worst case a client must survive.
   * The 30-second wait between forced refreshes is lifted, so that one forced refresh always
   * recovers (the daily limit still counts).
   */
  revokeAll(): void {
    for (const token of this.#byValue.values()) token.revoked = true;
    for (const appId of this.#forcedAt.keys()) this.#waitLifted.add(appId);
  }

  #mayForce(appId: string, now: number): boolean {
    const recent = (this.#forcedAt.get(appId) ?? []).filter((at) => now - at < DAY_MS);
    const last = recent.at(-1);
    const waited = last === undefined || now - last >= FORCE_MIN_INTERVAL_MS || this.#waitLifted.has(appId);
    const allowed = recent.length < FORCE_PER_DAY && waited;
    if (allowed) {
      recent.push(now);
      this.#waitLifted.delete(appId);
    }
    this.#forcedAt.set(appId, recent);
    return allowed;
  }

  #replace(token: TokenRecord, until: number): void {
    token.replacedUntil = Math.min(token.replacedUntil ?? Number.POSITIVE_INFINITY, until);
  }

  #issue(current: Map<string, TokenRecord>, appId: string, now: number): TokenRecord {
    const token: TokenRecord = {
      value: newAccessToken(),
      appId,
      expiresAt: now + this.#ttlMs,
      revoked: false,
    };
    this.#byValue.set(token.value, token);
    current.set(appId, token);
    return token;
  }

  // One clock reading per call: a fresh token says exactly its lifetime, as WeChat's do.
  #answer(token: TokenRecord, now: number): IssuedToken {
    return { access_token: token.value, expires_in: Math.floor((token.expiresAt - now) / 1000) };
  }
}
