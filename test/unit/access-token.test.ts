// AccessTokenManager: one access_token for every caller and every instance sharing the store,
// cached until shortly before WeChat expires it, refreshed once when WeChat refuses it, without
// dropping a newer token. Real stores, the real WeChat client, an emulator per test on loopback.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { AccessTokenManager, type AccessTokenManagerOptions } from '../../src/core/access-token.js';
import { Lease } from '../../src/core/lease.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import type { SessionStore } from '../../src/stores/types.js';
import { startWeChatEmulator, type WeChatEmulator } from '../../src/testing/index.js';
import type { PhoneInfo, WeChatClient } from '../../src/wechat/client.js';
import { sharedRedis } from '../helpers/redis-clients.js';
import { secret } from '../helpers/secret-watch.js';
import { services } from '../helpers/services/index.js';
import { wechatClientFor } from '../helpers/wechat-client.js';

// Skipped, and reported by the test run, on a machine without Redis.
const shared = services.redisUrl ? await sharedRedis() : undefined;
let prefixes = 0;
// The token cache lives (7200 - 300) s: this file's keys are removed, not left to expire.
afterAll(async () => {
  if (!shared) return;
  const keys = await shared.client.keys(`${shared.prefix}*`);
  if (keys.length > 0) await shared.client.del(...keys);
});

const newRedisStore = (): RedisStore =>
  new RedisStore({ client: shared!.client, prefix: `${shared!.prefix}${++prefixes}:` });

interface Setup {
  emulator: WeChatEmulator;
  wechat: WeChatClient;
  store: SessionStore;
  /** Another instance of the app: its own manager over the same store. */
  instance: (options?: Partial<AccessTokenManagerOptions>) => AccessTokenManager;
  cacheKey: string;
  lockKey: string;
  /** A getPhoneNumber call with a fresh phone code, as `withToken` runs it (the same code on the retry). */
  phoneCall: () => (accessToken: string) => Promise<PhoneInfo>;
}

/**
 * A WeChat of the test's own (its forced refreshes are limited to one per 30 s per app, so tests
 * must not share one), the client, a store, and managers over them.
 */
async function setup(
  options: { endpoint?: 'stable' | 'classic'; ttlSeconds?: number; store?: SessionStore } = {},
): Promise<Setup> {
  const emulator = await startWeChatEmulator(
    options.ttlSeconds === undefined ? {} : { accessTokenTtlSeconds: options.ttlSeconds },
  );
  secret(emulator.appSecret);
  // No retries: each fetch is one call in the emulator's log.
  const wechat = wechatClientFor(emulator);
  onTestFinished(() => {
    wechat.close();
    return emulator.close();
  });
  const store = options.store ?? new MemoryStore();
  const user = emulator.createUser();
  return {
    emulator,
    wechat,
    store,
    instance: (overrides = {}) =>
      new AccessTokenManager({
        store,
        appId: emulator.appId,
        wechat,
        endpoint: options.endpoint ?? 'stable',
        fetchBudgetMs: wechat.worstCaseMs,
        ...overrides,
      }),
    cacheKey: `${emulator.appId}:access-token`,
    lockKey: `${emulator.appId}:access-token-lock`,
    phoneCall: () => {
      const code = emulator.issuePhoneCode(user.openid);
      return (accessToken) => wechat.getPhoneNumber(accessToken, code, user.openid);
    },
  };
}

/** `force_refresh` of each stable_token call, in order. */
const forceFlags = (emulator: WeChatEmulator): unknown[] =>
  emulator.callsTo('stable_token').map((c) => (c.body as { force_refresh?: unknown }).force_refresh);
/** The access_token and the errcode of each getuserphonenumber call, in order. */
const phoneCalls = (emulator: WeChatEmulator): [string | undefined, number | undefined][] =>
  emulator
    .callsTo('getuserphonenumber')
    .map((c): [string | undefined, number | undefined] => [c.query.access_token, c.errcode]);
/** A promise's outcome without an unhandled rejection while the test awaits something else. */
const settled = <T>(promise: Promise<T>): Promise<T | unknown> => promise.catch((err: unknown) => err);

