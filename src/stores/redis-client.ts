// One raw-command interface over ioredis and node-redis, so that RedisStore has a single code path
// and imports neither library (both are optional peers).

import { failOption } from '../options-toolkit.js';

/**
 * The part of an ioredis (v5) client or cluster that RedisStore uses.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const client: IoRedisLike = new Redis();
 */
export interface IoRedisLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  /** `'ready'` once connected; `'wait'` before a `lazyConnect` client's first command. */
  readonly status: string;
}

/**
 * The part of a node-redis (v4/v5) client that RedisStore uses.
 *
 * @example
 * import { createClient } from 'redis';
 * const client: NodeRedisLike = await createClient().connect();
 */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isReady: boolean;
  readonly isOpen: boolean;
}

/**
 * The part of a node-redis (v4/v5) cluster client (`createCluster()`) that RedisStore uses: its
 * `sendCommand` takes the key that routes the command to its slot first.
 *
 * @example
 * import { createCluster } from 'redis';
 * const cluster: NodeRedisClusterLike = await createCluster({ rootNodes: [{ url: 'redis://10.0.0.1:7000' }] }).connect();
 */
export interface NodeRedisClusterLike {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  readonly isOpen: boolean;
  getSlotRandomNode(slot: number): unknown;
}

/**
 * The part of a node-redis (v5) Sentinel client (`createSentinel()`) that RedisStore uses: its
 * `sendCommand` takes a read-only flag first, and it tells its master by `getMasterNode()`.
 *
 * @example
 * import { createSentinel } from 'redis';
 * const sentinel: NodeRedisSentinelLike = await createSentinel({ name: 'mymaster', sentinelRootNodes: [{ host: '10.0.0.1', port: 26379 }] }).connect();
 */
export interface NodeRedisSentinelLike {
  sendCommand(isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly isReady: boolean;
  getMasterNode(): unknown;
}

/**
 * A client RedisStore accepts: ioredis (`Redis`, `Cluster`, or a Sentinel-managed `Redis`) or
 * node-redis (`createClient()`, `createCluster()`, `createSentinel()`).
 *
 * @example
 * const client: RedisClientLike = process.env.USE_IOREDIS ? new Redis() : await createClient().connect();
 */
export type RedisClientLike = IoRedisLike | NodeRedisLike | NodeRedisClusterLike | NodeRedisSentinelLike;

/**
 * Sends raw commands through whichever client it wraps.
 *
 * @example
 * const commander = toCommander(client);
 * if (commander.canSend()) await commander.send(['PING']);
 */
export interface RedisCommander {
  /** Sends one command; resolves with the client's decoded reply. */
  send(args: string[]): Promise<unknown>;
  /**
   * `false` when the client knows it has no connection, so that a call fails at once instead of
   * waiting in the client's offline queue until a timeout.
   */
  canSend(): boolean;
}

/**
 * Wraps an ioredis or node-redis client; anything else is an error naming the option "client".
 *
 * @example
 * const commander = toCommander(new Redis());
 * await commander.send(['SET', 'wxl:k', '"v"', 'PX', '1000']);
 */
export function toCommander(client: unknown): RedisCommander {
  if (typeof client !== 'object' || client === null) notAClient();
  const candidate = client as Partial<
    Record<'call' | 'status' | 'sendCommand' | 'isReady' | 'isOpen', unknown>
  >;

  if (typeof candidate.call === 'function' && typeof candidate.status === 'string') {
    const io = client as IoRedisLike;
    let seenReady = false;
    return {
      send: ([command, ...args]) => io.call(command as string, ...args),
      canSend: () => {
        const status = io.status;
        if (status === 'ready') {
          seenReady = true;
          return true;
        }
        // 'wait' is a lazyConnect client that connects on its first command. 'connecting' before
        // the client was ever ready is an app's first requests at start-up: ioredis queues them
        // and commandTimeoutMs bounds the wait. Once it has been ready, any other state means
        // Redis went away, and the answer is a 503 at once.
        return status === 'wait' || (!seenReady && (status === 'connecting' || status === 'connect'));
      },
    };
  }

  if (
    typeof candidate.sendCommand === 'function' &&
    typeof (client as Partial<NodeRedisClusterLike>).getSlotRandomNode === 'function'
  ) {
    const cluster = client as NodeRedisClusterLike;
    return {
      // The cluster routes by the command's key; every command of RedisStore has exactly one. Never
      // marked read-only: a replica could answer a read before it has the write just made.
      send: (args) => cluster.sendCommand(keyOf(args), false, args),
      canSend: () => cluster.isOpen,
    };
  }

  if (
    typeof candidate.sendCommand === 'function' &&
    typeof (client as Partial<NodeRedisSentinelLike>).getMasterNode === 'function'
  ) {
    const sentinel = client as NodeRedisSentinelLike;
    return {
      // Never read-only, for the same reason as the cluster: only the master has the latest write.
      send: (args) => sentinel.sendCommand(false, args),
      // isReady is true from connect() to close() and stays true through a failover: node-redis
      // holds commands until it has found the new master, and commandTimeoutMs bounds that wait.
      canSend: () => sentinel.isReady,
    };
  }

  if (
    typeof candidate.sendCommand === 'function' &&
    (typeof candidate.isReady === 'boolean' || typeof candidate.isOpen === 'boolean')
  ) {
    const node = client as NodeRedisLike;
    return {
      send: (args) => node.sendCommand(args),
      // node-redis v4 before 4.1 has no isReady; isOpen is the best it can tell us there.
      canSend: () => (typeof node.isReady === 'boolean' ? node.isReady : node.isOpen),
    };
  }

  notAClient();
}

function notAClient(): never {
  failOption('client', 'must be an ioredis or node-redis client');
}

/** The key of a command as RedisStore sends it: after the command, or after EVAL's script and key count. */
function keyOf(args: string[]): string | undefined {
  return args[0] === 'EVAL' || args[0] === 'EVALSHA' ? args[3] : args[1];
}
