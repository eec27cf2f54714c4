// Real distributed Redis for tests: a Redis Cluster of three masters and three replicas, and a
// Sentinel-managed master with a replica, each on free loopback ports, stopped after the file.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { freePort } from './processes.js';
import { services } from './services/index.js';

const run = promisify(execFile);
const children = new Set<ChildProcess>();
const folders: string[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** One redis-server process of a topology. */
export interface RedisNode {
  port: number;
  /** Kills it at once (SIGKILL): a crash, not a shutdown. */
  kill(): void;
  /** Starts it again with the same arguments (a cluster node rejoins from its nodes file). */
  restart(): Promise<RedisNode>;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function startServer(args: string[], port: number): Promise<RedisNode> {
  const child = spawn(services.redisServer ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  return new Promise<RedisNode>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server :${port} did not start: ${output}`)),
      20_000,
    );
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (/Ready to accept connections|Sentinel ID is/.test(output)) {
        clearTimeout(timer);
        resolve({
          port,
          kill: () => {
            child.kill('SIGKILL');
            children.delete(child);
          },
          restart: () => startServer(args, port),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`redis-server :${port} exited with ${code}: ${output}`)));
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 20_000,
  });
  return stdout;
}

/** Polls `check` until it holds, or throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface RedisCluster {
  nodes: RedisNode[];
  /** `host:port` of every node, for ioredis `new Cluster(...)` and node-redis `createCluster(...)`. */
  rootNodes: { host: string; port: number }[];
  /** The node serving `key`'s slot as master now. */
  masterFor(key: string): Promise<RedisNode>;
}

/**
 * Three masters and three replicas of `redis-server --cluster-enabled yes`, joined by
 * `redis-cli --cluster create`. A node timeout of 1 s makes a failover take a few seconds.
 *
 * @example
 * const cluster = await startCluster();
 * const client = new Cluster(cluster.rootNodes);
 */
export async function startCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-cluster-'));
  folders.push(dir);
  const ports: number[] = [];
  while (ports.length < 6) {
    const port = await freePort();
    // The cluster bus listens on port + 10000: it must be free too, and no node's port may be
    // another node's bus port.
    const clashes = ports.some((p) => Math.abs(p - port) === 10_000 || p === port);
    if (port < 55_000 && !clashes && (await isFree(port + 10_000))) ports.push(port);
  }
  const nodes = await Promise.all(
    ports.map((port) =>
      startServer(
        [
          ...serverArgs(dir, port),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '1000',
        ],
        port,
      ),
    ),
  );
  await run(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ],
    { timeout: 60_000 },
  );
  await waitFor('the cluster to be ok on every node', async () => {
    const infos = await Promise.all(ports.map((p) => cli(p, 'CLUSTER', 'INFO')));
    return infos.every((info) => info.includes('cluster_state:ok'));
  });
  return {
    nodes,
    rootNodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async masterFor(key: string) {
      // Ask any node that answers: one of them may be the one a test just killed.
      let shards = '';
      let slot = -1;
      for (const port of ports) {
        try {
          slot = Number((await cli(port, 'CLUSTER', 'KEYSLOT', key)).trim());
          shards = await cli(port, 'CLUSTER', 'NODES');
          break;
        } catch {
          // next node
        }
      }
      for (const line of shards.split('\n')) {
        const [, address, flags, , , , , state, ...ranges] = line.split(' ');
        if (!flags?.includes('master') || flags.includes('fail') || state !== 'connected') continue;
        const owns = ranges.some((range) => {
          const [from, to = from] = range.split('-').map(Number);
          return slot >= (from as number) && slot <= (to as number);
        });
        if (owns) {
          const port = Number(address?.split(':')[1]?.split('@')[0]);
          const node = nodes.find((n) => n.port === port);
          if (node) return node;
        }
      }
      throw new Error(`no master serves ${key}`);
    },
  };
}

export interface RedisSentinelSetup {
  master: RedisNode;
  replica: RedisNode;
  sentinel: RedisNode;
  /** The name the sentinel monitors the master under. */
  name: string;
  /** The master's port as the sentinel reports it now. */
  currentMasterPort(): Promise<number>;
}

/**
 * The arguments every redis-server of a topology starts with: its port on loopback, nothing kept
 * across restarts, files in `dir`. Each server has its own RDB file: a replica's full sync writes
 * the file and loads it back, and with one shared name a replica could load another shard's data.
 */
function serverArgs(dir: string, port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--dbfilename',
    `dump-${port}.rdb`,
  ];
}

/**
 * A master, its replica, and one sentinel (quorum 1) that fails over after 1 s of silence.
 *
 * @example
 * const setup = await startSentinel();
 * const client = new Redis({ sentinels: [{ host: '127.0.0.1', port: setup.sentinel.port }], name: setup.name });
 */
export async function startSentinel(): Promise<RedisSentinelSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-sentinel-'));
  folders.push(dir);
  const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const master = await startServer(serverArgs(dir, masterPort), masterPort);
  const replica = await startServer(
    [...serverArgs(dir, replicaPort), '--replicaof', '127.0.0.1', String(masterPort)],
    replicaPort,
  );
  await waitFor('the replica to sync', async () =>
    (await cli(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'),
  );
  const name = 'wxl-master';
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const sentinel = await startServer([config, '--sentinel'], sentinelPort);
  await waitFor('the sentinel to see the replica', async () =>
    (await cli(sentinelPort, 'SENTINEL', 'REPLICAS', name)).includes(String(replicaPort)),
  );
  return {
    master,
    replica,
    sentinel,
    name,
    async currentMasterPort() {
      const reply = await cli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
      return Number(reply.trim().split('\n')[1]);
    },
  };
}
