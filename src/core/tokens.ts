// Our own bearer tokens: HS256 JWTs signed with jose and verified synchronously with node:crypto
// (pinned algorithm, audience and issuer, `kid` rotation, no `crit`, 30 s skew). No secret inside.

import { webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { CLOCK_TOLERANCE_SECONDS, TOKEN_ISSUER } from '../constants.js';
import { WxLoginError } from '../errors.js';
import { Doorkeeper, textTag } from './doorkeeper.js';
import { Hs256Verifier } from './hs256-verify.js';
import type { SigningKey } from './options.js';

/** Room for the verified tokens of about 100,000 users (see tokenCacheEntryBytes). */
export const DEFAULT_TOKEN_CACHE_BYTES = 80 * 1024 * 1024;

/** The verified claims the package relies on. */
export interface TokenClaims {
  /** openid */
  sub: string;
  /** session id */
  sid: string;
  /** appId */
  aud: string;
  iat: number;
  exp: number;
}

/**
 * What one cached token costs in heap, roughly: the token text (its own key), the claims object
 * with its two strings, and lru-cache's slots. Measured in bench/ (heap per cached token).
 */
export function tokenCacheEntryBytes(token: string, claims: TokenClaims): number {
  // 400: the claims object, the token's string header and lru-cache's slots (about 790 B in all
  // for a 287-character token, bench/memory/cache-heap.ts).
  return 400 + token.length + 2 * (claims.sub.length + claims.sid.length);
}

/** tokenCacheEntryBytes() of one of our tokens (about 290 characters), to size the doorkeeper. */
const TYPICAL_TOKEN_ENTRY_BYTES = 790;

/**
 * Signs and verifies the package's tokens.
 *
 * @example
 * const tokens = new TokenService('wx123', [{ secret: process.env.WX_TOKEN_SECRET! }]);
 * const token = await tokens.sign({ openid, sid, issuedAt, expiresAt });
 * const claims = tokens.verifyNow(token); // throws WX_TOKEN_INVALID / WX_TOKEN_EXPIRED
 */
export class TokenService {
  readonly #audience: string;
  readonly #kid: string | undefined;
  /**
   * jose 6 turns a secret KeyObject back into bytes and imports it into WebCrypto on every sign
   * (and verify): imported once here as a CryptoKey, signing costs about half as much.
   */
  readonly #signingKey: Promise<webcrypto.CryptoKey> | undefined;
  readonly #verifier: Hs256Verifier;
  /**
   * Tokens verified already, keyed by their whole text (so a hit is the exact token that was
   * verified), bounded by an estimate of the heap they take. A hit skips the HMAC and the JSON
   * parse, not the expiry check, nor the session lookup that revocation relies on.
   */
  readonly #verified: LRUCache<string, TokenClaims> | undefined;
  /** Tokens verified once: a token is cached when it is verified a second time. */
  readonly #door: Doorkeeper | undefined;
  #hits = 0;
  #misses = 0;

  constructor(audience: string, signingKeys: readonly SigningKey[], options: { cacheBytes?: number } = {}) {
    this.#audience = audience;
    const [current] = signingKeys;
    this.#kid = current?.kid;
    this.#signingKey = current
      ? webcrypto.subtle.importKey(
          'raw',
          Buffer.from(current.secret, 'utf8'),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign'],
        )
      : undefined;
    this.#verifier = new Hs256Verifier(
      signingKeys.map((k) => ({ kid: k.kid, secret: Buffer.from(k.secret, 'utf8') })),
      { audience, issuer: TOKEN_ISSUER, clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS },
    );
    const cacheBytes = options.cacheBytes ?? DEFAULT_TOKEN_CACHE_BYTES;
    this.#verified =
      cacheBytes > 0
        ? new LRUCache({
            maxSize: cacheBytes,
            sizeCalculation: (claims, token) => tokenCacheEntryBytes(token, claims),
          })
        : undefined;
    this.#door = cacheBytes > 0 ? new Doorkeeper(cacheBytes / TYPICAL_TOKEN_ENTRY_BYTES) : undefined;
  }

  async sign(input: { openid: string; sid: string; issuedAt: number; expiresAt: number }): Promise<string> {
    if (!this.#signingKey) throw new WxLoginError('WX_MISCONFIGURED', 'no signing key');
    const header =
      this.#kid === undefined ? { alg: 'HS256', typ: 'JWT' } : { alg: 'HS256', typ: 'JWT', kid: this.#kid };
    return new SignJWT({ sid: input.sid })
      .setProtectedHeader(header)
      .setSubject(input.openid)
      .setAudience(this.#audience)
      .setIssuer(TOKEN_ISSUER)
      .setIssuedAt(input.issuedAt)
      .setExpirationTime(input.expiresAt)
      .sign(await this.#signingKey);
  }

  /** The claims of a token verified before and not expired since; `undefined` when unknown. */
  verifyCached(token: string): TokenClaims | undefined {
    const cached = this.#verified?.get(token);
    if (cached === undefined) return undefined;
    if (cached.exp > Math.floor(Date.now() / 1000) - CLOCK_TOLERANCE_SECONDS) return cached;
    this.#verified?.delete(token);
    return undefined;
  }

  /**
   * Verifies a token synchronously (an HMAC, no I/O): the claims, or a thrown `WX_TOKEN_INVALID` /
   * `WX_TOKEN_EXPIRED`. Same decisions as jose's `jwtVerify` with the pinned options, except that
   * only canonical base64url is accepted (test/properties proves it on generated tokens).
   */
  verifyNow(token: string): TokenClaims {
    const cached = this.verifyCached(token);
    if (cached) {
      this.#hits++;
      return cached;
    }
    this.#misses++;
    const outcome = this.#verifier.verify(token, Math.floor(Date.now() / 1000));
    if (!outcome.ok) {
      throw outcome.reason === 'expired'
        ? new WxLoginError('WX_TOKEN_EXPIRED', 'the token has expired; log in again')
        : // The reason stays here: telling a client which check failed helps only an attacker.
          new WxLoginError('WX_TOKEN_INVALID', 'the token is invalid');
    }
    const claims: TokenClaims = { ...outcome.claims, aud: this.#audience };
    // The signature is random: six characters of it, before the last (which holds only 4 bits).
    if (this.#door?.seenBefore(textTag(token, token.length - 7, token.length - 1)))
      this.#verified?.set(token, claims);
    return claims;
  }

  /** `verifyNow()` as a promise, for callers that await anyway. */
  async verify(token: string): Promise<TokenClaims> {
    return this.verifyNow(token);
  }

  /** Cache hits and misses of verifyNow() since start, tokens held and their estimated heap. */
  get cacheStats(): { hits: number; misses: number; entries: number; bytes: number } {
    return {
      hits: this.#hits,
      misses: this.#misses,
      entries: this.#verified?.size ?? 0,
      bytes: this.#verified?.calculatedSize ?? 0,
    };
  }
}
