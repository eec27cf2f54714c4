// One exchange per login code across every instance sharing the store: a double tap that a load
// balancer sends to two instances makes one code2Session call, and both get the same answer.

import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WxLogger } from '../logger.js';
import type { SessionStore, StoredValue } from '../stores/types.js';
import { LEASE_PREFIX, Lease } from './lease.js';
import { openWithCode, sealForCode } from './sealed-result.js';
import { callStore } from './store-call.js';

/** How long a published result stays readable by the requests that were waiting for it. */
const RESULT_TTL_MS = 3000;
const POLL_MS = 50;

/** A finished exchange as published for waiters: the result sealed with a key derived from the code. */
interface Published {
  state: 'done';
  finishedAt: number;
  sealed: string;
}

/**
 * Store keys, for operators: `<appId>:code:<sha256(code)>` holds a claim (`lease:<random>`, renewed
 * while the exchange runs, gone within 5 s of an owner that stopped) and, only when another
 * instance waits for the same code, the sealed result for 3 s; `<…>:waiting` marks that wait.
 *
 * @example
 * const exchanges = new CodeExchanges(store, 'wx123', logger);
 * const result = await exchanges.once(code, budgetMs, () => loginWithWeChat(code));
 */
export class CodeExchanges {
  readonly #store: SessionStore;
  readonly #appId: string;
  readonly #logger: WxLogger | undefined;

  constructor(store: SessionStore, appId: string, logger?: WxLogger) {
    this.#store = store;
    this.#appId = appId;
    this.#logger = logger;
  }

  /**
   * Runs `exchange` unless another instance is exchanging the same code; then waits (at most
   * `budgetMs`) for its result. If that exchange fails or its owner goes away, its claim is gone
   * (released, or expired within 5 s) and a waiter tries itself, so a failure is never replayed from
   * the store: WeChat answers again (40163, say).
   */
  async once<T>(code: string, budgetMs: number, exchange: () => Promise<T>): Promise<T> {
    // The raw code never becomes a key: keys are visible to anyone who can list the store. The key
    // name is a plain hash; the result's key is an HKDF of the code, so one never gives the other.
    const key = `${this.#appId}:code:${createHash('sha256').update(code).digest('base64url')}`;
    const startedAt = Date.now();
    const deadline = startedAt + budgetMs;
    let announced: string | undefined;
    let firstToWait = false;
    for (;;) {
      const lease = await Lease.acquire(this.#store, this.#logger, key, 'claim code');
      if (lease) {
        // Taking over from an owner that went away: this caller's own mark must not make it
        // publish its result for nobody. Only the first waiter's mark can be its own alone: a
        // later one was written over another waiter's, and removing it would leave that waiter
        // to spend the used code again (40163). A mark written since stays (compare-and-delete).
        if (announced !== undefined && firstToWait) {
          const mark = announced;
          await this.#call('clear code waiters', () =>
            this.#store.deleteIfEquals(`${key}:waiting`, mark),
          ).catch(() => undefined);
        }
        return this.#exchange(code, lease, exchange);
      }
      if (announced === undefined) {
        const mark = randomBytes(9).toString('base64url');
        announced = mark;
        // Tells the owner to publish its result: without a waiter, nothing is left at rest. The
        // first waiter adds the mark; each later one writes its own over it, which also tells
        // the first that it is not alone.
        const waiting = `${key}:waiting`;
        firstToWait = await this.#call('wait for code', () => this.#store.add(waiting, mark, budgetMs));
        if (!firstToWait) await this.#call('wait for code', () => this.#store.set(waiting, mark, budgetMs));
      }
      const seen = await this.#waitWhilePending(key, deadline);
      if (seen !== undefined) {
        const json = openWithCode(code, this.#appId, key, seen.sealed);
        // Only a request that was in flight while the code was exchanged shares the answer; one
        // that came later is a reuse of a single-use code, and WeChat says so (40163).
        if (json !== undefined && seen.finishedAt >= startedAt) return JSON.parse(json) as T;
        return exchange();
      }
      if (Date.now() >= deadline) return exchange();
    }
  }

  async #exchange<T>(code: string, lease: Lease, exchange: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await exchange();
    } catch (err) {
      await lease.release();
      throw err;
    }
    lease.stop();
    // Without a waiter, the claim is simply removed: no result at rest, and nothing left in a
    // MemoryStore. A second tap that marks itself between this read and the removal finds the
    // claim gone, exchanges the code itself and gets WeChat's 40163: the first tap has the token.
    const waiting = await this.#call('read code waiters', () =>
      this.#store.get(`${lease.key}:waiting`),
    ).catch(() => 1);
    if (waiting === undefined) {
      await lease.release();
      return result;
    }
    const published: Published = {
      state: 'done',
      finishedAt: Date.now(),
      sealed: sealForCode(code, this.#appId, lease.key, JSON.stringify(result)),
    };
    try {
      await this.#call('publish code result', () =>
        this.#store.set(lease.key, published as unknown as StoredValue, RESULT_TTL_MS),
      );
      // The waiters already wait; the marker has done its job.
      await this.#call('clear code waiters', () => this.#store.delete(`${lease.key}:waiting`));
    } catch {
      await lease.release();
    }
    return result;
  }

  /** The published result once the claim is no longer pending, or undefined (gone, or out of time). */
  async #waitWhilePending(key: string, deadline: number): Promise<Published | undefined> {
    while (Date.now() < deadline) {
      const value = await this.#call('read code', () => this.#store.get(key));
      if (typeof value === 'string' && value.startsWith(LEASE_PREFIX)) {
        await sleep(POLL_MS);
        continue;
      }
      return isPublished(value) ? value : undefined;
    }
    return undefined;
  }

  #call<R>(op: string, run: () => R | Promise<R>): Promise<R> {
    return callStore(this.#logger, op, run);
  }
}

function isPublished(value: unknown): value is Published {
  const v = value as Partial<Published> | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.state === 'done' &&
    typeof v.finishedAt === 'number' &&
    typeof v.sealed === 'string'
  );
}
