// What the Redis Cluster and Redis Sentinel suites share: the cluster clients, the login flow every
// topology must carry, and the two halves of a failover test (logins before the crash, then
// polling the sessions until all are served again). The suites keep their topology and verdicts.

import type { Express } from 'express';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import request from 'supertest';
import { expect } from 'vitest';
import type { WeChatEmulator } from '../../src/testing/index.js';
import type { RedisCluster } from './redis-topologies.js';

/** An ioredis Cluster on `cluster`, retrying every 100 ms, once it is ready. */
export async function ioredisCluster(cluster: RedisCluster): Promise<Cluster> {
  const client = new Cluster(cluster.rootNodes, { clusterRetryStrategy: () => 100 });
  client.on('error', () => undefined);
  await new Promise<void>((resolve) =>
    client.status === 'ready' ? resolve() : client.once('ready', () => resolve()),
  );
  return client;
}

/** A node-redis createCluster on `cluster`, connected. */
export async function nodeRedisCluster(cluster: RedisCluster) {
  const client = createCluster({
    rootNodes: cluster.rootNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })),
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * The login flow on a store of a distributed Redis: 12 users log in at once, each token opens
 * `/me` as its user, their phone numbers cost one access_token between them, and a logout ends
 * its session.
 */
export async function checkLoginFlow(app: Express, emulator: WeChatEmulator): Promise<void> {
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
}

/** 20 logins one after another, each answered 200, before a crash; their tokens. */
export async function logInBeforeCrash(app: Express, emulator: WeChatEmulator): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(200);
    tokens.push(res.body.token);
  }
  return tokens;
}

/**
 * Opens `/me` with every token, round after round (200 ms apart), until all answer 200 or a minute
 * has passed; whether they all did, and how often each status was seen on the way.
 */
export async function pollUntilServed(
  app: Express,
  tokens: string[],
): Promise<{ healthy: boolean; seen: Map<number, number> }> {
  const seen = new Map<number, number>();
  const deadline = Date.now() + 60_000;
  let healthy = false;
  while (!healthy && Date.now() < deadline) {
    const statuses = await Promise.all(
      tokens.map(
        async (token) => (await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status,
      ),
    );
    for (const status of statuses) seen.set(status, (seen.get(status) ?? 0) + 1);
    healthy = statuses.every((status) => status === 200);
    if (!healthy) await new Promise((r) => setTimeout(r, 200));
  }
  return { healthy, seen };
}
