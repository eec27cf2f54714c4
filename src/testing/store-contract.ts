// The behaviour every SessionStore must have, as a test suite that any store runs under vitest or jest.
// Assertions use node:assert only, so importing it needs no test framework from the package.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { SessionStore, StoredValue } from '../stores/types.js';
import { registerIndexCases } from './store-contract-index.js';

/**
 * The test functions of the caller's framework; vitest's and jest's globals fit as they are.
 *
 * @example
 * import { afterAll, describe, it } from 'vitest';
 * const hooks: StoreContractHooks = { describe, it, afterAll };
 */
export interface StoreContractHooks {
  describe: (name: string, fn: () => void) => void;
  it: (name: string, fn: () => Promise<void>, timeout?: number) => void;
  afterAll?: (fn: () => Promise<void> | void) => void;
}

/**
 * Options of the contract suite.
 *
 * @example
 * runSessionStoreContract(hooks, () => new MyStore(), { name: 'MyStore on Postgres' });
 */
export interface StoreContractOptions {
  /** Names the `describe` block. Defaults to `'SessionStore contract'`. */
  name?: string;
}

const CASE_TIMEOUT_MS = 10_000;
/** Long enough for any case, short enough that a shared backend forgets what a failed run left. */
const TTL_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Registers the SessionStore contract: round trips, copies, TTLs, atomic add and compare-and-delete,
 * revocation, and the index of each user's sessions (the store's optional index methods when it
 * has them, else the core's fallback on top of the store). Each case gets a fresh store from `makeStore` and its own random keys, so stores that
 * share a backend (several RedisStores on one Redis) do not collide. Takes about 2 s per store.
 *
 * @example
 * import { afterAll, describe, it } from 'vitest';
 * import { runSessionStoreContract } from 'express-wx-login/testing';
 * runSessionStoreContract({ describe, it, afterAll }, () => new RedisStore({ client, prefix: 'test:' }));
 */
