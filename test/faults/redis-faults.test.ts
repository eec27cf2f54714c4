// Every way a private Redis can misbehave, for ioredis and node-redis: CLIENT PAUSE, DEBUG SLEEP,
// a proxy that closes or resets the connection. Each request is answered (503 while Redis cannot
// serve, never a hang or a 401), calls are not sent while the breaker is open (counted by Redis
// itself), and service resumes by itself.

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { isWxLoginError } from '../../src/errors.js';
import type { RedisClientLike } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { eventually, REDIS_CLIENTS } from '../helpers/redis-clients.js';
import { recordError } from '../helpers/secret-watch.js';
import { services } from '../helpers/services/index.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const emulator = await startEmulator();
// Without redis-server the suites below are skipped (and reported): nothing to start.
const redis = !services.redisServer
  ? (undefined as never)
  : await startPrivateRedis(['--enable-debug-command', 'local']);

/** How many times Redis itself ran `command` (INFO commandstats). */
async function served(command: string): Promise<number> {
  const info = String(await redis.admin.info('commandstats'));
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { value, ms: performance.now() - started };
  } catch (error) {
    recordError(error);
    return { error, ms: performance.now() - started };
  }
}

/** A RedisStore under a prefix of its own that gives up on a command after 300 ms. */
function faultStore(client: RedisClientLike): RedisStore {
  return new RedisStore({
    client,
    prefix: `faults-${randomBytes(4).toString('hex')}:`,
    commandTimeoutMs: 300,
  });
}

/** Reads `k` until it is `v` again, or the bound of `eventually` passes; the value last read. */
async function readBack(store: RedisStore): Promise<unknown> {
  return (
    await eventually(
      () => settle(store.get('k')),
      (r) => r.value === 'v',
    )
  ).value;
}

/** Whether a settled call was refused with 503 WX_STORE_UNAVAILABLE. */
const unavailable = (r: { error?: unknown }): boolean =>
  isWxLoginError(r.error) && r.error.code === 'WX_STORE_UNAVAILABLE';

describe.skipIf(!services.redisServer).each(REDIS_CLIENTS)('Redis faults (%s)', (_name, connect) => {
  it('CLIENT PAUSE: one timeout, then refused unsent until a PING is answered, then served', async () => {
    const { client, close } = await connect(redis.port);
    try {
      const store = faultStore(client);
      await store.set('k', 'v', 60_000);
      // Counted before the pause: INFO waits out a pause like every other command.
      const getsBefore = await served('get');
      await redis.admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const first = await settle(store.get('k'));
      expect(isWxLoginError(first.error) && first.error.code).toBe('WX_STORE_UNAVAILABLE');
      // While the breaker is open: 50 calls, all refused, none sent.
      const refused = await Promise.all(Array.from({ length: 50 }, () => settle(store.get('k'))));
      expect(refused.every(unavailable)).toBe(true);
      // Served again once the pause ends and a probe is answered.
      expect(await readBack(store)).toBe('v');
      // The paused GET, and the one that succeeded: the 50 refused never reached Redis.
      expect((await served('get')) - getsBefore).toBe(2);
    } finally {
      close();
    }
  });

  it('DEBUG SLEEP (the whole server blocked): requests get 503, then are served again', async () => {
    const { client, close } = await connect(redis.port);
    try {
      const { app } = buildApp(emulator, {
        store: faultStore(client),
        sessionCacheMs: 0,
      });
      const login = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
      expect(login.status).toBe(200);
      const auth = `Bearer ${login.body.token as string}`;
      const sleeping = redis.admin.call('DEBUG', 'SLEEP', '2');
      await sleep(50);
      const during = await Promise.all(
        Array.from({ length: 20 }, () => request(app).get('/me').set('authorization', auth)),
      );
      expect(during.map((r) => r.status)).toEqual(Array(20).fill(503));
      expect(during[0]?.body.error.code).toBe('WX_STORE_UNAVAILABLE');
      await sleeping;
      const back = await eventually(
        () => request(app).get('/me').set('authorization', auth),
        (r) => r.status === 200,
      );
      expect(back.status).toBe(200);
    } finally {
      close();
    }
  });

  it('a proxy that resets, then closes, the connection: 503 at once, served again when it is back', async () => {
    const proxy = await startTcpProxy(redis.port);
    const { client, close } = await connect(proxy.port);
    try {
      const store = faultStore(client);
      await store.set('k', 'v', 60_000);
      proxy.drop();
      // The client reconnects by itself through the proxy.
      expect(await readBack(store)).toBe('v');

      await proxy.close();
      await sleep(300);
      const down = await Promise.all(Array.from({ length: 20 }, () => settle(store.get('k'))));
      expect(down.every(unavailable)).toBe(true);
      // Bounded by the command timeout at most; with the client aware of the loss, at once.
      expect(Math.max(...down.map((r) => r.ms))).toBeLessThan(10_000);

      // Redis is reachable again at the same address: the app's own client reconnects, and the
      // store serves again with nothing else done.
      await startTcpProxy(redis.port, proxy.port);
      expect(await readBack(store)).toBe('v');
    } finally {
      close();
    }
  });
});
