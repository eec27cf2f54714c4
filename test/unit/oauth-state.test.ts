// The web login's state codec and its single use: signed states and cookies refused when tampered
// with, expired, of another web app or key; key rotation; the nonce claimed once at the callback.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveKeys } from '../../src/core/auth-port.js';
import { safeReturnPath } from '../../src/oauth/return-to.js';
import { OAuthNonces, OAuthStateCodec, STATE_KEY_INFO } from '../../src/oauth/state.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { services } from '../helpers/services/index.js';

const K1 = deriveKeys([{ secret: 'first-token-secret-0123456789-abcdefgh' }], STATE_KEY_INFO);
const K2 = deriveKeys([{ secret: 'second-token-secret-0123456789-abcdefg' }], STATE_KEY_INFO);
const TTL = 600_000;

function codec(options: { webAppId?: string; keys?: Buffer[]; now?: () => number } = {}) {
  return new OAuthStateCodec({
    webAppId: options.webAppId ?? 'wxWebApp',
    keys: options.keys ?? K1,
    ttlMs: TTL,
    ...(options.now ? { clock: options.now } : {}),
  });
}

/** `text` with the character at `i` replaced by another of the same alphabet. */
function flip(text: string, i: number): string {
  const c = text[i]!;
  const other = c === '0' ? '1' : c === 'A' ? 'B' : '0';
  return text.slice(0, i) + other + text.slice(i + 1);
}

describe('issue and read', () => {
  it('issues a state WeChat accepts and a cookie that gives back returnTo', () => {
    const now = 1_800_000_000_000;
    const c = codec({ now: () => now });
    const { state, cookie, expiresAt } = c.issue('/orders?id=7');
    expect(state).toMatch(/^[a-zA-Z0-9]{1,128}$/);
    expect(state).toHaveLength(76);
    expect(expiresAt).toBe(now + TTL);
    expect(c.readState(state)).toEqual({ nonce: state.slice(0, 32), expiresAt });
    expect(c.readCookie(cookie, state)).toEqual({ returnTo: '/orders?id=7' });
    expect(cookie.startsWith(`${state}.`)).toBe(true);
  });

  it('never issues the same nonce twice', () => {
    const c = codec();
    const nonces = new Set(Array.from({ length: 1000 }, () => c.readState(c.issue('/').state)?.nonce));
    expect(nonces.size).toBe(1000);
  });

  it('carries the longest returnTo (512 bytes) in a cookie well under the 4 kB browsers keep', () => {
    const longest = `/${'a'.repeat(511)}`;
    expect(safeReturnPath(longest)).toBe(longest);
    const c = codec();
    const { state, cookie } = c.issue(longest);
    expect(cookie.length).toBeLessThan(1024);
    expect(c.readCookie(cookie, state)).toEqual({ returnTo: longest });
  });

  it('refuses a returnTo over 512 bytes, also when only its encoded form is', () => {
    expect(safeReturnPath(`/${'a'.repeat(512)}`)).toBeUndefined();
    // 200 CJK characters: 200 characters asked for, 1,800 once percent-encoded.
    expect(safeReturnPath(`/${'客'.repeat(200)}`)).toBeUndefined();
    expect(safeReturnPath(`/${'客'.repeat(50)}`)).toBe(`/${'%E5%AE%A2'.repeat(50)}`);
  });
});

describe('tampering', () => {
  const c = codec();
  const { state, cookie } = c.issue('/account');

  it('refuses a state with any character changed: nonce, expiry or MAC', () => {
    for (const i of [0, 31, 32, 43, 44, 75]) expect(c.readState(flip(state, i))).toBeUndefined();
  });

  it('refuses states of another shape: too short, too long, upper case, the 64-hex states of 0.1', () => {
    for (const bad of [
      state.slice(0, -1),
      `${state}0`,
      state.toUpperCase(),
      randomBytes(32).toString('hex'),
      '',
    ]) {
      expect(OAuthStateCodec.wellFormed(bad)).toBe(false);
      expect(c.readState(bad)).toBeUndefined();
    }
  });

  it('refuses a cookie with its state, returnTo or MAC changed, or parts added', () => {
    const [s, r, m] = cookie.split('.') as [string, string, string];
    const otherReturnTo = Buffer.from('//evil.com', 'utf8').toString('base64url');
    for (const bad of [
      `${flip(s, 10)}.${r}.${m}`,
      `${s}.${otherReturnTo}.${m}`,
      `${s}.${flip(r, 2)}.${m}`,
      `${s}.${r}.${flip(m, 5)}`,
      `${s}.${r}`,
      `${s}.${r}.${m}.x`,
      `${s}..${m}`,
      'garbage',
      `${cookie}${'A'.repeat(1024)}`,
    ]) {
      expect(c.readCookie(bad, state)).toBeUndefined();
    }
  });

  it('refuses the cookie of another flow (another state) in this browser', () => {
    const other = c.issue('/account');
    expect(c.readCookie(other.cookie, state)).toBeUndefined();
    expect(c.readCookie(cookie, other.state)).toBeUndefined();
  });
});

