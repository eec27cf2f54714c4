// WeChat refusing every access_token (40001 on every call, as after a secret reset in the console):
// two instances sharing a store make at most one refresh per cool-down between them, then answer
// 502 at once, instead of one refresh per phone request until the daily token quota is gone.

import { Redis } from 'ioredis';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/stores/redis-store.js';
import { buildApp, logInNewUser, startEmulator } from '../helpers/app.js';
import { sharedRedis } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';

const emulator = await startEmulator();
// Skipped, and reported by the test run, on a machine without Redis.
const shared = services.redisUrl ? await sharedRedis() : undefined;
// Without Redis the suite is skipped; a client that never connects keeps the setup below valid.
const { client, prefix } = shared ?? { client: new Redis({ lazyConnect: true }), prefix: 'unused:' };

// Two instances, one store: what two processes behind a load balancer share.
const one = buildApp(emulator, { store: new RedisStore({ client, prefix }) });
const two = buildApp(emulator, { store: new RedisStore({ client, prefix }) });
const tokenCalls = (): number => emulator.callsTo('stable_token').length;
const forcedCalls = (): number =>
  emulator
    .callsTo('stable_token')
    .filter((c) => (c.body as { force_refresh?: boolean } | undefined)?.force_refresh === true).length;

/** A new user logged in on instance one; `phone(app)` asks either instance for their number. */
async function userOnInstanceOne() {
  const { res: login, openid } = await logInNewUser(one.app, emulator);
  const auth = `Bearer ${login.body.token as string}`;
  const phone = (app: typeof one.app) =>
    request(app)
      .post('/wx/phone')
      .set('authorization', auth)
      .send({ code: emulator.issuePhoneCode(openid) });
  return { login, phone };
}

describe.skipIf(!shared)('an access_token WeChat refuses for good', () => {
  it('is refreshed once per cool-down across instances, then answered 502 at once', async () => {
    const { login, phone } = await userOnInstanceOne();
    expect(login.status).toBe(200);

    // A working token first, cached for both.
    expect((await phone(one.app)).status).toBe(200);
    expect(tokenCalls()).toBe(1);

    emulator.fail(
      'getuserphonenumber',
      { type: 'errcode', errcode: 40001, errmsg: 'invalid credential' },
      { times: 1000 },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await phone(i % 2 === 0 ? one.app : two.app)).status);
    expect(statuses).toEqual(Array(10).fill(502));
    // One refresh for both instances: stable_token, then a forced one when it handed back the
    // same token (at most 2 calls), and never one per request.
    const afterBurst = tokenCalls();
    expect(forcedCalls()).toBe(1);
    expect(afterBurst - 1).toBeGreaterThanOrEqual(1);
    expect(afterBurst - 1).toBeLessThanOrEqual(2);
    // Within the cool-down, a rejection costs one phone call and no token call.
    expect(emulator.callsTo('getuserphonenumber').length).toBe(1 + 1 + 1 + 9);

    // The cool-down is one store key with a TTL, shared by every instance.
    const key = `${prefix}${emulator.appId}:access-token-refreshed`;
    const ttl = Number(await client.pttl(key));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // Once it has passed (here: removed), the next rejection may refresh once more.
    await client.del(key);
    expect((await phone(two.app)).status).toBe(502);
    expect(tokenCalls() - afterBurst).toBeGreaterThanOrEqual(1);
    expect(tokenCalls() - afterBurst).toBeLessThanOrEqual(2);
    expect((await phone(one.app)).status).toBe(502);
    expect(tokenCalls() - afterBurst).toBeLessThanOrEqual(2);

    emulator.clearFaults();
    await client.del(key, `${prefix}${emulator.appId}:access-token`);
  });

  it('a token both instances see refused at the same moment: one refresh, and both requests served', async () => {
    const { phone } = await userOnInstanceOne();
    expect((await phone(one.app)).status).toBe(200);
    const forcedBefore = forcedCalls();

    // A rotation elsewhere (a leak, a forced refresh by another tool): the cached token is refused.
    emulator.invalidateAccessTokens();
    const [a, b] = await Promise.all([phone(one.app), phone(two.app)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // One forced refresh between the two instances (a plain stable_token call may come back with
    // the refused token first, on either instance; only force_refresh uses up WeChat's quota).
    expect(forcedCalls() - forcedBefore).toBe(1);
    await client.del(
      `${prefix}${emulator.appId}:access-token-refreshed`,
      `${prefix}${emulator.appId}:access-token`,
    );
  });
});