describe('AccessTokenManager: fetching and caching', () => {
  it('many callers at once: one stable_token call, one token for all, then served from the store', async () => {
    const { emulator, store, instance, cacheKey } = await setup();
    const tokens = instance();
    const got = await Promise.all(Array.from({ length: 10 }, () => tokens.get()));
    expect(new Set(got).size).toBe(1);
    const [call, ...more] = emulator.callsTo('stable_token');
    expect(more).toHaveLength(0);
    expect(call?.method).toBe('POST');
    expect(call?.body).toMatchObject({
      grant_type: 'client_credential',
      appid: emulator.appId,
      force_refresh: false,
    });
    expect(await store.get(cacheKey)).toBe(got[0]);
    expect(await tokens.get()).toBe(got[0]);
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
  });

  it('classic: /cgi-bin/token, fetched again once the cache runs out (half the lifetime of a short token)', async () => {
    // A 2 s token is cached 1 s: up to 5 minutes early, half the lifetime for short ones.
    const { emulator, instance } = await setup({ endpoint: 'classic', ttlSeconds: 2 });
    const tokens = instance();
    const startedAt = Date.now();
    const first = await tokens.get();
    let next = first;
    while (next === first && Date.now() - startedAt < 20_000) {
      await sleep(100);
      next = await tokens.get();
    }
    expect(next).not.toBe(first);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    const calls = emulator.callsTo('token');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.method).toBe('GET');
    expect(calls[0]?.query).toMatchObject({ grant_type: 'client_credential', appid: emulator.appId });
    expect(emulator.callsTo('stable_token')).toHaveLength(0);
  });

  it('a lock left by an instance that stopped: it expires, and the token is fetched', async () => {
    const { emulator, store, instance, lockKey } = await setup();
    // Never renewed nor released, with a short TTL (LEASE_TTL_MS is 5 s).
    const crashed = await Lease.acquire(store, undefined, lockKey, 'lock access token', 300);
    expect(crashed).toBeDefined();
    crashed?.stop();

    expect(await instance().get()).toEqual(expect.any(String));
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
    // Released by the one that fetched.
    expect(await store.get(lockKey)).toBeUndefined();
  });

  it('a lock held by an instance that never finishes: WX_UPSTREAM_UNAVAILABLE after the fetch budget, no call', async () => {
    const { emulator, store, instance, lockKey } = await setup();
    // Renewed while held: alive, but its fetch never ends.
    const stuck = await Lease.acquire(store, undefined, lockKey, 'lock access token');
    expect(stuck).toBeDefined();
    try {
      const outcome = await settled(instance({ fetchBudgetMs: 100 }).get());
      expect(outcome).toMatchObject({
        code: 'WX_UPSTREAM_UNAVAILABLE',
        message: 'the WeChat access_token could not be obtained in time',
      });
      expect(emulator.callsTo('stable_token')).toHaveLength(0);
      expect(await store.get(lockKey)).toBe(stuck?.value);
    } finally {
      await stuck?.release();
    }
  });
});

describe('AccessTokenManager: a token WeChat refuses', () => {
  it.each([40001, 40014, 41001, 42001])(
    'refused with %i: one refresh, forced since stable_token hands back the same token, and one retry',
    async (errcode) => {
      const { emulator, store, instance, cacheKey, phoneCall } = await setup();
      const tokens = instance();
      const refused = await tokens.get();
      emulator.fail('getuserphonenumber', { type: 'errcode', errcode });

      const phone = await tokens.withToken(phoneCall());
      expect(phone.purePhoneNumber).toBe('13800138000');
      const fresh = await store.get(cacheKey);
      expect(fresh).toEqual(expect.any(String));
      expect(fresh).not.toBe(refused);
      expect(phoneCalls(emulator)).toEqual([
        [refused, errcode],
        [fresh, 0],
      ]);
      expect(forceFlags(emulator)).toEqual([false, false, true]);
    },
  );

  it('stable_token hands back a new token (forced elsewhere): it is used, without forcing', async () => {
    const { emulator, wechat, store, instance, cacheKey, phoneCall } = await setup();
    const tokens = instance();
    const refused = await tokens.get();
    // Another tool with the same credentials forces a refresh: the cached token stops working.
    const { accessToken: replacement } = await wechat.fetchAccessToken('stable', true);

    await tokens.withToken(phoneCall());
    expect(await store.get(cacheKey)).toBe(replacement);
    expect(phoneCalls(emulator)).toEqual([
      [refused, 40001],
      [replacement, 0],
    ]);
    expect(forceFlags(emulator)).toEqual([false, true, false]);
  });

  it('classic: refreshed with /cgi-bin/token', async () => {
    const { emulator, store, instance, cacheKey, phoneCall } = await setup({ endpoint: 'classic' });
    const tokens = instance();
    const refused = await tokens.get();
    emulator.invalidateAccessTokens();

    await tokens.withToken(phoneCall());
    const fresh = await store.get(cacheKey);
    expect(fresh).not.toBe(refused);
    expect(phoneCalls(emulator)).toEqual([
      [refused, 40001],
      [fresh, 0],
    ]);
    expect(emulator.callsTo('token')).toHaveLength(2);
  });

  it('another errcode is not about the token: thrown as is, nothing refreshed', async () => {
    const { emulator, instance, phoneCall } = await setup();
    const tokens = instance();
    await tokens.get();
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 45011 });

    expect(await settled(tokens.withToken(phoneCall()))).toMatchObject({
      code: 'WX_RATE_LIMITED',
      errcode: 45011,
    });
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(1);
    expect(forceFlags(emulator)).toEqual([false]);
  });

  it('a newer token another instance cached meanwhile is kept (compare-and-delete), and used', async () => {
    const { emulator, wechat, store, instance, cacheKey } = await setup({ endpoint: 'classic' });
    const one = instance();
    const two = instance();
    const refused = await one.get();
    const user = emulator.createUser();
    const code = emulator.issuePhoneCode(user.openid);
    let newer: string | undefined;

    await one.withToken(async (accessToken) => {
      if (newer === undefined) {
        // While this call is on its way: WeChat revokes the token, and instance two, finding
        // the cache run out (deleted here), caches a fresh one.
        emulator.invalidateAccessTokens();
        await store.delete(cacheKey);
        newer = await two.get();
      }
      return wechat.getPhoneNumber(accessToken, code, user.openid);
    });
    expect(newer).not.toBe(refused);
    expect(await store.get(cacheKey)).toBe(newer);
    expect(phoneCalls(emulator)).toEqual([
      [refused, 40001],
      [newer, 0],
    ]);
    // Instance one fetched nothing more: it did not delete the newer token to fetch a third.
    expect(emulator.callsTo('token')).toHaveLength(2);
  });

  it('refused again within the cool-down: 502 at once, with no further token call', async () => {
    const { emulator, instance, phoneCall } = await setup();
    const tokens = instance();
    await tokens.get();
    // As after an appSecret reset: every token is refused, the fresh one too.
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 40001 }, { times: 100 });

    expect(await settled(tokens.withToken(phoneCall()))).toMatchObject({
      code: 'WX_UPSTREAM_ERROR',
      errcode: 40001,
    });
    expect(forceFlags(emulator)).toEqual([false, false, true]);
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(2);

    expect(await settled(tokens.withToken(phoneCall()))).toMatchObject({
      code: 'WX_UPSTREAM_ERROR',
      status: 502,
      message: 'WeChat refused the access_token; retry later',
    });
    expect(forceFlags(emulator)).toEqual([false, false, true]);
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(3);
  });

  it('refused again after the cool-down: refreshed once more', async () => {
    const { emulator, instance, phoneCall } = await setup({ endpoint: 'classic' });
    const tokens = instance({ refreshCooldownMs: 50 });
    await tokens.get();
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 40001 }, { times: 100 });

    await settled(tokens.withToken(phoneCall()));
    expect(emulator.callsTo('token')).toHaveLength(2);
    // Longer than the cool-down; a slower machine only waits longer.
    await sleep(200);
    await settled(tokens.withToken(phoneCall()));
    expect(emulator.callsTo('token')).toHaveLength(3);
    // t1 refused, t2 its replacement refused twice (the second time after the cool-down), t3.
    const used = phoneCalls(emulator).map(([token]) => token);
    expect(used).toHaveLength(4);
    expect(used[2]).toBe(used[1]);
    expect(new Set(used).size).toBe(3);
  });
});