describe('expiry', () => {
  it('is expired from expiresAt on, by the clock', () => {
    let now = 1_800_000_000_000;
    const c = codec({ now: () => now });
    const { state } = c.issue('/');
    const signed = c.readState(state)!;
    now += TTL - 1;
    expect(c.expired(signed.expiresAt)).toBe(false);
    now += 1;
    expect(c.expired(signed.expiresAt)).toBe(true);
  });

  it('cannot be extended: a later expiry breaks the MAC', () => {
    const c = codec();
    const { state } = c.issue('/');
    const later = (c.readState(state)!.expiresAt + 3_600_000).toString(16).padStart(12, '0');
    expect(c.readState(state.slice(0, 32) + later + state.slice(44))).toBeUndefined();
  });
});

describe('web apps and keys', () => {
  it('refuses a state and a cookie of another web app signed with the same keys', () => {
    const a = codec({ webAppId: 'wxWebAppA' });
    const b = codec({ webAppId: 'wxWebAppB' });
    const { state, cookie } = a.issue('/');
    expect(b.readState(state)).toBeUndefined();
    expect(b.readCookie(cookie, state)).toBeUndefined();
  });

  it('refuses a state and a cookie signed with another key', () => {
    const { state, cookie } = codec({ keys: K2 }).issue('/');
    const c = codec({ keys: K1 });
    expect(c.readState(state)).toBeUndefined();
    expect(c.readCookie(cookie, state)).toBeUndefined();
  });

  it('rotation: signs with the first key, accepts the old key until it is removed', () => {
    const before = codec({ keys: K1 }).issue('/before');
    const rotated = codec({ keys: [...K2, ...K1] });
    expect(rotated.readState(before.state)).toBeDefined();
    expect(rotated.readCookie(before.cookie, before.state)).toEqual({ returnTo: '/before' });
    const after = rotated.issue('/after');
    const newOnly = codec({ keys: K2 });
    expect(newOnly.readState(after.state)).toBeDefined();
    expect(newOnly.readCookie(after.cookie, after.state)).toEqual({ returnTo: '/after' });
    expect(newOnly.readState(before.state)).toBeUndefined();
  });

  it('uses keys of its own: other HKDF infos of the same secret give other keys', () => {
    const secret = [{ secret: 'first-token-secret-0123456789-abcdefgh' }];
    expect(deriveKeys(secret, 'express-wx-login oauth-state binding v1')[0]).not.toEqual(K1[0]);
    expect(() => new OAuthStateCodec({ webAppId: 'w', keys: [], ttlMs: TTL })).toThrow(TypeError);
  });
});

describe('single use at the callback', () => {
  it('a replayed state is refused: the first claim wins, every later one loses (MemoryStore)', async () => {
    const store = new MemoryStore();
    const c = codec();
    const nonces = new OAuthNonces({ store, namespace: 'wxMini', webAppId: 'wxWebApp' });
    const signed = c.readState(c.issue('/').state)!;
    expect(await nonces.claim(signed)).toBe(true);
    expect(await nonces.claim(signed)).toBe(false);
    // Another OAuthNonces on the same store (a second wxOAuth of the web app) sees the claim too.
    const twin = new OAuthNonces({ store, namespace: 'wxMini', webAppId: 'wxWebApp' });
    expect(await twin.claim(signed)).toBe(false);
    // Another flow's nonce is its own.
    expect(await nonces.claim(c.readState(c.issue('/').state)!)).toBe(true);
    // An in-process store is not written: its entries are the sessions'.
    expect(store.size).toBe(0);
    // Another in-process store is another pool.
    const other = new OAuthNonces({ store: new MemoryStore(), namespace: 'wxMini', webAppId: 'wxWebApp' });
    expect(await other.claim(signed)).toBe(true);
  });

  // Skipped, and reported by the test run, on a machine without Redis.
  describe.skipIf(!services.redisUrl)('RedisStore', () => {
    const client = new Redis(services.redisUrl ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: 1,
      lazyConnect: !services.redisUrl,
    });
    const prefix = `wxl-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
    afterAll(async () => {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    });

    it('of concurrent claims exactly one wins; the claim lives until the state expired plus 30 s', async () => {
      if (client.status !== 'ready') await once(client, 'ready');
      const store = new RedisStore({ client, prefix });
      const now = Date.now();
      const c = codec({ now: () => now });
      const nonces = new OAuthNonces({ store, namespace: 'wxMini', webAppId: 'wxWebApp', clock: () => now });
      const signed = c.readState(c.issue('/').state)!;
      const results = await Promise.all(Array.from({ length: 10 }, () => nonces.claim(signed)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const key = `${prefix}wxMini:oauth-nonce:wxWebApp:${signed.nonce}`;
      expect(await client.get(key)).toBe('1');
      const pttl = await client.pttl(key);
      expect(pttl).toBeGreaterThan(TTL + 30_000 - 60_000);
      expect(pttl).toBeLessThanOrEqual(TTL + 30_000);
    });
  });
});
