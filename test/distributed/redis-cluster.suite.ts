// RedisStore on a real Redis Cluster (three masters, three replicas, started here): the store
// contract through ioredis Cluster and node-redis createCluster, and the whole login flow.

import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/index.js';
import { runSessionStoreContract } from '../../src/testing/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { startCluster } from '../helpers/redis-topologies.js';

const cluster = await startCluster();
const emulator = await startEmulator();

const io = new Cluster(cluster.rootNodes, { clusterRetryStrategy: () => 100 });
io.on('error', () => undefined);
const node = createCluster({
  rootNodes: cluster.rootNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })),
});
node.on('error', () => undefined);
await node.connect();
await new Promise<void>((resolve) => (io.status === 'ready' ? resolve() : io.once('ready', () => resolve())));
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
    const users = Array.from({ length: 12 }, () => emulator.createUser());
    const tokens = await Promise.all(
      users.map(async (user) => {
        const res = await request(app)
          .post('/wx/login')
          .send({ code: emulator.issueLoginCode(user.openid) });
        expect(res.status).toBe(200);
        return res.body.token as string;
      }),
    );
    for (const [i, token] of tokens.entries()) {
      const me = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
      expect(me.status).toBe(200);
      expect(me.body.openid).toBe(users[i]?.openid);
    }
    emulator.resetCalls();
    const phones = await Promise.all(
      users.map((user, i) =>
        request(app)
          .post('/wx/phone')
          .set('Authorization', `Bearer ${tokens[i]}`)
          .send({ code: emulator.issuePhoneCode(user.openid) }),
      ),
    );
    expect(phones.map((r) => r.status)).toEqual(users.map(() => 200));
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
    await request(app).post('/wx/logout').set('Authorization', `Bearer ${tokens[0]}`).expect(204);
    expect((await request(app).get('/me').set('Authorization', `Bearer ${tokens[0]}`)).status).toBe(401);
  });
});
