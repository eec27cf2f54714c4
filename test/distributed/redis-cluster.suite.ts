// RedisStore on a real Redis Cluster (three masters, three replicas, started here): the store
// contract through ioredis Cluster and node-redis createCluster, and the whole login flow.

import { afterAll, describe, it } from 'vitest';
import { RedisStore } from '../../src/index.js';
import { runSessionStoreContract } from '../../src/testing/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { checkLoginFlow, ioredisCluster, nodeRedisCluster } from '../helpers/distributed-flows.js';
import { startCluster } from '../helpers/redis-topologies.js';

const cluster = await startCluster();
const emulator = await startEmulator();

const io = await ioredisCluster(cluster);
const node = await nodeRedisCluster(cluster);
afterAll(async () => {
  io.disconnect();
  await node.close().catch(() => undefined);
});

runSessionStoreContract({ describe, it, afterAll }, () => new RedisStore({ client: io, prefix: 'wxl-io:' }), {
  name: 'RedisStore contract on Redis Cluster (ioredis Cluster)',
});
runSessionStoreContract(
  { describe, it, afterAll },
  () => new RedisStore({ client: node, prefix: 'wxl-node:' }),
  {
    name: 'RedisStore contract on Redis Cluster (node-redis createCluster)',
  },
);

describe.each([
  ['ioredis Cluster', io],
  ['node-redis createCluster', node],
] as const)('the login flow on Redis Cluster (%s)', (name, client) => {
  const { app } = buildApp(emulator, {
    store: new RedisStore({ client, prefix: `wxl-flow-${name.length}:` }),
  });

  it('logs users in, guards routes, fetches one access_token for phone numbers, logs out', async () => {
    await checkLoginFlow(app, emulator);
  });
});
