// A short-lived claim on a store key (a login code being exchanged, the access_token being fetched):
// a value unique to its owner, renewed while the owner works, released by compare-and-delete.

import { randomBytes } from 'node:crypto';
import type { WxLogger } from '../logger.js';
import type { SessionStore } from '../stores/types.js';
import { callStore } from './store-call.js';

/** How long a claim outlives an owner that stopped renewing it (crashed, or lost the store). */
export const LEASE_TTL_MS = 5000;
/** How long an owner keeps trying to remove a claim whose write failed: it may land late. */
const RELEASE_RETRY_FOR_MS = 30_000;
const RELEASE_RETRY_EVERY_MS = 500;

/** Claim values start with this, so that a reader can tell a claim from a published result. */
export const LEASE_PREFIX = 'lease:';

/**
 * Held by the one caller whose `add` wrote the key. Renewed every third of its TTL, so an owner
 * that stops (a crash, a partition) leaves a claim that expires within `LEASE_TTL_MS`, and waiters
 * take over. If the `add` itself failed (a timeout: the write may still reach Redis when it
 * resumes), the would-be owner removes its value as soon as the store answers again.
 *
 * @example
 * const lease = await Lease.acquire(store, logger, 'wx123:access-token-lock', 'lock access token');
 * if (lease) try { await work(); } finally { await lease.release(); }
 */
export class Lease {
  readonly key: string;
  readonly value: string;
  readonly #store: SessionStore;
  readonly #logger: WxLogger | undefined;
  readonly #ttlMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #renewing = false;

  private constructor(
    store: SessionStore,
    logger: WxLogger | undefined,
    key: string,
    value: string,
    ttlMs: number,
  ) {
    this.#store = store;
    this.#logger = logger;
    this.key = key;
    this.value = value;
    this.#ttlMs = ttlMs;
    this.#timer = setInterval(() => void this.#renew(), Math.max(1, Math.floor(ttlMs / 3)));
    this.#timer.unref?.();
  }

  /** Writes a fresh claim at `key` if none is there; `undefined` when another holds it. */
  static async acquire(
    store: SessionStore,
    logger: WxLogger | undefined,
    key: string,
    op: string,
    ttlMs: number = LEASE_TTL_MS,
  ): Promise<Lease | undefined> {
    const value = `${LEASE_PREFIX}${randomBytes(12).toString('base64url')}`;
    let won: boolean;
    try {
      won = await callStore(logger, op, () => store.add(key, value, ttlMs));
    } catch (err) {
      releaseWhenPossible(store, key, value);
      throw err;
    }
    return won ? new Lease(store, logger, key, value, ttlMs) : undefined;
  }

  /** Stops renewing, without removing the claim (its owner is about to overwrite it). */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** Stops renewing and removes the claim if it is still ours; never throws. */
  async release(): Promise<void> {
    this.stop();
    try {
      await callStore(this.#logger, 'release claim', () => this.#store.deleteIfEquals(this.key, this.value));
    } catch {
      releaseWhenPossible(this.#store, this.key, this.value);
    }
  }

  async #renew(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      const kept = await extendIfEquals(this.#store, this.key, this.value, this.#ttlMs);
      // Gone (expired while the store was away, or taken over): nothing left to keep alive.
      if (!kept) this.stop();
    } catch {
      // The next beat tries again; if none succeeds, the claim expires, as it should.
    } finally {
      this.#renewing = false;
    }
  }
}

/** The store's atomic renewal, or a read-compare-write for stores without one. */
async function extendIfEquals(
  store: SessionStore,
  key: string,
  value: string,
  ttlMs: number,
): Promise<boolean> {
  if (typeof store.extendIfEquals === 'function') return store.extendIfEquals(key, value, ttlMs);
  if ((await store.get(key)) !== value) return false;
  await store.set(key, value, ttlMs);
  return true;
}

/**
 * Removes `value` at `key` in the background, retrying while the store fails, for up to 30 s: a
 * write that timed out may still be applied when the store resumes, and must not then block others.
 */
function releaseWhenPossible(store: SessionStore, key: string, value: string): void {
  const giveUpAt = Date.now() + RELEASE_RETRY_FOR_MS;
  const attempt = (): void => {
    Promise.resolve()
      .then(() => store.deleteIfEquals(key, value))
      .then(
        () => undefined,
        () => {
          if (Date.now() >= giveUpAt) return;
          setTimeout(attempt, RELEASE_RETRY_EVERY_MS).unref?.();
        },
      );
  };
  attempt();
}