export function runSessionStoreContract(
  hooks: StoreContractHooks,
  makeStore: () => SessionStore | Promise<SessionStore>,
  options: StoreContractOptions = {},
): void {
  const run = `contract:${randomUUID()}`;
  // Keys every case wrote, removed at the end so a shared backend is left as it was found.
  const written = new Set<string>();
  const key = (name: string): string => {
    const k = `${run}:${name}:${randomUUID()}`;
    written.add(k);
    return k;
  };

  const test = (name: string, body: (store: SessionStore) => Promise<void>): void => {
    hooks.it(
      name,
      async () => {
        const store = await makeStore();
        try {
          await body(store);
        } finally {
          await store.close?.();
        }
      },
      CASE_TIMEOUT_MS,
    );
  };

  hooks.describe(options.name ?? 'SessionStore contract', () => {
    test('round-trips nested JSON through set and get', async (store) => {
      const k = key('roundtrip');
      const value: StoredValue = {
        openid: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
        count: 42,
        ratio: -1.5e-3,
        ok: true,
        off: false,
        nothing: null,
        list: [1, 'two', [3], { four: 4 }],
        nested: { deeper: { deepest: ['微信', '登录', 'é', '😀'] } },
        empty: { obj: {}, arr: [] },
      };
      await store.set(k, value, TTL_MS);
      assert.deepStrictEqual(await store.get(k), value);
      for (const scalar of ['text', 0, 3.25, true, false, null, ''] as const) {
        await store.set(k, scalar, TTL_MS);
        assert.deepStrictEqual(await store.get(k), scalar);
      }
    });

    test('get of a missing key is undefined', async (store) => {
      assert.equal(await store.get(key('missing')), undefined);
    });

    test('set overwrites, and the newest value per user wins', async (store) => {
      const k = key('user');
      await store.set(k, { sessionKey: 'first' }, TTL_MS);
      await store.set(k, { sessionKey: 'second' }, TTL_MS);
      assert.deepStrictEqual(await store.get(k), { sessionKey: 'second' });
    });

    test('stores copies: mutating a value read or written does not change what is stored', async (store) => {
      const k = key('copy');
      const original = { list: [1, 2], inner: { a: 'a' } };
      await store.set(k, original, TTL_MS);
      original.list.push(3);
      original.inner.a = 'changed';
      const read = (await store.get(k)) as { list: number[]; inner: { a: string } };
      assert.deepStrictEqual(read, { list: [1, 2], inner: { a: 'a' } });
      read.list.push(99);
      read.inner.a = 'mutated';
      assert.deepStrictEqual(await store.get(k), { list: [1, 2], inner: { a: 'a' } });
    });

    test('delete removes a key, and deleting a missing key does not throw', async (store) => {
      const k = key('delete');
      await store.set(k, 'x', TTL_MS);
      await store.delete(k);
      assert.equal(await store.get(k), undefined);
      await store.delete(k);
      await store.delete(key('never-written'));
    });

    test('revocation: after delete, get is undefined even for a long TTL', async (store) => {
      const k = key('revoked');
      await store.set(k, { sid: 'abc', openid: 'o1' }, 24 * 3600 * 1000);
      assert.deepStrictEqual(await store.get(k), { sid: 'abc', openid: 'o1' });
      await store.delete(k);
      assert.equal(await store.get(k), undefined);
    });

    test('a key expires after its TTL', async (store) => {
      const k = key('ttl');
      await store.set(k, 'short-lived', 200);
      assert.equal(await store.get(k), 'short-lived');
      await sleep(600);
      assert.equal(await store.get(k), undefined);
    });

    test('get does not extend a TTL', async (store) => {
      const k = key('ttl-get');
      const start = Date.now();
      await store.set(k, 'v', 400);
      await sleep(start + 250 - Date.now());
      // Had this read renewed the TTL, the key would live until about start + 650.
      assert.equal(await store.get(k), 'v');
      await sleep(start + 550 - Date.now());
      assert.equal(await store.get(k), undefined);
    });

    test('add writes only when absent, and again once the TTL has passed', async (store) => {
      // Two keys: one whose TTL outlasts any stall of a loaded machine (absent-only), one short
      // (written again once expired), so that neither check depends on how fast the machine is.
      const held = key('add-held');
      assert.equal(await store.add(held, 'first', TTL_MS), true);
      assert.equal(await store.add(held, 'second', TTL_MS), false);
      assert.equal(await store.get(held), 'first');
      const k = key('add');
      assert.equal(await store.add(k, 'first', 200), true);
      await sleep(450);
      assert.equal(await store.add(k, 'third', TTL_MS), true);
      assert.equal(await store.get(k), 'third');
    });

    test('20 concurrent add of one key: exactly one wins', async (store) => {
      const k = key('lock');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => Promise.resolve(store.add(k, `owner-${i}`, TTL_MS))),
      );
      assert.equal(results.filter((won) => won === true).length, 1);
      assert.equal(results.filter((won) => won === false).length, 19);
      assert.equal(await store.get(k), `owner-${results.indexOf(true)}`);
    });

    test('deleteIfEquals removes a key only while it holds the value', async (store) => {
      const k = key('cad');
      await store.set(k, 'token-a', TTL_MS);
      assert.equal(await store.deleteIfEquals(k, 'token-b'), false);
      assert.equal(await store.get(k), 'token-a');
      assert.equal(await store.deleteIfEquals(k, 'token-a'), true);
      assert.equal(await store.get(k), undefined);
      assert.equal(await store.deleteIfEquals(k, 'token-a'), false);
    });

    test('extendIfEquals (optional) renews a key only while it holds the value', async (store) => {
      if (typeof store.extendIfEquals !== 'function') return; // the core falls back to get + set
      const k = key('renew');
      await store.set(k, 'lease-a', 400);
      assert.equal(await store.extendIfEquals(k, 'lease-b', TTL_MS), false);
      assert.equal(await store.extendIfEquals(k, 'lease-a', TTL_MS), true);
      await sleep(700);
      // Renewed past its first TTL, and still the same value.
      assert.equal(await store.get(k), 'lease-a');
      assert.equal(await store.extendIfEquals(key('renew-missing'), 'lease-a', TTL_MS), false);
      await store.set(k, 'lease-c', 300);
      assert.equal(await store.extendIfEquals(k, 'lease-a', TTL_MS), false);
      await sleep(600);
      assert.equal(await store.get(k), undefined);
    });

    test('refuses a TTL that is not positive: nothing is kept forever', async (store) => {
      const k = key('bad-ttl');
      for (const ttl of [0, -1000]) {
        await assert.rejects(async () => store.set(k, 'v', ttl), TypeError);
        await assert.rejects(async () => store.add(k, 'v', ttl), TypeError);
      }
      assert.equal(await store.get(k), undefined);
    });

    test('holds a 4 KB value', async (store) => {
      const k = key('big');
      const value = { blob: 'x'.repeat(4096), tail: '尾' };
      await store.set(k, value, TTL_MS);
      assert.deepStrictEqual(await store.get(k), value);
    });

    test("keys with ':' and unicode are distinct keys", async (store) => {
      const base = key('shape');
      const colon = `${base}:wx:appid:user:o6_bm`;
      const unicode = `${base}:用户:😀`;
      written.add(colon).add(unicode);
      await store.set(colon, 'colon', TTL_MS);
      await store.set(unicode, 'unicode', TTL_MS);
      assert.equal(await store.get(colon), 'colon');
      assert.equal(await store.get(unicode), 'unicode');
      assert.equal(await store.get(`${base}:用户`), undefined);
    });
  });

  registerIndexCases(hooks.describe, test, key, `${options.name ?? 'SessionStore contract'}: index`);

  hooks.afterAll?.(async () => {
    const store = await makeStore();
    try {
      await Promise.all([...written].map((k) => store.delete(k)));
    } finally {
      await store.close?.();
    }
  });
}
