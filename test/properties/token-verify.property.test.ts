// The fast HS256 verifier (node:crypto) against jose's jwtVerify, the reference it replaced: on
// generated tokens, attacks of the hardening suite included, both accept or refuse alike.

import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { errors as joseErrors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isCanonicalBase64url } from '../../src/core/hs256-verify.js';
import { TokenService } from '../../src/core/tokens.js';
import { isWxLoginError } from '../../src/errors.js';

const AUD = 'wx_prop_app';
const ISS = 'express-wx-login';
const NOW = 1_900_000_000;
const KEYS = [
  { kid: 'k2', secret: 'prop-current-secret-0123456789-abcdefgh' },
  { kid: 'k1', secret: 'prop-previous-secret-0123456789-abcdefg' },
];
const NO_KID = [{ secret: 'prop-lone-secret-0123456789-abcdefghijk' }];
const OTHER_SECRET = 'someone-elses-secret-0123456789-abcdefgh';

type Outcome = { ok: true; claims: unknown } | { ok: false; code: string };

/** The verification as it was, with jose, turned into the same outcome shape. */
async function reference(token: string, keys: { kid?: string; secret: string }[]): Promise<Outcome> {
  const prepared = keys.map((k) => ({ kid: k.kid, key: createSecretKey(Buffer.from(k.secret, 'utf8')) }));
  try {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      (header): KeyObject => {
        const match = prepared.find((k) => k.kid === header.kid);
        if (!match) throw new Error('unknown kid');
        return match.key;
      },
      {
        algorithms: ['HS256'],
        audience: AUD,
        issuer: ISS,
        clockTolerance: 30,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
      },
    );
    if (protectedHeader.crit !== undefined) return { ok: false, code: 'WX_TOKEN_INVALID' };
    const { sub, sid, iat, exp } = payload;
    if (
      typeof sub !== 'string' ||
      typeof sid !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number'
    )
      return { ok: false, code: 'WX_TOKEN_INVALID' };
    return { ok: true, claims: { sub, sid, aud: AUD, iat, exp } };
  } catch (err) {
    return {
      ok: false,
      code: err instanceof joseErrors.JWTExpired ? 'WX_TOKEN_EXPIRED' : 'WX_TOKEN_INVALID',
    };
  }
}

function fast(service: TokenService, token: string): Outcome {
  try {
    return { ok: true, claims: service.verifyNow(token) };
  } catch (err) {
    if (!isWxLoginError(err)) throw err;
    return { ok: false, code: err.code };
  }
}

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64url');

/** A JSON text of a header: mostly ours, often with one of the known tricks. */
const header = (valid: object[]) =>
  fc
    .oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(...valid),
      },
      {
        weight: 1,
        arbitrary: fc.record(
          {
            alg: fc.constantFrom(
              'HS256',
              'none',
              'None',
              'RS256',
              'ES256',
              'PS256',
              'HS512',
              'hs256',
              '',
              256,
              null,
            ),
            typ: fc.constantFrom('JWT', 'jwt', 'at+jwt', 'JOSE', 7),
            kid: fc.constantFrom('k1', 'k2', 'k3', '', 'K2', 2, null, ['k2'], '../k2'),
            crit: fc.constantFrom(['b64'], ['exp'], [], 'b64', ['b64', 'b64'], [''], ['b64', 'kid'], null),
            b64: fc.constantFrom(true, false, 'true', null),
            jku: fc.constant('https://attacker.example/jwks.json'),
            jwk: fc.constant({ kty: 'oct', k: b64(OTHER_SECRET) }),
          },
          { requiredKeys: [] },
        ),
      },
    )
    .map((h) => JSON.stringify(h));

