// The package's HS256 token check with node:crypto (createHmac + timingSafeEqual), synchronous and
// about ten times cheaper than jose's jwtVerify, making exactly the decisions jose makes, in its order.

import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a verified token is known to carry. */
export interface VerifiedClaims {
  sub: string;
  sid: string;
  iat: number;
  exp: number;
}

/** One accepted signing key: `kid` as in the token header (absent when the key has none). */
export interface VerifyKey {
  kid: string | undefined;
  secret: Buffer;
}

/** What the header of a token decided, shared by every token with the same header text. */
interface HeaderVerdict {
  key: VerifyKey;
  /** A `crit` jose accepts (only `["b64"]` with `b64: true`): refused after the expiry check, as before. */
  crit: boolean;
}

/**
 * The outcome of a check: the claims, or why not. `expired` only for a token that is otherwise
 * valid in every way jose checks before `exp`, so that "log in again" is never said of a forgery.
 */
export type VerifyOutcome =
  | { ok: true; claims: VerifiedClaims }
  | { ok: false; reason: 'invalid' | 'expired'; message: string };

/** The checks the contract pins. */
export interface VerifyPolicy {
  audience: string;
  issuer: string;
  clockToleranceSeconds: number;
}

// jose decodes with a fatal UTF-8 decoder that drops a leading BOM; so do we.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const SIGNATURE_BYTES = 32;
const HEADER_CACHE_MAX = 16;

/** The value of each base64url character, -1 for anything else. */
const B64URL = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) {
  B64URL[c.charCodeAt(0)] = i;
}

/**
 * True for the one canonical unpadded base64url text of some bytes: only the 64 characters, no
 * `=`, a length that is not 1 modulo 4, and zero bits after the last byte. jose (through `atob`)
 * also takes padding and non-zero spare bits, so a signature could be re-spelled without the key;
 * our tokens never are, so we refuse them.
 *
 * @example
 * isCanonicalBase64url('AQ'); // true
 * isCanonicalBase64url('AR'); // false: decodes to the same byte as 'AQ'
 */
export function isCanonicalBase64url(text: string, from = 0, to = text.length): boolean {
  const length = to - from;
  if (length % 4 === 1) return false;
  let last = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    last = code < 128 ? (B64URL[code] as number) : -1;
    if (last < 0) return false;
  }
  const spare = length % 4 === 2 ? 0b1111 : length % 4 === 3 ? 0b11 : 0;
  return (last & spare) === 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A segment's JSON, or `undefined`: decoded as jose does (fatal UTF-8, BOM dropped), then parsed. */
function parseSegment(token: string, from: number, to: number): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(utf8.decode(Buffer.from(token.slice(from, to), 'base64url')));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function fail(reason: 'invalid' | 'expired', message: string): VerifyOutcome {
  return { ok: false, reason, message };
}

/**
 * Verifies HS256 compact JWTs against a fixed key set and policy. Header verdicts are cached by
 * header text (a handful of distinct headers exist: one per `kid`), never a failed one.
 *
 * @example
 * const verifier = new Hs256Verifier([{ kid: undefined, secret }], { audience: 'wx1', issuer: 'express-wx-login', clockToleranceSeconds: 30 });
 * const outcome = verifier.verify(token, Math.floor(Date.now() / 1000));
 */
export class Hs256Verifier {
  readonly #keys: readonly VerifyKey[];
  readonly #policy: VerifyPolicy;
  readonly #headers = new Map<string, HeaderVerdict>();

  constructor(keys: readonly VerifyKey[], policy: VerifyPolicy) {
    this.#keys = keys;
    this.#policy = policy;
  }

  /** `now`: Unix seconds, whole (jose floors the clock too). */
  verify(token: string, now: number): VerifyOutcome {
    // Compact serialization: exactly three segments.
    const firstDot = token.indexOf('.');
    const secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) return fail('invalid', 'not a compact JWT');
    if (
      !isCanonicalBase64url(token, 0, firstDot) ||
      !isCanonicalBase64url(token, firstDot + 1, secondDot) ||
      !isCanonicalBase64url(token, secondDot + 1)
    ) {
      return fail('invalid', 'not canonical base64url');
    }
    const headerText = token.slice(0, firstDot);
    let header = this.#headers.get(headerText);
    if (header === undefined) {
      const verdict = this.#judgeHeader(headerText);
      if (typeof verdict === 'string') return fail('invalid', verdict);
      header = verdict;
      if (this.#headers.size >= HEADER_CACHE_MAX) this.#headers.clear();
      this.#headers.set(headerText, header);
    }

    const signature = Buffer.from(token.slice(secondDot + 1), 'base64url');
    const expected = createHmac('sha256', header.key.secret).update(token.slice(0, secondDot)).digest();
    if (signature.length !== SIGNATURE_BYTES || !timingSafeEqual(signature, expected)) {
      return fail('invalid', 'signature mismatch');
    }

    const claims = parseSegment(token, firstDot + 1, secondDot);
    if (!claims) return fail('invalid', 'the claims are not a JSON object');
    // jose's order from here on: presence, iss, aud, iat, nbf, exp; then ours: crit, claim types.
    for (const name of ['sub', 'sid', 'iat', 'exp', 'aud', 'iss']) {
      if (!Object.hasOwn(claims, name)) return fail('invalid', `missing "${name}"`);
    }
    const policy = this.#policy;
    if (claims.iss !== policy.issuer) return fail('invalid', 'unexpected "iss"');
    const aud = claims.aud;
    if (!(aud === policy.audience || (Array.isArray(aud) && aud.includes(policy.audience)))) {
      return fail('invalid', 'unexpected "aud"');
    }
    const { iat, nbf, exp, sub, sid } = claims;
    if (typeof iat !== 'number') return fail('invalid', '"iat" must be a number');
    if (nbf !== undefined) {
      if (typeof nbf !== 'number') return fail('invalid', '"nbf" must be a number');
      if (nbf > now + policy.clockToleranceSeconds) return fail('invalid', 'not valid yet ("nbf")');
    }
    if (typeof exp !== 'number') return fail('invalid', '"exp" must be a number');
    if (exp <= now - policy.clockToleranceSeconds) return fail('expired', 'expired');
    if (header.crit) return fail('invalid', 'a "crit" header');
    if (typeof sub !== 'string' || typeof sid !== 'string') return fail('invalid', 'malformed claims');
    return { ok: true, claims: { sub, sid, iat, exp } };
  }

  /** The header's key, or why it is refused: jose's checks (crit, alg) then ours (kid). */
  #judgeHeader(headerText: string): HeaderVerdict | string {
    const header = parseSegment(headerText, 0, headerText.length);
    if (!header) return 'the header is not a JSON object';
    let crit = false;
    if (header.crit !== undefined) {
      // jose recognises one extension, b64; with b64: false the payload is not a JWT at all.
      const list = header.crit;
      if (!Array.isArray(list) || list.length === 0 || !list.every((p) => p === 'b64')) {
        return 'an unsupported "crit" header';
      }
      if (header.b64 !== true) return 'an unencoded payload';
      crit = true;
    }
    if (header.alg !== 'HS256') return 'an algorithm other than HS256';
    const key = this.#keys.find((k) => k.kid === header.kid);
    if (!key) return 'an unknown key';
    return { key, crit };
  }
}
