// A failover on a real Redis Cluster: a master killed while users are logged in, its replica
// elected; requests get 200 or 503 meanwhile, and afterwards every session is there again.
// ioredis Cluster finds the new master by itself. node-redis createCluster follows only MOVED and
// ASK, so it recovers once the crashed node is back (it rejoins as a replica and redirects).

import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedisClientLike, RedisStore } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import {
  ioredisCluster,
  logInBeforeCrash,
  nodeRedisCluster,
  pollUntilServed,
} from '../helpers/distributed-flows.js';
import { startCluster, waitFor } from '../helpers/redis-topologies.js';

const emulator = await startEmulator();
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((close) => close())));

describe.each(['ioredis Cluster', 'node-redis createCluster'] as const)(
  'a failover on Redis Cluster (%s)',
  (name) => {
    it('answers 200 or 503 while the cluster elects, then every session is there again', async () => {
      const cluster = await startCluster();
      const io = await ioredisCluster(cluster);
      let client: RedisClientLike = io;
      if (name === 'node-redis createCluster') {
        const node = await nodeRedisCluster(cluster);
        closers.push(() => node.close().catch(() => undefined));
        client = node;
      }
      closers.push(async () => io.disconnect());
      const prefix = 'wxl-failover:';
      const { app } = buildApp(emulator, { store: new RedisStore({ client, prefix }), sessionCacheMs: 0 });
      const tokens = await logInBeforeCrash(app, emulator);
      // Redis replicates asynchronously: a write is safe from a master's crash once a replica has
      // it. WAIT on every master makes sure of that before the crash (the store itself does not).
      const acked = await Promise.all(io.nodes('master').map((master) => master.call('WAIT', '1', '5000')));
      expect(acked).toEqual([1, 1, 1]);
      const victim = await cluster.masterFor(`${prefix}${emulator.appId}:access-token`);
      victim.kill();
      if (name === 'node-redis createCluster') {
        await waitFor(
          'the replica to be elected',
          async () =>
            (await cluster.masterFor(`${prefix}${emulator.appId}:access-token`)).port !== victim.port,
        );
        await victim.restart();
      }

      const { healthy, seen } = await pollUntilServed(app, tokens);
      expect(healthy).toBe(true);
      expect([...seen.keys()].every((status) => status === 200 || status === 503)).toBe(true);
      await waitFor('a new login after the failover', async () => {
        const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
        return res.status === 200;
      });
    }, 120_000);
  },
);
