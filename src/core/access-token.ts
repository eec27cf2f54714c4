// The access_token, fetched once for every instance: cached in the shared store, fetched under a
// store lock (one instance at a time) and single flight (one call per process), refreshed once
// when WeChat rejects it (at most once a minute per app), comparing that the cached token is
// still the one that failed.

import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHANNELS, publish } from '../diagnostics.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import type { SessionStore } from '../stores/types.js';
import type { WeChatClient } from '../wechat/client.js';
import { ACCESS_TOKEN_REJECTED } from '../wechat/errcode.js';
import { Lease } from './lease.js';
import { SingleFlight } from './single-flight.js';
import { callStore } from './store-call.js';

export interface AccessTokenManagerOptions {
  store: SessionStore;
  appId: string;
  wechat: WeChatClient;
  endpoint: 'stable' | 'classic';
  /** How long one fetch may take at most (timeouts and retries included), in ms. */
  fetchBudgetMs: number;
  logger?: WxLogger | undefined;
  /**
   * After WeChat rejects the token, at most one refresh per this many ms per app, across every
   * instance sharing the store; further rejections within it are answered 502 at once, so a
   * token WeChat refuses for good (a reset secret) cannot burn the daily token quota. Defaults to `60_000`.
   */
  refreshCooldownMs?: number;
}

const POLL_MS = 50;
const REFRESH_COOLDOWN_MS = 60_000;

/**
 * @example
 * const tokens = new AccessTokenManager({ store, appId, wechat, endpoint: 'stable', fetchBudgetMs: 16_000 });
 * const phone = await tokens.withToken((accessToken) => wechat.getPhoneNumber(accessToken, code));
 */
export class AccessTokenManager {
  readonly #o: AccessTokenManagerOptions;
  readonly #flight = new SingleFlight<string, string>();
  readonly #cacheKey: string;
  readonly #lockKey: string;
  readonly #cooldownKey: string;

  constructor(options: AccessTokenManagerOptions) {
    this.#o = options;
    this.#cacheKey = `${options.appId}:access-token`;
    this.#lockKey = `${options.appId}:access-token-lock`;
    this.#cooldownKey = `${options.appId}:access-token-refreshed`;
  }

  /** The current access_token: from the store when cached, else fetched once for all instances. */
  async get(): Promise<string> {
    const cached = await this.#readCache();
    if (cached) return cached;
    return this.#flight.run('fetch', () => this.#fetchUnderLock(undefined));
  }