/** A claim set around NOW: a valid one with a few fields changed (skew boundaries, wrong aud/iss/types). */
const claims = fc
  .record(
    {
      sub: fc.constantFrom('', 7, null, ['x']),
      sid: fc.constantFrom('', 0, null, { a: 1 }),
      aud: fc.constantFrom('wx_other_app', [AUD], ['x', AUD], ['x'], [], `${AUD} `, null),
      iss: fc.constantFrom('Express-Wx-Login', '', null, [ISS]),
      iat: fc.oneof(
        fc.integer({ min: NOW - 10 * 86400, max: NOW + 10 * 86400 }),
        fc.constantFrom('1', null, NOW + 0.5, 1e300),
      ),
      exp: fc.oneof(
        fc.integer({ min: NOW - 40, max: NOW + 40 }),
        fc.integer({ min: NOW - 86400 * 30, max: NOW + 86400 * 30 }),
        fc.constantFrom(`${NOW + 60}`, null, NOW - 30, NOW - 29, NOW - 30.5, -1, 0),
      ),
      nbf: fc.oneof(
        fc.integer({ min: NOW - 10, max: NOW + 50 }),
        fc.constantFrom('0', null, NOW + 30, NOW + 31),
      ),
      jti: fc.string({ maxLength: 8 }),
    },
    { requiredKeys: [] },
  )
  .chain((changes) =>
    fc
      .tuple(
        fc.subarray(Object.keys(changes), { maxLength: Math.min(2, Object.keys(changes).length) }),
        // Half of the otherwise valid tokens are near or past the end of the skew.
        fc.oneof(fc.constant(NOW + 3600), fc.integer({ min: NOW - 600, max: NOW + 5 })),
      )
      .map(([picked, baseExp]) => {
        const base: Record<string, unknown> = {
          sub: 'oProp0000UserAbCdEfGhIjKlMn',
          sid: 'c2Vzc2lvbi1pZC0wMDAx',
          aud: AUD,
          iss: ISS,
          iat: NOW - 60,
          exp: baseExp,
        };
        for (const k of picked) base[k] = (changes as Record<string, unknown>)[k];
        // Some cases drop a required claim instead of changing it.
        if (picked.includes('jti')) delete base[picked[0] === 'jti' ? 'sub' : (picked[0] as string)];
        return JSON.stringify(base);
      }),
  );

/** Payloads that are not a claim object at all, or not UTF-8. */
const oddPayload = fc.constantFrom(
  '[]',
  '7',
  '"sub"',
  'null',
  '{"sub":"a"',
  '\uFEFF{"sub":"oProp","sid":"s","aud":"wx_prop_app","iss":"express-wx-login","iat":1,"exp":9999999999}',
  `{"sub":"oProp","sid":"s","aud":"wx_prop_app","iss":"express-wx-login","iat":1,"exp":9999999999,"__proto__":{"x":1}}`,
  '{"sub":"oProp","sid":"s","aud":"wx_prop_app","iss":"express-wx-login","iat":1,"exp":1e999}',
);

/** How the token is signed: with a key the service knows, another key, or not at all. */
const signer = fc.oneof(
  { weight: 3, arbitrary: fc.constant('right') },
  { weight: 1, arbitrary: fc.constantFrom('k2', 'k1', 'lone', 'other', 'empty', 'truncated') },
);

/** What is done to the finished token: nothing mostly, else one known tampering. */
const tamper = fc.oneof(
  { weight: 3, arbitrary: fc.constant('none') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'pad-signature',
      'pad-payload',
      'pad-header',
      'respell-signature',
      'flip-signature',
      'flip-payload',
      'flip-header',
      'extra-dot',
      'drop-signature',
      'base64-alphabet',
      'whitespace',
      'swap-header',
    ),
  },
);

/** The secret the service holds for the header's kid ("right"), or a chosen one. */
function secretFor(which: string, headerJson: string): string {
  if (which === 'right') {
    const kid = (JSON.parse(headerJson) as { kid?: unknown }).kid;
    return kid === 'k1' ? KEYS[1]!.secret : kid === undefined ? NO_KID[0]!.secret : KEYS[0]!.secret;
  }
  if (which === 'k2') return KEYS[0]!.secret;
  if (which === 'k1') return KEYS[1]!.secret;
  if (which === 'lone') return NO_KID[0]!.secret;
  return OTHER_SECRET;
}

