// A short Redis stall (a TCP proxy that holds every byte, then delivers them) in the middle of a
// code claim or the access_token lock: the timed-out write lands late, its owner removes it, and
// the retry succeeds at once. A claim is renewed while its exchange runs, and expires within
// seconds when its owner can no longer reach Redis.

import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { isWxLoginError } from '../../src/errors.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { eventually, REDIS_CLIENTS } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const emulator = await startEmulator();
// Without redis-server the suites below are skipped (and reported): nothing to start.
const redis = !services.redisServer ? (undefined as never) : await startPrivateRedis();
/** The claim's and lock's TTL while renewed (LEASE_TTL_MS in src/core/lease.ts). */
const LEASE_TTL_MS = 5000;

const codeKey = (prefix: string, code: string): string =>
  `${prefix}${emulator.appId}:code:${createHash('sha256').update(code).digest('base64url')}`;

describe.skipIf(!services.redisServer).each(REDIS_CLIENTS)(
  'a Redis stall during a claim (%s)',
  (_name, connect) => {
    async function setup(overrides: { timeoutMs?: number } = {}): Promise<{
      proxy: TcpProxy;
      prefix: string;
      app: ReturnType<typeof buildApp>;
      close: () => void;
    }> {
      const proxy = await startTcpProxy(redis.port);
      const { client, close } = await connect(proxy.port);
      const prefix = `stall-${randomBytes(4).toString('hex')}:`;
      const app = buildApp(emulator, {
        store: new RedisStore({ client, prefix, commandTimeoutMs: 300 }),
        ...overrides,
      });
      return { proxy, prefix, app, close };
    }

    it('the code-claim write times out: the owner removes it, and a retry with the same code logs in', async () => {
      const { proxy, prefix, app, close } = await setup();
      try {
        const code = emulator.issueLoginCode();
        emulator.resetCalls();
        proxy.setMode('pause');
        const stalled = await request(app.app).post('/wx/login').send({ code });
        expect(stalled.status).toBe(503);
        expect(stalled.body.error.code).toBe('WX_STORE_UNAVAILABLE');
        // Redis resumes: the held SET NX is applied now, as a claim nobody is exchanging.
        proxy.setMode('forward');
        const startedAt = Date.now();
        const retry = await eventually(
          () => request(app.app).post('/wx/login').send({ code }),
          (res) => res.status !== 503,
        );
        expect(retry.status).toBe(200);
        expect(typeof retry.body.token).toBe('string');
        // Well under the 30 s an orphan claim used to block the code for.
        expect(Date.now() - startedAt).toBeLessThan(20_000);
        expect(emulator.callsTo('jscode2session')).toHaveLength(1);
        // Nothing of the exchange is left: no claim, no waiter mark, no result.
        expect(await redis.admin.exists(codeKey(prefix, code), `${codeKey(prefix, code)}:waiting`)).toBe(0);
      } finally {
        proxy.setMode('forward');
        close();
      }
    });

    it('the access_token lock write times out: the owner removes it, and the next call fetches at once', async () => {
      const { proxy, prefix, app, close } = await setup();
      try {
        emulator.resetCalls();
        proxy.setMode('pause');
        const stalled = await app.middleware.auth.getAccessToken().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isWxLoginError(stalled) && stalled.code).toBe('WX_STORE_UNAVAILABLE');
        proxy.setMode('forward');
        const token = await eventually(
          () =>
            app.middleware.auth.getAccessToken().then(
              (t) => t,
              () => undefined,
            ),
          (t) => t !== undefined,
        );
        expect(typeof token).toBe('string');
        expect(emulator.callsTo('stable_token')).toHaveLength(1);
        expect(await redis.admin.exists(`${prefix}${emulator.appId}:access-token-lock`)).toBe(0);
      } finally {
        proxy.setMode('forward');
        close();
      }
    });

    it('a claim is renewed while WeChat is slow, and expires within its TTL once its owner is cut off', async () => {
      // WeChat answers in 7-9 s here, and the package must wait for it rather than retry.
      const { proxy, prefix, app, close } = await setup({ timeoutMs: 12_000 });
      try {
        // Renewed: a 7 s exchange keeps its claim, whose TTL never exceeds the lease's.
        const code = emulator.issueLoginCode();
        emulator.fail('jscode2session', { type: 'delay', ms: 7000 });
        const slow = request(app.app)
          .post('/wx/login')
          .send({ code })
          .then((r) => r);
        const key = codeKey(prefix, code);
        const claimed = Date.now() + 5000;
        while ((await redis.admin.exists(key)) === 0 && Date.now() < claimed) await sleep(20);
        const ttls: number[] = [];
        const watchUntil = Date.now() + 6500;
        while (Date.now() < watchUntil) {
          ttls.push(Number(await redis.admin.pttl(key)));
          await sleep(250);
        }
        expect(ttls.filter((t) => !(t > 0 && t <= LEASE_TTL_MS))).toEqual([]);
        expect((await slow).status).toBe(200);
        expect(await redis.admin.exists(key)).toBe(0);

        // Cut off: the owner's renewals no longer reach Redis, and the claim expires by itself while
        // its exchange is still running, so that another instance may take the code over.
        const other = emulator.issueLoginCode();
        emulator.fail('jscode2session', { type: 'delay', ms: 9000 });
        let settled = false;
        const cut = request(app.app)
          .post('/wx/login')
          .send({ code: other })
          .then((r) => {
            settled = true;
            return r;
          });
        const otherKey = codeKey(prefix, other);
        const claimedBy = Date.now() + 5000;
        while ((await redis.admin.exists(otherKey)) === 0 && Date.now() < claimedBy) await sleep(20);
        expect(await redis.admin.exists(otherKey)).toBe(1);
        proxy.setMode('blackhole');
        const goneBy = Date.now() + LEASE_TTL_MS + 2000;
        while ((await redis.admin.exists(otherKey)) === 1 && Date.now() < goneBy) await sleep(100);
        expect(await redis.admin.exists(otherKey)).toBe(0);
        expect(settled).toBe(false);
        proxy.drop();
        proxy.setMode('forward');
        // The owner still answers its client, with the store error it met publishing.
        expect([200, 503]).toContain((await cut).status);
      } finally {
        proxy.setMode('forward');
        close();
      }
    }, 40_000);
  },
);
