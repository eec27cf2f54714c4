// RedisStore: the SessionStore for many instances, on an ioredis or node-redis client the app owns.
// Single-key atomic commands only (safe on Redis Cluster), and fail fast when Redis is down or hung.

import type { WxLoginError } from '../errors.js';
import {
  omitUndefined,
  positiveNumberArgument,
  positiveNumberOption,
  stringOption,
} from '../options-toolkit.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { type RedisClientLike, type RedisCommander, toCommander } from './redis-client.js';
import { storeUnavailable, summarizeError } from './store-error.js';
import type { SessionStore, StoredValue } from './types.js';

export interface RedisStoreOptions {
  /** A connected ioredis (v5) or node-redis (v4/v5) client. The app owns it: `close()` leaves it open. */
  client: RedisClientLike;
  /** Prepended to every key, so that several apps can share one Redis. Defaults to `'wxl:'`. */
  prefix?: string;
  /**
   * How long one command may take before the call fails with `WX_STORE_UNAVAILABLE`, so that a
   * hung Redis turns into a quick 503 rather than a hanging request. After such a timeout, calls
   * fail at once without being sent until a `PING` is answered (sent at most once per
   * `commandTimeoutMs` while calls keep coming). Defaults to `1000`.
   */
  commandTimeoutMs?: number;
}

// Compare-and-delete in one step: a GET then DEL from the client could delete a lock that another
// instance took in between.
const DELETE_IF_EQUALS =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
// The same for renewing a claim's TTL: only its owner may keep it alive.
const EXTEND_IF_EQUALS =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

// An index is a sorted set scored by each member's expiry (Unix ms); one script per change keeps
// it to one key (one Cluster slot): drop the expired, add, and expire the key with its last member.
const INDEX_ADD =
  "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1]) redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3]) " +
  "local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES') redis.call('PEXPIREAT', KEYS[1], last[2]) return 1";

/**
 * A SessionStore in Redis, shared by every instance of the app. Values are JSON; every key carries
 * `prefix` and a TTL. When Redis is unreachable or slow, calls reject with `WX_STORE_UNAVAILABLE`
 * within `commandTimeoutMs`; after a timeout they reject at once, unsent, until a probe is answered.
 * Errors carry only a summary (`ReplyError: OOM command not allowed…`), never the client's error,
 * which holds the command's arguments. Once Redis answers again, the store works again. A bad
 * option throws a `TypeError` with `code: 'ERR_INVALID_ARG_VALUE'` naming it.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const client = new Redis(process.env.REDIS_URL!);
 * client.on('error', (err) => logger.warn(err)); // both clients crash the process without one
 * app.use(wxLogin({ appId, appSecret, tokenSecret, store: new RedisStore({ client, prefix: 'myapp:wx:' }) }));
 */
export class RedisStore implements SessionStore {
  /** Shared between processes, so the core may keep its short local session cache. */
  readonly shared = true;
  readonly #commander: RedisCommander;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #breaker: CircuitBreaker;

  constructor(options: RedisStoreOptions) {
    const given = omitUndefined(options);
    this.#commander = toCommander(given.client);
    this.#prefix = stringOption(given, 'prefix', 'wxl:');
    this.#timeoutMs = positiveNumberOption(given, 'commandTimeoutMs', 1000);
    this.#breaker = new CircuitBreaker(() => this.#commander.send(['PING']), this.#timeoutMs);
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const reply = await this.#send(['GET', this.#prefix + key]);
    const text = asText(reply);
    return text === undefined ? undefined : (JSON.parse(text) as StoredValue);
  }

  async set(key: string, value: StoredValue, ttlMs: number): Promise<void> {
    const px = toPx(ttlMs);
    await this.#send(['SET', this.#prefix + key, JSON.stringify(value), 'PX', px]);
  }

  async delete(key: string): Promise<void> {
    await this.#send(['DEL', this.#prefix + key]);
  }

  async add(key: string, value: StoredValue, ttlMs: number): Promise<boolean> {
    const px = toPx(ttlMs);
    const reply = await this.#send(['SET', this.#prefix + key, JSON.stringify(value), 'PX', px, 'NX']);
    return asText(reply) === 'OK';
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    // Stored values are JSON, so the string is compared in its JSON form.
    const reply = await this.#send([
      'EVAL',
      DELETE_IF_EQUALS,
      '1',
      this.#prefix + key,
      JSON.stringify(value),
    ]);
    return Number(reply) === 1;
  }

  async extendIfEquals(key: string, value: string, ttlMs: number): Promise<boolean> {
    const px = toPx(ttlMs);
    const reply = await this.#send([
      'EVAL',
      EXTEND_IF_EQUALS,
      '1',
      this.#prefix + key,
      JSON.stringify(value),
      px,
    ]);
    return Number(reply) === 1;
  }

  /** Index method: adds (or renews) `member` at `key` for `ttlMs`, in one script on one key. */
  async indexAdd(key: string, member: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    const expiresAt = String(now + Math.ceil(Number(toPx(ttlMs))));
    await this.#send(['EVAL', INDEX_ADD, '1', this.#prefix + key, String(now), expiresAt, member]);
  }

  /** Index method: the members at `key` that have not expired. */
  async indexMembers(key: string): Promise<string[]> {
    const reply = await this.#send(['ZRANGEBYSCORE', this.#prefix + key, `(${Date.now()}`, '+inf']);
    return Array.isArray(reply) ? reply.map((m) => asText(m) ?? '') : [];
  }

  /** Index method: removes `member` from the index at `key` (Redis drops the key once empty). */
  async indexRemove(key: string, member: string): Promise<void> {
    await this.#send(['ZREM', this.#prefix + key, member]);
  }

  /** Does nothing: the client belongs to the app, which may use it for more than sessions. */
  close(): void {}

  #send(args: string[]): Promise<unknown> {
    if (!this.#commander.canSend()) {
      return Promise.reject(storeUnavailable('the Redis client is not connected'));
    }
    if (this.#breaker.refuses()) {
      return Promise.reject(
        storeUnavailable('Redis stopped answering; calls fail at once until a PING is answered'),
      );
    }
    let sent: Promise<unknown>;
    try {
      sent = this.#commander.send(args);
    } catch (err) {
      return Promise.reject(unavailable(err));
    }
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The connection is open but nothing comes back: stop sending, or every request of the
        // next minutes would add a command to the client's queue.
        this.#breaker.trip();
        reject(storeUnavailable(`Redis did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      // A command still pending when the timer fires may settle later; `then` with both handlers
      // keeps that late failure from becoming an unhandled rejection.
      sent.then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(unavailable(err));
        },
      );
    });
  }
}

/** Never the client's error itself: ioredis puts the command's arguments (values) on it. */
function unavailable(err: unknown): WxLoginError {
  return storeUnavailable(summarizeError(err));
}

/** Redis wants whole milliseconds; a fraction rounds up so that a TTL never shrinks to 0. */
function toPx(ttlMs: number): string {
  return String(Math.ceil(positiveNumberArgument(ttlMs, 'RedisStore ttlMs')));
}

/** A bulk-string reply as text (node-redis may hand back a Buffer under a type mapping). */
function asText(reply: unknown): string | undefined {
  if (typeof reply === 'string') return reply;
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  return undefined;
}