  /**
   * Runs `call` with the access_token; if WeChat rejects the token (40001, 40014, 41001, 42001),
   * refreshes it once and retries the call once.
   */
  async withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await call(token);
    } catch (err) {
      if (!isWxLoginError(err) || err.errcode === undefined || !ACCESS_TOKEN_REJECTED.has(err.errcode))
        throw err;
      const fresh = await this.#replacementFor(token, err.errcode);
      return call(fresh);
    }
  }

  /**
   * The token to retry with after WeChat rejected `failed`: a refresh, if none happened for this app
   * within the cool-down; the result of the one under way if it replaces this same token (another
   * instance was refused it at the same moment); else a 502 at once, since `failed` is then what
   * the last refresh produced.
   */
  async #replacementFor(failed: string, errcode: number): Promise<string> {
    const cooldownMs = this.#o.refreshCooldownMs ?? REFRESH_COOLDOWN_MS;
    // The record names the token being replaced by a hash: the token itself stays out of it.
    const replacing = tokenHash(failed);
    const mayRefresh = await this.#store((s) => s.add(this.#cooldownKey, replacing, cooldownMs));
    if (mayRefresh) {
      log(
        this.#o.logger,
        'warn',
        { appId: this.#o.appId, errcode },
        'access_token rejected; refreshing once',
      );
      return this.#refreshAfterRejection(failed);
    }
    if ((await this.#store((s) => s.get(this.#cooldownKey))) === replacing) {
      const replaced = await this.#awaitRefresh(failed);
      if (replaced) return replaced;
    }
    log(
      this.#o.logger,
      'error',
      { appId: this.#o.appId, errcode },
      'WeChat keeps rejecting the access_token; not refreshing again until the cool-down passes (check appSecret and IP whitelist)',
    );
    throw new WxLoginError('WX_UPSTREAM_ERROR', 'WeChat refused the access_token; retry later', {
      wechat: { errcode, errmsg: 'access_token rejected' },
    });
  }

  /** The token another caller's refresh puts in the cache, if it does so within a fetch budget. */
  async #awaitRefresh(failed: string): Promise<string | undefined> {
    const deadline = Date.now() + this.#o.fetchBudgetMs + 2000;
    while (Date.now() < deadline) {
      const cached = await this.#readCache();
      if (cached && cached !== failed) return cached;
      await sleep(POLL_MS);
    }
    return undefined;
  }

  async #refreshAfterRejection(failed: string): Promise<string> {
    // Another instance may have replaced it already: only drop the cache if it still holds ours.
    await this.#store((s) => s.deleteIfEquals(this.#cacheKey, failed));
    return this.#flight.run(`refresh:${failed}`, async () => {
      const cached = await this.#readCache();
      if (cached && cached !== failed) return cached;
      return this.#fetchUnderLock(failed);
    });
  }

  async #fetchUnderLock(failed: string | undefined): Promise<string> {
    const deadline = Date.now() + this.#o.fetchBudgetMs + 2000;
    while (Date.now() < deadline) {
      // The lock is a lease: renewed while this instance fetches, gone within seconds if it stops,
      // and removed by its owner even when taking it timed out (the write may land later).
      const lease = await Lease.acquire(this.#o.store, this.#o.logger, this.#lockKey, 'lock access token');
      if (lease) {
        try {
          // Re-read under the lock: the previous holder may have just written a fresh token.
          const cached = await this.#readCache();
          if (cached && cached !== failed) return cached;
          return await this.#fetchAndCache(failed);
        } finally {
          await lease.release();
        }
      }
      await sleep(POLL_MS);
      const cached = await this.#readCache();
      if (cached && cached !== failed) return cached;
    }
    throw new WxLoginError(
      'WX_UPSTREAM_UNAVAILABLE',
      'the WeChat access_token could not be obtained in time',
    );
  }

  async #fetchAndCache(failed: string | undefined): Promise<string> {
    let result = await this.#o.wechat.fetchAccessToken(this.#o.endpoint, false);
    let forced = false;
    if (failed !== undefined && result.accessToken === failed && this.#o.endpoint === 'stable') {
      // stable_token still hands out the token WeChat just refused: only now force a new one.
      log(
        this.#o.logger,
        'warn',
        { appId: this.#o.appId },
        'stable_token returned the rejected token; forcing refresh',
      );
      result = await this.#o.wechat.fetchAccessToken('stable', true);
      forced = true;
    }
    publish(CHANNELS.accessTokenRefresh, () => ({
      appId: this.#o.appId,
      endpoint: this.#o.endpoint,
      afterRejection: failed !== undefined,
      forced,
    }));
    // Refresh before WeChat does: up to 5 minutes early, half the lifetime for short ones.
    const marginSeconds = Math.min(300, Math.floor(result.expiresIn / 2));
    const ttlMs = Math.max(1, result.expiresIn - marginSeconds) * 1000;
    await this.#store((s) => s.set(this.#cacheKey, result.accessToken, ttlMs));
    log(
      this.#o.logger,
      'info',
      { appId: this.#o.appId, expiresIn: result.expiresIn },
      'access_token fetched',
    );
    return result.accessToken;
  }

  async #readCache(): Promise<string | undefined> {
    const value = await this.#store((s) => s.get(this.#cacheKey));
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  #store<T>(run: (store: SessionStore) => T | Promise<T>): Promise<T> {
    return callStore(this.#o.logger, 'access token', () => run(this.#o.store));
  }
}

/** Names a token in the store without holding it. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}
