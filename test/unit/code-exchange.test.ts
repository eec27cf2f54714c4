// CodeExchanges: one code2Session per login code across every instance sharing the store, the
// sealed answer handed to the requests that waited, and what a waiter does when the owner fails,
// stops or takes too long. Real stores, the real WeChat client, the emulator on loopback.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CodeExchanges } from '../../src/core/code-exchange.js';
import { LEASE_PREFIX, Lease } from '../../src/core/lease.js';
import { openWithCode, sealForCode } from '../../src/core/sealed-result.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import type { SessionStore } from '../../src/stores/types.js';
import { startEmulator } from '../helpers/app.js';
import { eventually, sharedRedis } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { wechatClientFor } from '../helpers/wechat-client.js';

const emulator = await startEmulator();
// No retries: each exchange is one call in the emulator's log, and a fault fails it at once.
const wechat = wechatClientFor(emulator);
afterAll(() => wechat.close());
// Skipped, and reported by the test run, on a machine without Redis.
const shared = services.redisUrl ? await sharedRedis() : undefined;

/** How long a waiter waits for another instance's exchange: far more than any step here takes. */
const BUDGET_MS = 30_000;
const appId = emulator.appId;
const codeKey = (code: string): string =>
  `${appId}:code:${createHash('sha256').update(code).digest('base64url')}`;

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

/** What the login does with a code: code2Session, keeping what a session is made of (never the session_key). */
const login = (code: string) => async (): Promise<{ openid: string }> => {
  const { openid } = await wechat.code2Session(code);
  return { openid };
};

/** A promise the test opens when it chooses: holds an exchange at the moment under test. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

/** Polls `read` until `done` holds (at most 20 s, then fails): waits for a state, never for a time. */
async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const value = await eventually(async () => read(), done, 20_000);
  if (!done(value)) throw new Error(`the awaited state never came (last: ${JSON.stringify(value)})`);
  return value;
}

const isClaim = (value: unknown): boolean => typeof value === 'string' && value.startsWith(LEASE_PREFIX);
/** The jscode2session calls as errcodes, 0 for an answer without one. */
const exchangeErrcodes = (): number[] => emulator.callsTo('jscode2session').map((c) => c.errcode ?? 0);
/** A promise's outcome without an unhandled rejection while the test awaits something else. */
const settled = <T>(promise: Promise<T>): Promise<T | unknown> => promise.catch((err: unknown) => err);

/**
 * Starts the exchange of `code` that claims it, held before it calls WeChat until `open()`;
 * resolves once its claim is in the store. `outcome` is its result or its error.
 */
async function heldOwner(
  store: SessionStore,
  code: string,
  exchanges = new CodeExchanges(store, appId),
): Promise<{ outcome: Promise<unknown>; claim: unknown; open: () => void }> {
  const hold = gate();
  const outcome = settled(
    exchanges.once(code, BUDGET_MS, async () => {
      await hold.wait;
      return login(code)();
    }),
  );
  const claim = await until(() => store.get(codeKey(code)), isClaim);
  return { outcome, claim, open: hold.open };
}

/**
 * Starts a request for `code` through `exchanges` that finds it claimed and waits; resolves once
 * its mark is in `store` (a value at `<key>:waiting` other than the one there before).
 */
async function markedWaiter(
  store: SessionStore,
  code: string,
  exchanges = new CodeExchanges(store, appId),
): Promise<{ outcome: Promise<unknown>; mark: unknown }> {
  const waiting = `${codeKey(code)}:waiting`;
  const before = await store.get(waiting);
  const outcome = settled(exchanges.once(code, BUDGET_MS, login(code)));
  const mark = await until(
    () => store.get(waiting),
    (value) => typeof value === 'string' && value !== before,
  );
  return { outcome, mark };
}

