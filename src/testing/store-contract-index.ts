// The SessionStore contract's cases for the optional session index (indexAdd, indexMembers,
// indexRemove): run against the store's own methods, or the core's fallback when it has none.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionIndexOf } from '../stores/session-index.js';
import { INDEX_STORE_METHODS, type SessionStore } from '../stores/types.js';

/** Long enough for any case, short enough that a shared backend forgets what a failed run left. */
const TTL_MS = 60_000;

/**
 * Registers the index cases under `name`, with the contract's own `test` (a fresh store per case)
 * and `key` (a unique key the contract cleans up).
 *
 * @example
 * registerIndexCases(hooks.describe, test, key, 'MyStore contract: index');
 */
export function registerIndexCases(
  describe: (name: string, fn: () => void) => void,
  test: (name: string, body: (store: SessionStore) => Promise<void>) => void,
  key: (name: string) => string,
  name: string,
): void {
  // The index behind each user's list of sessions: the store's own index methods when it has
  // them, else the fallback the core builds on the methods above. Either must pass.
  describe(name, () => {
    test('has all three index methods or none', async (store) => {
      const present = INDEX_STORE_METHODS.filter((name) => typeof store[name] === 'function');
      assert.ok(
        present.length === 0 || present.length === INDEX_STORE_METHODS.length,
        `index methods present: ${present.join(', ')}`,
      );
    });

    test('adds, lists and removes members; a missing index is empty', async (store) => {
      const index = sessionIndexOf(store);
      const k = key('index');
      assert.deepStrictEqual(await index.members(k), []);
      await index.add(k, 'sid-a', TTL_MS);
      await index.add(k, 'sid-b', TTL_MS);
      await index.add(k, 'sid-a', TTL_MS);
      assert.deepStrictEqual((await index.members(k)).sort(), ['sid-a', 'sid-b']);
      await index.remove(k, 'sid-a');
      await index.remove(k, 'never-added');
      assert.deepStrictEqual(await index.members(k), ['sid-b']);
      await index.remove(k, 'sid-b');
      assert.deepStrictEqual(await index.members(k), []);
      assert.deepStrictEqual(await index.members(key('index-missing')), []);
    });

    // TTLs either expire well before the check or outlive any stall of a slow machine.
    test('each member expires on its own; the index is gone once all have', async (store) => {
      const index = sessionIndexOf(store);
      const k = key('index-ttl');
      await index.add(k, 'short', 200);
      await index.add(k, 'long', TTL_MS);
      await sleep(450);
      assert.deepStrictEqual(await index.members(k), ['long']);
      const gone = key('index-all-expired');
      await index.add(gone, 'a', 200);
      await index.add(gone, 'b', 250);
      await sleep(500);
      assert.deepStrictEqual(await index.members(gone), []);
      // What is stored under the key expired with it: nothing is kept forever.
      assert.equal(await store.get(gone), undefined);
    });

    test('adding a member again renews its expiry', async (store) => {
      const index = sessionIndexOf(store);
      const k = key('index-renew');
      await index.add(k, 'm', 200);
      await index.add(k, 'm', TTL_MS);
      await sleep(450);
      assert.deepStrictEqual(await index.members(k), ['m']);
    });

    test('20 concurrent adds of different members: none is lost', async (store) => {
      const index = sessionIndexOf(store);
      const k = key('index-race');
      const members = Array.from({ length: 20 }, (_, i) => `sid-${i}`);
      await Promise.all(members.map((m) => index.add(k, m, TTL_MS)));
      assert.deepStrictEqual((await index.members(k)).sort(), [...members].sort());
    });

    test('refuses a TTL that is not positive', async (store) => {
      const index = sessionIndexOf(store);
      const k = key('index-bad-ttl');
      for (const ttl of [0, -1]) await assert.rejects(async () => index.add(k, 'm', ttl), TypeError);
      assert.deepStrictEqual(await index.members(k), []);
    });
  });
}