function build(headerJson: string, payloadJson: string, which: string, how: string, payloadBytes?: Buffer) {
  const input = `${b64(headerJson)}.${payloadBytes ? b64(payloadBytes) : b64(payloadJson)}`;
  let sig = createHmac('sha256', secretFor(which, headerJson)).update(input).digest('base64url');
  if (which === 'empty') sig = '';
  if (which === 'truncated') sig = sig.slice(0, 40);
  const [h, p] = input.split('.') as [string, string];
  const flip = (s: string) =>
    s.length === 0 ? 'A' : `${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`;
  // The last character of a 43-character signature holds 2 spare bits: another spelling of it.
  const respell = (s: string) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = alphabet.indexOf(s.at(-1) ?? 'A');
    return `${s.slice(0, -1)}${alphabet[(i & ~3) | ((i + 1) & 3)]}`;
  };
  switch (how) {
    case 'pad-signature':
      return `${h}.${p}.${sig}=`;
    case 'pad-payload':
      return `${h}.${p}${'='.repeat((4 - (p.length % 4)) % 4 || 4)}.${sig}`;
    case 'pad-header':
      return `${h}==.${p}.${sig}`;
    case 'respell-signature':
      return `${h}.${p}.${respell(sig)}`;
    case 'flip-signature':
      return `${h}.${p}.${flip(sig)}`;
    case 'flip-payload':
      return `${h}.${flip(p)}.${sig}`;
    case 'flip-header':
      return `${flip(h)}.${p}.${sig}`;
    case 'extra-dot':
      return `${h}.${p}.${sig}.`;
    case 'drop-signature':
      return `${h}.${p}.`;
    case 'base64-alphabet':
      return `${h}.${p}.${sig.replaceAll('-', '+').replaceAll('_', '/')}`;
    case 'whitespace':
      return `${h}.${p}.${sig.slice(0, 4)} ${sig.slice(4)}`;
    case 'swap-header':
      return `${b64('{"alg":"none","typ":"JWT"}')}.${p}.${sig}`;
    default:
      return `${h}.${p}.${sig}`;
  }
}

describe('fast HS256 verifier vs jose jwtVerify', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW * 1000 + 500);
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  // A service with kids and one without: an absent kid matches only a key without one.
  const cases = [
    {
      keys: KEYS,
      name: 'two keys with kids',
      headers: [
        { alg: 'HS256', typ: 'JWT', kid: 'k2' },
        { alg: 'HS256', kid: 'k1' },
        { alg: 'HS256', typ: 'JWT' },
      ],
    },
    {
      keys: NO_KID,
      name: 'one key without kid',
      headers: [{ alg: 'HS256', typ: 'JWT' }, { alg: 'HS256' }, { alg: 'HS256', kid: 'k2' }],
    },
  ];

  for (const { keys, name, headers } of cases) {
    it(`agrees on generated tokens (${name})`, async () => {
      const service = new TokenService(AUD, keys);
      let accepted = 0;
      let expired = 0;
      let stricter = 0;
      await fc.assert(
        fc.asyncProperty(
          header(headers),
          fc.oneof({ weight: 5, arbitrary: claims }, { weight: 1, arbitrary: oddPayload }),
          signer,
          tamper,
          fc.boolean(),
          async (h, p, which, how, badUtf8) => {
            const payloadBytes = badUtf8 && how === 'none' ? Buffer.from([0x7b, 0xff, 0x7d]) : undefined;
            const token = build(h, p, which, how, payloadBytes);
            const expected = await reference(token, keys);
            const got = fast(service, token);
            // The cached path answers as the first call did.
            expect(fast(service, token)).toEqual(got);
            const canonical = token.split('.').every((s) => isCanonicalBase64url(s));
            if (canonical) {
              expect(got).toEqual(expected);
            } else {
              // The one intended difference: jose (atob) also reads padded or re-spelled
              // base64url; we refuse it, whatever jose says.
              expect(got).toEqual({ ok: false, code: 'WX_TOKEN_INVALID' });
              if (expected.ok) stricter++;
            }
            if (got.ok) accepted++;
            else if (got.code === 'WX_TOKEN_EXPIRED') expired++;
          },
        ),
        { numRuns: 3000 },
      );
      // The generator must reach every outcome, or the property proves little.
      expect(accepted).toBeGreaterThan(30);
      expect(expired).toBeGreaterThan(10);
      expect(stricter).toBeGreaterThan(0);
    });
  }

  it('agrees on tokens the service signs itself, and accepts them', async () => {
    for (const keys of [KEYS, NO_KID]) {
      const service = new TokenService(AUD, keys);
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 40 }),
          fc.string({ minLength: 1, maxLength: 40 }),
          fc.integer({ min: NOW - 120, max: NOW + 86400 }),
          async (openid, sid, expiresAt) => {
            const token = await service.sign({ openid, sid, issuedAt: NOW, expiresAt });
            const got = fast(service, token);
            expect(got).toEqual(await reference(token, keys));
            expect(got.ok).toBe(expiresAt > NOW - 30);
          },
        ),
        { numRuns: 300 },
      );
    }
  });
});
