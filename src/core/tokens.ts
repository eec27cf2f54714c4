// Our own bearer tokens: HS256 JWTs signed and verified with jose, pinned algorithm, audience and
// issuer, `kid`-based key rotation, no `crit`, 30 s clock tolerance. They never carry a secret.

import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { WxLoginError } from '../errors.js';
import type { SigningKey } from './options.js';

export const TOKEN_ISSUER = 'express-wx-login';
const CLOCK_TOLERANCE_SECONDS = 30;

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

interface PreparedKey {
  kid: string | undefined;
  key: KeyObject;
}

/**
 * Signs and verifies the package's tokens.
 *
 * @example
 * const tokens = new TokenService('wx123', [{ secret: process.env.WX_TOKEN_SECRET! }]);
 * const token = await tokens.sign({ openid, sid, ttlSeconds: 3600 });
 * const claims = await tokens.verify(token); // throws WX_TOKEN_INVALID / WX_TOKEN_EXPIRED
 */
export class TokenService {
  readonly #audience: string;
  readonly #keys: PreparedKey[];
  /**
   * Tokens whose signature and claims were verified already, by their exact text. A hit skips
   * the HMAC (most of the cost of a request) but not the expiry check, nor the session lookup
   * that revocation relies on.
   */
  readonly #verified = new LRUCache<string, TokenClaims>({ max: 20_000 });

  constructor(audience: string, signingKeys: readonly SigningKey[]) {
    this.#audience = audience;
    // KeyObjects are imported once: jose would otherwise re-import a raw secret on every call.
    this.#keys = signingKeys.map((k) => ({
      kid: k.kid,
      key: createSecretKey(Buffer.from(k.secret, 'utf8')),
    }));
  }

  async sign(input: { openid: string; sid: string; issuedAt: number; expiresAt: number }): Promise<string> {
    const [current] = this.#keys;
    if (!current) throw new WxLoginError('WX_MISCONFIGURED', 'no signing key');
    const header =
      current.kid === undefined
        ? { alg: 'HS256', typ: 'JWT' }
        : { alg: 'HS256', typ: 'JWT', kid: current.kid };
    return new SignJWT({ sid: input.sid })
      .setProtectedHeader(header)
      .setSubject(input.openid)
      .setAudience(this.#audience)
      .setIssuer(TOKEN_ISSUER)
      .setIssuedAt(input.issuedAt)
      .setExpirationTime(input.expiresAt)
      .sign(current.key);
  }

  /** The claims of a token verified before and not expired since; `undefined` when unknown. */
  verifyCached(token: string): TokenClaims | undefined {
    const cached = this.#verified.get(token);
    if (cached === undefined) return undefined;
    if (cached.exp + CLOCK_TOLERANCE_SECONDS >= Date.now() / 1000) return cached;
    this.#verified.delete(token);
    return undefined;
  }

  async verify(token: string): Promise<TokenClaims> {
    const cached = this.verifyCached(token);
    if (cached) return cached;
    const claims = await this.#verifySignatureAndClaims(token);
    this.#verified.set(token, claims);
    return claims;
  }

  async #verifySignatureAndClaims(token: string): Promise<TokenClaims> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, (header) => this.#keyFor(header.kid), {
        algorithms: ['HS256'],
        audience: this.#audience,
        issuer: TOKEN_ISSUER,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      });
      if (protectedHeader.crit !== undefined) throw invalid('the token has a "crit" header');
      const { sub, sid, iat, exp } = payload;
      if (
        typeof sub !== 'string' ||
        typeof sid !== 'string' ||
        typeof iat !== 'number' ||
        typeof exp !== 'number'
      ) {
        throw invalid('the token claims are malformed');
      }
      return { sub, sid, aud: this.#audience, iat, exp };
    } catch (err) {
      if (err instanceof WxLoginError) throw err;
      if (err instanceof joseErrors.JWTExpired) {
        throw new WxLoginError('WX_TOKEN_EXPIRED', 'the token has expired; log in again');
      }
      throw invalid('the token is invalid');
    }
  }

  #keyFor(kid: string | undefined): KeyObject {
    const match = this.#keys.find((k) => k.kid === kid);
    if (!match) throw invalid('the token was signed with an unknown key');
    return match.key;
  }
}

function invalid(message: string): WxLoginError {
  return new WxLoginError('WX_TOKEN_INVALID', message);
}