function exchangeSuite(makeStore: () => SessionStore): void {
  it('instances exchanging one code at once: WeChat is called once, and every caller gets its answer', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const key = codeKey(code);
    const owner = await heldOwner(store, code);
    // Three more taps, on another instance, while the first is with WeChat: each would spend the
    // code again if it called.
    const two = new CodeExchanges(store, appId);
    const waiters = [];
    for (let i = 0; i < 3; i++) waiters.push((await markedWaiter(store, code, two)).outcome);
    owner.open();

    expect(await Promise.all([owner.outcome, ...waiters])).toEqual(Array(4).fill({ openid: user.openid }));
    expect(emulator.callsTo('jscode2session').map((c) => c.query.js_code)).toEqual([code]);
    // What the waiters read: when it finished, and the answer sealed with a key from the code.
    const record = (await store.get(key)) as { state: string; finishedAt: number; sealed: string };
    expect(record).toEqual({ state: 'done', finishedAt: expect.any(Number), sealed: expect.any(String) });
    expect(JSON.stringify(record)).not.toContain(user.openid);
    expect(openWithCode(code, appId, key, record.sealed)).toBe(JSON.stringify({ openid: user.openid }));
    expect(await store.get(`${key}:waiting`)).toBeUndefined();
    // Kept for the waiters only: it goes away by itself (3 s).
    expect(
      await until(
        () => store.get(key),
        (value) => value === undefined,
      ),
    ).toBeUndefined();
  });

  it('a caller alone leaves nothing in the store, and the code used again gets WeChat’s 40163', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const exchanges = new CodeExchanges(store, appId);
    expect(await exchanges.once(code, BUDGET_MS, login(code))).toEqual({ openid: user.openid });
    expect(await store.get(codeKey(code))).toBeUndefined();
    expect(await store.get(`${codeKey(code)}:waiting`)).toBeUndefined();

    // A later request with the same code is a reuse: WeChat answers it, not a stored result.
    expect(await settled(exchanges.once(code, BUDGET_MS, login(code)))).toMatchObject({
      code: 'WX_CODE_USED',
    });
    expect(exchangeErrcodes()).toEqual([0, 40163]);
  });

  it('a request that comes after the answer was published does not share it: WeChat says 40163', async () => {
    const store = makeStore();
    const code = emulator.issueLoginCode();
    const key = codeKey(code);
    const exchanges = new CodeExchanges(store, appId);
    const owner = await heldOwner(store, code, exchanges);
    const waiter = await markedWaiter(store, code, exchanges);
    owner.open();
    await Promise.all([owner.outcome, waiter.outcome]);
    // Later by at least a millisecond than the publication, while the sealed answer is still there.
    await sleep(5);
    expect(await store.get(key)).toMatchObject({ state: 'done' });

    expect(await settled(exchanges.once(code, BUDGET_MS, login(code)))).toMatchObject({
      code: 'WX_CODE_USED',
    });
    expect(exchangeErrcodes()).toEqual([0, 40163]);
  });

  it('the owner fails for a passing fault: its claim goes at once, and a waiter exchanges the code itself', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const key = codeKey(code);
    // WeChat is busy for the first call only; a busy answer leaves the code unused.
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 });
    const owner = await heldOwner(store, code);
    const waiter = await markedWaiter(store, code);
    owner.open();

    expect(await owner.outcome).toMatchObject({ code: 'WX_UPSTREAM_UNAVAILABLE' });
    // Released, not left to expire: the failure is never replayed to the waiter from the store.
    expect(await store.get(key)).not.toBe(owner.claim);
    expect(await waiter.outcome).toEqual({ openid: user.openid });
    expect(exchangeErrcodes()).toEqual([-1, 0]);
    // The waiter that took over was the only one: it published nothing, and left nothing.
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get(`${key}:waiting`)).toBeUndefined();
  });

  it('the owner fails while two wait: the one that takes over answers the other too', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 });
    const owner = await heldOwner(store, code);
    // The second writes its mark over the first's.
    const first = await markedWaiter(store, code);
    const second = await markedWaiter(store, code);
    owner.open();

    expect(await owner.outcome).toMatchObject({ code: 'WX_UPSTREAM_UNAVAILABLE' });
    expect(await Promise.all([first.outcome, second.outcome])).toEqual([
      { openid: user.openid },
      { openid: user.openid },
    ]);
    expect(exchangeErrcodes()).toEqual([-1, 0]);
  });

  it('the owner gets a definitive refusal (40029): the waiter is not handed it, WeChat answers it again', async () => {
    const store = makeStore();
    // A code WeChat never issued.
    const code = `never-issued-${Math.random().toString(36).slice(2)}`;
    const owner = await heldOwner(store, code);
    const waiter = await markedWaiter(store, code);
    owner.open();

    expect(await owner.outcome).toMatchObject({ code: 'WX_CODE_INVALID', errcode: 40029 });
    expect(await waiter.outcome).toMatchObject({ code: 'WX_CODE_INVALID', errcode: 40029 });
    expect(exchangeErrcodes()).toEqual([40029, 40029]);
  });

  it('an owner that stopped (a crash): its claim expires, and the waiter exchanges the code', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const key = codeKey(code);
    // A claim that is never renewed nor released, with a short TTL (LEASE_TTL_MS is 5 s).
    const crashed = await Lease.acquire(store, undefined, key, 'claim code', 300);
    expect(crashed).toBeDefined();
    crashed?.stop();

    expect(await new CodeExchanges(store, appId).once(code, BUDGET_MS, login(code))).toEqual({
      openid: user.openid,
    });
    expect(exchangeErrcodes()).toEqual([0]);
    // It waited alone: no claim, no mark and no result are left behind.
    expect(await store.get(key)).toBeUndefined();
    expect(await store.get(`${key}:waiting`)).toBeUndefined();
  });

  it('an owner still at work when the budget runs out: the waiter exchanges the code itself, outside the claim', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const key = codeKey(code);
    // Renewed while held: an owner that is alive but slow (its WeChat call hangs, say).
    const slow = await Lease.acquire(store, undefined, key, 'claim code');
    expect(slow).toBeDefined();
    try {
      expect(await new CodeExchanges(store, appId).once(code, 300, login(code))).toEqual({
        openid: user.openid,
      });
      expect(exchangeErrcodes()).toEqual([0]);
      // The waiter did not touch the owner's claim.
      expect(await store.get(key)).toBe(slow?.value);
    } finally {
      await slow?.release();
    }
  });

  it('a record that does not open with the code (forged, or another code’s) is not trusted', async () => {
    const store = makeStore();
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const key = codeKey(code);
    const forged = JSON.stringify({ openid: 'o_forged_0000000000000000000' });
    await store.set(
      key,
      {
        state: 'done',
        finishedAt: Date.now() + 60_000,
        sealed: sealForCode('another-code', appId, key, forged),
      },
      3000,
    );

    expect(await new CodeExchanges(store, appId).once(code, BUDGET_MS, login(code))).toEqual({
      openid: user.openid,
    });
    expect(exchangeErrcodes()).toEqual([0]);
  });
}

