// A failover on a real Redis Cluster: a master killed while users are logged in, its replica
// elected; requests get 200 or 503 meanwhile, and afterwards every session is there again.
// ioredis Cluster finds the new master by itself. node-redis createCluster follows only MOVED and
// ASK, so it recovers once the crashed node is back (it rejoins as a replica and redirects).

import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedisClientLike, RedisStore } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { startCluster, waitFor } from '../helpers/redis-topologies.js';

const emulator = await startEmulator();
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((close) => close())));

describe.each(['ioredis Cluster', 'node-redis createCluster'] as const)(
  'a failover on Redis Cluster (%s)',
  (name) => {
    it('answers 200 or 503 while the cluster elects, then every session is there again', async () => {
      const cluster = await startCluster();
      const io = new Cluster(cluster.rootNodes, { clusterRetryStrategy: () => 100 });
      io.on('error', () => undefined);
      await new Promise<void>((resolve) =>
        io.status === 'ready' ? resolve() : io.once('ready', () => resolve()),
      );
      let client: RedisClientLike = io;
      if (name === 'node-redis createCluster') {
        const node = createCluster({
          rootNodes: cluster.rootNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })),
        });
        node.on('error', () => undefined);
        await node.connect();
        closers.push(() => node.close().catch(() => undefined));
        client = node;
      }
      closers.push(async () => io.disconnect());
      const prefix = 'wxl-failover:';
      const { app } = buildApp(emulator, { store: new RedisStore({ client, prefix }), sessionCacheMs: 0 });
      const tokens: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
        expect(res.status).toBe(200);
        tokens.push(res.body.token);
      }
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

      const seen = new Set<number>();
      const deadline = Date.now() + 60_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline) {
        const statuses = await Promise.all(
          tokens.map(
            async (token) => (await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status,
          ),
        );
        for (const status of statuses) seen.add(status);
        healthy = statuses.every((status) => status === 200);
        if (!healthy) await new Promise((r) => setTimeout(r, 200));
      }
      expect(healthy).toBe(true);
      expect([...seen].every((status) => status === 200 || status === 503)).toBe(true);
      await waitFor('a new login after the failover', async () => {
        const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
        return res.status === 200;
      });
    }, 120_000);
  },
);
