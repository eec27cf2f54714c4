// Several app instances (separate processes) behind one Redis: a login on one is honoured by the
// other, a logout on one is refused by the other within 1 s, one access_token between them all,
// every key prefixed and expiring, and Redis going away gives 503 then recovers by itself.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/index.js';
import { buildApp, startEmulator, TOKEN_SECRET } from '../helpers/app.js';
import { freePort, startInstance, startRedis } from '../helpers/processes.js';
import { deleteUnder } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';

const emulator = await startEmulator();
const prefix = `wxl-test-multi-${randomBytes(4).toString('hex')}:`;
// The run's Redis (test/helpers/services): REDIS_URL, or a private redis-server.
const REDIS_URL = services.redisUrl;
let redis: Redis;
let a: { url: string };
let b: { url: string };

/** What an instance needs but its Redis. */
const baseEnv = {
  WX_APP_ID: emulator.appId,
  WX_APP_SECRET: emulator.appSecret,
  WX_TOKEN_SECRET: TOKEN_SECRET,
  WX_API_BASE_URL: emulator.url,
  STORE_PREFIX: prefix,
};

async function login(url: string): Promise<string> {
  const res = await request(url).post('/wx/login').send({ code: emulator.issueLoginCode() });
  expect(res.status).toBe(200);
  return res.body.token;
}

// Skipped, and reported by the test run, on a machine without Redis.
describe.skipIf(!REDIS_URL)('two instances sharing Redis', () => {
  beforeAll(async () => {
    redis = new Redis(REDIS_URL!);
    const env = { ...baseEnv, REDIS_URL: REDIS_URL! };
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  });

  afterAll(async () => {
    await deleteUnder(redis, prefix);
    redis.disconnect();
  });

  it('honours a login made on one instance on the other', async () => {
    const token = await login(a.url);
    const me = await request(b.url).get('/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.openid).toMatch(/.+/);
  });

  it('refuses a token on the other instance within 1 s of a logout', async () => {
    const token = await login(a.url);
    // Warm B's local session cache, the worst case for the bound.
    expect((await request(b.url).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await request(a.url).post('/wx/logout').set('Authorization', `Bearer ${token}`).expect(204);
    const loggedOutAt = Date.now();
    expect((await request(a.url).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    // B may answer 200 only to a request sent within 1 s of the logout (it read the session
    // before the logout and trusts it for sessionCacheMs); judged by when each request was sent,
    // so that a slow machine cannot fail it.
    let refused = false;
    while (!refused && Date.now() - loggedOutAt < 10_000) {
      const sentAt = Date.now();
      const res = await request(b.url).get('/me').set('Authorization', `Bearer ${token}`);
      if (res.status === 401) {
        expect(res.body.error.code).toBe('WX_SESSION_REVOKED');
        refused = true;
      } else {
        expect(res.status).toBe(200);
        expect(sentAt - loggedOutAt).toBeLessThan(1000 + 20);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(refused).toBe(true);
  });

  it('exchanges a code sent to both instances at once only once, and both get the same answer', async () => {
    emulator.resetCalls();
    emulator.fail('jscode2session', { type: 'delay', ms: 300 });
    const code = emulator.issueLoginCode();
    const [one, two] = await Promise.all([
      request(a.url).post('/wx/login').send({ code }),
      request(b.url).post('/wx/login').send({ code }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body.token).toBe(one.body.token);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
    // Once answered, the code is spent: a later try is WeChat's 40163, on either instance.
    const later = await request(b.url).post('/wx/login').send({ code });
    expect(later.status).toBe(401);
    expect(later.body.error.code).toBe('WX_CODE_USED');
  });

  it('fetches one access_token between both instances for concurrent phone requests', async () => {
    emulator.resetCalls();
    emulator.fail('stable_token', { type: 'delay', ms: 200 });
    const users = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const user = emulator.createUser();
        const url = i % 2 ? a.url : b.url;
        const res = await request(url)
          .post('/wx/login')
          .send({ code: emulator.issueLoginCode(user.openid) });
        return { url, openid: user.openid, token: res.body.token as string };
      }),
    );
    const answers = await Promise.all(
      users.map((u) =>
        request(u.url)
          .post('/wx/phone')
          .set('Authorization', `Bearer ${u.token}`)
          .send({ code: emulator.issuePhoneCode(u.openid) }),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
  });

  it('writes only prefixed keys, each with a TTL', async () => {
    // A Redis of its own, so that the scan sees every key written, not only those it looks for.
    const port = await freePort();
    const server = await startRedis(port);
    const own = new Redis(port, '127.0.0.1');
    const instance = await startInstance({ ...baseEnv, REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      const user = emulator.createUser();
      const res = await request(instance.url)
        .post('/wx/login')
        .send({ code: emulator.issueLoginCode(user.openid) });
      expect(res.status).toBe(200);
      const phone = await request(instance.url)
        .post('/wx/phone')
        .set('Authorization', `Bearer ${res.body.token}`)
        .send({ code: emulator.issuePhoneCode(user.openid) });
      expect(phone.status).toBe(200);
      const keys = await own.keys('*');
      expect(keys.some((k) => k.startsWith(`${prefix}${emulator.appId}:sess:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${prefix}${emulator.appId}:skey:`))).toBe(true);
      expect(keys.some((k) => k === `${prefix}${emulator.appId}:access-token`)).toBe(true);
      for (const key of keys) {
        expect(key.startsWith(prefix)).toBe(true);
        expect(await own.pttl(key)).toBeGreaterThan(0);
      }
    } finally {
      instance.stop();
      own.disconnect();
      await server.stop();
    }
  });
});

// A private redis-server that the test stops and starts: skipped (and reported) without one on PATH.
describe.skipIf(!services.redisServer)('Redis going away', () => {
  it('answers 503 quickly while Redis is down and recovers by itself', async () => {
    const port = await freePort();
    let server = await startRedis(port);
    const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    await new Promise<void>((resolve) =>
      client.status === 'ready' ? resolve() : client.once('ready', () => resolve()),
    );
    const { app } = buildApp(emulator, {
      store: new RedisStore({ client, commandTimeoutMs: 500 }),
      sessionCacheMs: 0,
    });

    const token = (await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() })).body.token;
    expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);

    await server.stop();
    for (const attempt of [
      () => request(app).get('/me').set('Authorization', `Bearer ${token}`),
      () => request(app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    ]) {
      const started = Date.now();
      const res = await attempt();
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('WX_STORE_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(1500);
    }

    server = await startRedis(port);
    let status = 0;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      status = (await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() })).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    client.disconnect();
    await server.stop();
  });
});
