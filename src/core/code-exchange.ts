// One exchange per login code across every instance sharing the store: a double tap that a load
// balancer sends to two instances makes one code2Session call, and both get the same answer.

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WxLogger } from '../logger.js';
import type { SessionStore, StoredValue } from '../stores/types.js';
import { callStore } from './store-call.js';

/** How long a claimed code waits for its exchange before another instance may take it over. */
const CLAIM_TTL_MS = 30_000;
/** How long a finished exchange stays readable by the requests that were waiting for it. */
const RESULT_TTL_MS = 5_000;
const POLL_MS = 50;

type Claim = { state: 'pending' } | { state: 'done'; result: StoredValue; finishedAt: number };

/**
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
   * `budgetMs`) for its result. If that exchange fails, its claim is dropped and a waiter tries
   * itself, so a failure is never replayed from the store: WeChat answers again (40163, say).
   */
  async once<T>(code: string, budgetMs: number, exchange: () => Promise<T>): Promise<T> {
    // The raw code never becomes a key: keys are visible to anyone who can list the store.
    const key = `${this.#appId}:code:${createHash('sha256').update(code).digest('base64url')}`;
    const startedAt = Date.now();
    const deadline = startedAt + budgetMs;
    for (;;) {
      const claimed = await this.#call('claim code', () =>
        this.#store.add(key, { state: 'pending' } satisfies Claim, CLAIM_TTL_MS),
      );
      if (claimed) return this.#exchange(key, exchange);
      const seen = await this.#waitWhilePending(key, deadline);
      if (seen?.state === 'done') {
        // Only a request that was in flight while the code was exchanged shares the answer; one
        // that came later is a reuse of a single-use code, and WeChat says so (40163).
        return seen.finishedAt >= startedAt ? (seen.result as T) : exchange();
      }
      if (Date.now() >= deadline) return exchange();
    }
  }

  async #exchange<T>(key: string, exchange: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await exchange();
    } catch (err) {
      await this.#call('release code', () => this.#store.delete(key)).catch(() => undefined);
      throw err;
    }
    await this.#call('publish code result', () =>
      this.#store.set(
        key,
        { state: 'done', result: result as StoredValue, finishedAt: Date.now() } satisfies Claim,
        RESULT_TTL_MS,
      ),
    ).catch(() => undefined);
    return result;
  }

  /** The claim once it is no longer pending: done, or gone (undefined). */
  async #waitWhilePending(key: string, deadline: number): Promise<Claim | undefined> {
    while (Date.now() < deadline) {
      const value = (await this.#call('read code', () => this.#store.get(key))) as Claim | undefined;
      if (value?.state !== 'pending') return value;
      await sleep(POLL_MS);
    }
    return undefined;
  }

  #call<R>(op: string, run: () => R | Promise<R>): Promise<R> {
    return callStore(this.#logger, op, run);
  }
}
