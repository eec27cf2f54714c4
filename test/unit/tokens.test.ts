// TokenService without HTTP: the named attacks one by one, the verified-token cache, and the
// spellings of base64url that jose reads but we refuse.

import { createHmac } from 'node:crypto';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { isCanonicalBase64url } from '../../src/core/hs256-verify.js';
import { TokenService } from '../../src/core/tokens.js';

const AUD = 'wx_unit_app';
const SECRET = 'unit-token-secret-0123456789-abcdefghijk';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function forge(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

function claims(change: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'oUnit',
    sid: 'sid1',
    aud: AUD,
    iss: 'express-wx-login',
    iat: now,
    exp: now + 600,
    ...change,
  };
}

function codeOf(service: TokenService, token: string): string {
  try {
    service.verifyNow(token);
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('TokenService.verifyNow', () => {
  const service = new TokenService(AUD, [{ secret: SECRET }], { cacheBytes: 0 });

  it('accepts its own tokens synchronously and returns the claims', async () => {
    const token = await service.sign({ openid: 'oA', sid: 's1', issuedAt: 1, expiresAt: 4_000_000_000 });
    expect(service.verifyNow(token)).toEqual({ sub: 'oA', sid: 's1', aud: AUD, iat: 1, exp: 4_000_000_000 });
  });

  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64(claims())}.`],
    ['RS256 claimed, HMAC-signed with our secret', forge(claims(), { alg: 'RS256' })],
    ['an unknown kid', forge(claims(), { alg: 'HS256', kid: 'k9' })],
    ['crit exp', forge(claims(), { alg: 'HS256', crit: ['exp'] })],
    ['crit b64 with b64 true', forge(claims(), { alg: 'HS256', crit: ['b64'], b64: true })],
    ['another audience', forge(claims({ aud: 'wx_other' }))],
    ['another issuer', forge(claims({ iss: 'x' }))],
    ['nbf 60 s ahead', forge(claims({ nbf: Math.floor(Date.now() / 1000) + 60 }))],
    ['no sid', forge(claims({ sid: undefined }))],
    ['a numeric sub', forge(claims({ sub: 1 }))],
  ])('refuses %s as WX_TOKEN_INVALID', (_name, token) => {
    expect(codeOf(service, token)).toBe('WX_TOKEN_INVALID');
  });

  it('says expired only past the 30 s skew, and of an otherwise valid token', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(codeOf(service, forge(claims({ exp: now - 20 })))).toBe('ok');
    expect(codeOf(service, forge(claims({ exp: now - 31 })))).toBe('WX_TOKEN_EXPIRED');
    expect(codeOf(service, forge(claims({ exp: now - 31, aud: 'x' })))).toBe('WX_TOKEN_INVALID');
  });

  it('accepts an iat in the future, as jose does', () => {
    expect(codeOf(service, forge(claims({ iat: Math.floor(Date.now() / 1000) + 86_400 })))).toBe('ok');
  });

  it('refuses a padded or re-spelled signature that jose would take', async () => {
    const token = forge(claims());
    const last = token.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = alphabet.indexOf(last);
    const respelled = `${token.slice(0, -1)}${alphabet[(i & ~3) | ((i + 1) & 3)]}`;
    for (const variant of [`${token}=`, respelled]) {
      // The reason for the check: the same signature bytes, another token text.
      await expect(jwtVerify(variant, Buffer.from(SECRET), { algorithms: ['HS256'] })).resolves.toBeDefined();
      expect(codeOf(service, variant)).toBe('WX_TOKEN_INVALID');
    }
  });
});

describe('the verified-token cache', () => {
  it('caches a token when it is verified a second time, not the first', () => {
    const service = new TokenService(AUD, [{ secret: SECRET }]);
    const token = forge(claims());
    expect(codeOf(service, token)).toBe('ok');
    expect(service.cacheStats).toMatchObject({ hits: 0, misses: 1, entries: 0 });
    expect(codeOf(service, token)).toBe('ok');
    expect(service.cacheStats).toMatchObject({ hits: 0, misses: 2, entries: 1 });
    expect(codeOf(service, token)).toBe('ok');
    expect(service.cacheStats).toMatchObject({ hits: 1, misses: 2, entries: 1 });
  });

  it('keeps no token that is verified once, however many there are', () => {
    const service = new TokenService(AUD, [{ secret: SECRET }]);
    for (let i = 0; i < 5_000; i++) expect(codeOf(service, forge(claims({ sid: `once-${i}` })))).toBe('ok');
    // A few tag collisions may admit a token early; one in a thousand would be a broken table.
    expect(service.cacheStats.entries).toBeLessThan(5);
  });

  it('answers the exact token only: a tampered copy is verified again and refused', () => {
    const service = new TokenService(AUD, [{ secret: SECRET }]);
    const token = forge(claims());
    expect(codeOf(service, token)).toBe('ok');
    expect(codeOf(service, token)).toBe('ok');
    expect(service.cacheStats.entries).toBe(1);
    const [h, p, s] = token.split('.') as [string, string, string];
    const other = b64({ ...claims(), sub: 'oMallory' });
    expect(codeOf(service, `${h}.${other}.${s}`)).toBe('WX_TOKEN_INVALID');
    expect(codeOf(service, `${h}.${p}.${s}`)).toBe('ok');
  });

  it('stays within its byte bound', () => {
    const service = new TokenService(AUD, [{ secret: SECRET }], { cacheBytes: 10_000 });
    for (let i = 0; i < 200; i++) {
      const token = forge(claims({ sid: `sid-${i}` }));
      service.verifyNow(token);
      service.verifyNow(token);
    }
    expect(service.cacheStats.bytes).toBeLessThanOrEqual(10_000);
    expect(service.cacheStats.entries).toBeGreaterThan(5);
    expect(service.cacheStats.entries).toBeLessThan(200);
  });
});

describe('isCanonicalBase64url', () => {
  it.each([
    ['', true],
    ['AQ', true],
    ['AR', false],
    ['AQ==', false],
    ['AQI', true],
    ['AQJ', false],
    ['A', false],
    ['a+b/', false],
    ['ab c', false],
  ])('%j -> %s', (text, expected) => {
    expect(isCanonicalBase64url(text)).toBe(expected);
  });
});