describe('CodeExchanges on a MemoryStore', () => {
  exchangeSuite(() => new MemoryStore());
});

let prefixes = 0;
describe.skipIf(!shared)('CodeExchanges on a RedisStore', () => {
  exchangeSuite(() => new RedisStore({ client: shared!.client, prefix: `${shared!.prefix}${++prefixes}:` }));

  it('the owner fails and the last waiter to mark itself takes over: it still publishes for the others', async () => {
    // Three instances, one code. Y marks itself, then its link to Redis stalls; X marks itself
    // over Y's mark; the owner fails; X takes over. X's mark is the only trace of Y's wait.
    const prefix = `${shared!.prefix}${++prefixes}:`;
    const proxy = await startTcpProxy(Number(new URL(services.redisUrl!).port || 6379));
    const stalling = new Redis({ host: '127.0.0.1', port: proxy.port });
    stalling.on('error', () => undefined);
    await once(stalling, 'ready');
    try {
      const direct = new RedisStore({ client: shared!.client, prefix });
      // Y's store waits for Redis rather than failing while the link is held.
      const viaProxy = new RedisStore({ client: stalling, prefix, commandTimeoutMs: 60_000 });
      const user = emulator.createUser();
      const code = emulator.issueLoginCode(user.openid);
      emulator.fail('jscode2session', { type: 'errcode', errcode: -1 });
      const owner = await heldOwner(direct, code);
      const y = await markedWaiter(direct, code, new CodeExchanges(viaProxy, appId));
      proxy.setMode('pause');
      const x = await markedWaiter(direct, code);
      owner.open();

      expect(await owner.outcome).toMatchObject({ code: 'WX_UPSTREAM_UNAVAILABLE' });
      expect(await x.outcome).toEqual({ openid: user.openid });
      proxy.setMode('forward');
      // Y reads X's sealed answer instead of spending the used code again (40163).
      expect(await y.outcome).toEqual({ openid: user.openid });
      expect(exchangeErrcodes()).toEqual([-1, 0]);
    } finally {
      proxy.setMode('forward');
      stalling.disconnect();
    }
  });
});
