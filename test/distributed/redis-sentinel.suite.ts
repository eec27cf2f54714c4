// RedisStore through a Sentinel-managed master (a master, its replica and one sentinel, started
// here): the store contract, the login flow, and a failover, with ioredis and node-redis clients.

import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { type RedisClientLike, RedisStore } from '../../src/index.js';
import { runSessionStoreContract } from '../../src/testing/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { checkLoginFlow, logInBeforeCrash, pollUntilServed } from '../helpers/distributed-flows.js';
import { type RedisSentinelSetup, startSentinel } from '../helpers/redis-topologies.js';

const emulator = await startEmulator();
const closers: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closers.map((close) => close())));

/**
 * ioredis through the sentinel as the README recommends: its default retry strategies, and no
 * `failoverDetector` (a `+switch-master` during a reconnect ends the client for good in ioredis 5).
 */
async function ioredisFor(setup: RedisSentinelSetup): Promise<Redis> {
  const client = new Redis({
    sentinels: [{ host: '127.0.0.1', port: setup.sentinel.port }],
    name: setup.name,
  });
  client.on('error', () => undefined);
  closers.push(async () => client.disconnect());
  await new Promise<void>((resolve) =>
    client.status === 'ready' ? resolve() : client.once('ready', () => resolve()),
  );
  return client;
}

async function nodeRedisFor(setup: RedisSentinelSetup) {
  const client = createSentinel({
    name: setup.name,
    sentinelRootNodes: [{ host: '127.0.0.1', port: setup.sentinel.port }],
  });
  client.on('error', () => undefined);
  await client.connect();
  closers.push(() => client.close().catch(() => undefined));
  return client;
}

const CLIENTS = ['ioredis sentinels', 'node-redis createSentinel'] as const;
type ClientName = (typeof CLIENTS)[number];

function clientFor(name: ClientName, setup: RedisSentinelSetup): Promise<RedisClientLike> {
  return name === 'ioredis sentinels' ? ioredisFor(setup) : nodeRedisFor(setup);
}

const shared = await startSentinel();
const prefix = `wxl-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;

for (const name of CLIENTS) {
  const client = await clientFor(name, shared);
  runSessionStoreContract(
    { describe, it, afterAll },
    () => new RedisStore({ client, prefix: `${prefix}${name.length}:contract:` }),
    { name: `RedisStore contract through Redis Sentinel (${name})` },
  );

  describe(`the login flow through Redis Sentinel (${name})`, () => {
    const { app } = buildApp(emulator, {
      store: new RedisStore({ client, prefix: `${prefix}${name.length}:flow:` }),
    });

    it('logs users in, guards routes, fetches one access_token for phone numbers, logs out', async () => {
      await checkLoginFlow(app, emulator);
    });
  });
}

describe.each(CLIENTS)('a failover through Redis Sentinel (%s)', (name) => {
  it('answers 200 or 503 while the sentinel elects, then every session is there on the former replica', async () => {
    const setup = await startSentinel();
    const client = await clientFor(name, setup);
    const { app } = buildApp(emulator, {
      store: new RedisStore({ client, prefix: `${prefix}failover:` }),
      sessionCacheMs: 0,
    });
    const tokens = await logInBeforeCrash(app, emulator);
    // Redis replicates asynchronously: a write survives the master's crash once the replica has
    // it. WAIT on the master makes sure of that before the crash (the store itself does not).
    const master = new Redis({ host: '127.0.0.1', port: setup.master.port, lazyConnect: true });
    master.on('error', () => undefined);
    expect(await master.call('WAIT', '1', '5000')).toBe(1);
    master.disconnect();
    expect(await setup.currentMasterPort()).toBe(setup.master.port);

    setup.master.kill();

    const { healthy, seen } = await pollUntilServed(app, tokens);
    expect(healthy).toBe(true);
    expect([...seen.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    // The crash was noticed at all: some request failed over to 503 before the new master served.
    expect(seen.get(503) ?? 0).toBeGreaterThan(0);
    expect(await setup.currentMasterPort()).toBe(setup.replica.port);
    const login = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(login.status).toBe(200);
    const me = await request(app).get('/me').set('Authorization', `Bearer ${login.body.token}`);
    expect(me.status).toBe(200);
  }, 120_000);
});
