// A Redis that refuses writes (maxmemory + noeviction, on a private server): the errors that
// login, resetSessionKey and the access_token path throw, printed whole with util.inspect (causes
// included), hold no session_key and no access_token, and the client gets a 503.

import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { isWxLoginError } from '../../src/errors.js';
import { requireWxSession } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { buildApp, loggedInUser, startEmulator } from '../helpers/app.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { REDIS_CLIENTS } from '../helpers/redis-clients.js';
import { leaksIn, recordError, secret } from '../helpers/secret-watch.js';
import { services } from '../helpers/services/index.js';

const emulator = await startEmulator();
// Without redis-server the suites below are skipped (and reported): nothing to start.
const redis = !services.redisServer
  ? (undefined as never)
  : await startPrivateRedis(['--maxmemory-policy', 'noeviction']);

async function refuseWrites(): Promise<void> {
  await redis.admin.call('CONFIG', 'SET', 'maxmemory', '1');
}
async function allowWrites(): Promise<void> {
  await redis.admin.call('CONFIG', 'SET', 'maxmemory', '0');
}

/**
 * Starts `call` while WeChat answers slowly (the test delays it), refuses writes 150 ms in, and
 * allows them again once the call has ended; what it threw.
 */
async function refusedMidway(call: () => Promise<unknown>): Promise<unknown> {
  const settled = call().then(
    () => undefined,
    (e: unknown) => e,
  );
  await new Promise((resolve) => setTimeout(resolve, 150));
  await refuseWrites();
  const err = await settled;
  await allowWrites();
  return err;
}

/** What the emulator's stable_token hands out now: the token the package caches. */
async function currentAccessToken(): Promise<string> {
  const res = await fetch(`${emulator.url}/cgi-bin/stable_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credential',
      appid: emulator.appId,
      secret: emulator.appSecret,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe.skipIf(!services.redisServer).each(REDIS_CLIENTS)(
  'a Redis that refuses writes (%s)',
  (_name, connectTo) => {
    const connect = () => connectTo(redis.port);
    it('a refused write of a session_key: the error names the cause, holds no value', async () => {
      const { client, close } = await connect();
      try {
        const store = new RedisStore({ client, prefix: `faults-${randomBytes(4).toString('hex')}:` });
        const sessionKey = randomBytes(16).toString('base64');
        secret(sessionKey);
        await refuseWrites();
        const err = await store.set('skey:o1', { sessionKey, updatedAt: 1 }, 10_000).then(
          () => undefined,
          (e: unknown) => e,
        );
        await allowWrites();
        expect(isWxLoginError(err) && err.code).toBe('WX_STORE_UNAVAILABLE');
        const printed = recordError(err);
        expect(printed).toContain('OOM');
        expect(leaksIn(printed)).toEqual([]);
        expect(printed).not.toContain(sessionKey);
      } finally {
        await allowWrites();
        close();
      }
    });

    it('login, resetSessionKey and the access_token cache: 503, and nothing secret in the errors', async () => {
      const { client, close } = await connect();
      const caught: unknown[] = [];
      const { app, middleware } = buildApp(
        emulator,
        { store: new RedisStore({ client, prefix: `faults-${randomBytes(4).toString('hex')}:` }) },
        {
          routes: (a) =>
            a.post('/reset', requireWxSession(), async (req, res, next) => {
              try {
                await req.wxUser!.resetSessionKey();
                res.status(204).end();
              } catch (err) {
                caught.push(err);
                next(err);
              }
            }),
        },
      );
      try {
        const user = await loggedInUser(app, emulator);
        const auth = `Bearer ${user.token}`;

        // resetSessionKey: WeChat issues a new key, and storing it is refused.
        await middleware.auth.getAccessToken(); // cached, so the only write left is the new key's
        await refuseWrites();
        const reset = await request(app).post('/reset').set('authorization', auth);
        const fresh = emulator.sessionKeyOf(user.openid)!;
        secret(fresh);
        expect(reset.status).toBe(503);
        expect(reset.body.error.code).toBe('WX_STORE_UNAVAILABLE');
        expect(caught).toHaveLength(1);
        const printedReset = recordError(caught[0]);
        expect(printedReset).toContain('OOM');
        expect(printedReset).not.toContain(fresh);
        await allowWrites();

        // login: the code is claimed, then WeChat answers slowly, and Redis fills up meanwhile: the
        // refused write is the one that holds the session_key.
        emulator.fail('jscode2session', { type: 'delay', ms: 400 });
        const other = emulator.createUser();
        const loginErr = await refusedMidway(() =>
          middleware.auth.login(emulator.issueLoginCode(other.openid)),
        );
        secret(emulator.sessionKeyOf(other.openid));
        expect(isWxLoginError(loginErr) && loginErr.code).toBe('WX_STORE_UNAVAILABLE');
        const printedLogin = recordError(loginErr);
        expect(printedLogin).toContain('OOM');
        expect(printedLogin).not.toContain(emulator.sessionKeyOf(other.openid)!);

        // access_token: fetched under the lock, then the cache write is refused.
        await redis.admin.call('FLUSHALL'); // private server: drops the cached token
        emulator.fail('stable_token', { type: 'delay', ms: 400 });
        const err = await refusedMidway(() => middleware.auth.getAccessToken());
        const accessToken = await currentAccessToken();
        secret(accessToken);
        expect(isWxLoginError(err) && err.code).toBe('WX_STORE_UNAVAILABLE');
        const printedToken = recordError(err);
        expect(printedToken).toContain('OOM');
        expect(printedToken).not.toContain(accessToken);
      } finally {
        await allowWrites();
        close();
      }
    });
  },
);