function sharedStoreSuite(makeStore: () => SessionStore): void {
  it('two instances, many callers: one WeChat call between them, while the lock holder fetches', async () => {
    const { emulator, store, instance, lockKey } = await setup({ store: makeStore() });
    const one = instance();
    const two = instance();
    // Instance one takes the lock, and WeChat answers it late.
    emulator.fail('stable_token', { type: 'delay', ms: 300 });
    const first = settled(one.get());
    await expect.poll(() => store.get(lockKey), { timeout: 20_000 }).toEqual(expect.any(String));
    const rest = [one, two, one, two, two].map((tokens) => settled(tokens.get()));

    const got = await Promise.all([first, ...rest]);
    expect(got).toEqual(Array(6).fill(got[0]));
    expect(got[0]).toEqual(expect.any(String));
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
    expect(await store.get(lockKey)).toBeUndefined();
  });

  it('two instances refused the same token at once: one refresh between them, both served', async () => {
    const { emulator, instance, phoneCall } = await setup({ store: makeStore() });
    const one = instance();
    const two = instance();
    const refused = await one.get();
    expect(await two.get()).toBe(refused);
    emulator.invalidateAccessTokens();

    const [a, b] = await Promise.all([one.withToken(phoneCall()), two.withToken(phoneCall())]);
    expect([a.purePhoneNumber, b.purePhoneNumber]).toEqual(['13800138000', '13800138000']);
    // The first fetch, the refresh (which hands back the refused token) and one forced refresh.
    expect(forceFlags(emulator)).toEqual([false, false, true]);
    const retried = phoneCalls(emulator).filter(([token]) => token !== refused);
    expect(retried).toHaveLength(2);
    expect(retried[0]?.[0]).toBe(retried[1]?.[0]);
  });
}

describe('AccessTokenManager: instances sharing a MemoryStore', () => {
  sharedStoreSuite(() => new MemoryStore());
});

describe.skipIf(!shared)('AccessTokenManager: instances sharing a RedisStore', () => {
  sharedStoreSuite(newRedisStore);

  it.each([
    [7200, (7200 - 300) * 1000],
    [60, 30 * 1000],
  ])('a token of %i s is cached %i ms: refreshed before WeChat expires it', async (ttlSeconds, cachedMs) => {
    const prefix = `${shared!.prefix}${++prefixes}:`;
    const store = new RedisStore({ client: shared!.client, prefix });
    const { cacheKey, instance } = await setup({ store, ttlSeconds });
    await instance().get();
    const ttl = Number(await shared!.client.pttl(`${prefix}${cacheKey}`));
    expect(ttl).toBeLessThanOrEqual(cachedMs);
    // Generous: the time between the write and this read, on a loaded machine.
    expect(ttl).toBeGreaterThan(cachedMs - 20_000);
  });
});
