// A user's sessions across two instances (separate processes) on one Redis: revoke-all on one is
// refused by the other within sessionCacheMs, list and update see both, renewal rotates and its
// reuse ends the session on both (two more instances in renewal mode), and every key expires.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { logInNewUser, startEmulator, TOKEN_SECRET } from '../helpers/app.js';
import { startInstance } from '../helpers/processes.js';
import { deleteUnder, keysUnder } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';

const emulator = await startEmulator();
const prefix = `wxl-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
// Skipped, and reported by the test run, on a machine without Redis.
const REDIS_URL = services.redisUrl;
const redis = new Redis(REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: !REDIS_URL });

afterAll(async () => {
  if (REDIS_URL) await deleteUnder(redis, prefix);
  redis.disconnect();
});

const env = {
  REDIS_URL: REDIS_URL ?? 'redis://127.0.0.1:6379',
  WX_APP_ID: emulator.appId,
  WX_APP_SECRET: emulator.appSecret,
  WX_TOKEN_SECRET: TOKEN_SECRET,
  WX_API_BASE_URL: emulator.url,
  STORE_PREFIX: prefix,
};
/** Instances only where there is a Redis to share (the suites are skipped otherwise). */
const none = { url: 'http://127.0.0.1:9', stop: () => undefined };
const [a, b] = REDIS_URL ? await Promise.all([startInstance(env), startInstance(env)]) : [none, none];
// Two more in renewal mode: 10-minute access tokens, POST /wx/refresh.
const renewing = { ...env, REFRESH_ACCESS_TTL: '600' };
const [c, d] = REDIS_URL
  ? await Promise.all([startInstance(renewing), startInstance(renewing)])
  : [none, none];

async function login(url: string, openid: string, userAgent = 'curl/8.5.0'): Promise<string> {
  const res = await request(url)
    .post('/wx/login')
    .set('User-Agent', userAgent)
    .send({ code: emulator.issueLoginCode(openid) });
  expect(res.status).toBe(200);
  return res.body.token;
}

/** What Redis Cluster hashes of a key: the text of the first non-empty {...}, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

const me = (url: string, token: string) => request(url).get('/me').set('Authorization', `Bearer ${token}`);

/** Polls `url` with `token` until it is refused; resolves how long that took after `since`. */
/**
 * Polls `url` as `token` until `fresh(answer)` holds (for at most 15 s) and returns how long after
 * `since` the last stale answer's request was SENT (0 when none was stale). Slowness cannot fail
 * it: an entry cached before `since` expires `sessionCacheMs` after it was cached, so a request
 * sent later than that must get a fresh answer, however late the server gets to it.
 */
async function lastStaleSentAfter(
  url: string,
  token: string,
  since: number,
  fresh: (res: request.Response) => boolean,
): Promise<number> {
  let last = 0;
  while (Date.now() - since < 15_000) {
    const sentAt = Date.now();
    const res = await me(url, token);
    if (fresh(res)) return last;
    last = sentAt - since;
    await new Promise((r) => setTimeout(r, 25));
  }
  return Number.POSITIVE_INFINITY;
}

/** How long after `since` the last request still accepted was sent, once `token` is refused. */
function acceptedUntil(url: string, token: string, since: number): Promise<number> {
  return lastStaleSentAfter(url, token, since, (res) => {
    if (res.status === 401) {
      expect(res.body.error.code).toBe('WX_SESSION_REVOKED');
      return true;
    }
    expect(res.status).toBe(200);
    return false;
  });
}

/** sessionCacheMs, plus the granularity of the clock `since` was read with. */
const CACHE_BOUND_MS = 1000 + 50;

describe.skipIf(!REDIS_URL)('a user’s sessions on two instances sharing Redis', () => {
  it('lists on one instance the sessions created on both', async () => {
    const { openid } = emulator.createUser();
    await login(
      a.url,
      openid,
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.50',
    );
    await login(
      b.url,
      openid,
      'Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0.49 MiniProgramEnv/android',
    );
    const listed = (await request(b.url).get(`/admin/sessions/${openid}`)).body as Array<{ client: string }>;
    expect(listed.map((s) => s.client).sort()).toEqual([
      'Android · WeChat 8.0.49 · mini program',
      'iPhone · WeChat 8.0.50',
    ]);
  });

  it('revokeUser() on one instance is refused by the other within sessionCacheMs', async () => {
    const { openid } = emulator.createUser();
    const tokens = [await login(a.url, openid), await login(b.url, openid)];
    // Warm B's local session cache for both, the worst case for the bound.
    for (const token of tokens) expect((await me(b.url, token)).status).toBe(200);

    const res = await request(a.url).post('/admin/revoke-user').send({ openid });
    const revokedAt = Date.now();
    expect(res.body).toEqual({ ended: 2 });
    for (const token of tokens) expect((await me(a.url, token)).status).toBe(401);
    for (const token of tokens) {
      expect(await acceptedUntil(b.url, token, revokedAt)).toBeLessThanOrEqual(CACHE_BOUND_MS);
    }
    expect((await request(b.url).get(`/admin/sessions/${openid}`)).body).toEqual([]);
  });

  it('POST /wx/logout { all: true } on one instance ends the sessions made on the other', async () => {
    const { openid } = emulator.createUser();
    const onA = await login(a.url, openid);
    const onB = await login(b.url, openid);
    expect((await me(b.url, onB)).status).toBe(200);
    await request(a.url)
      .post('/wx/logout')
      .set('Authorization', `Bearer ${onA}`)
      .send({ all: true })
      .expect(204);
    expect(await acceptedUntil(b.url, onB, Date.now())).toBeLessThanOrEqual(CACHE_BOUND_MS);
  });

  it('updateUser() on one instance is seen by the other within sessionCacheMs', async () => {
    const { openid } = emulator.createUser();
    const tokens = [await login(a.url, openid), await login(b.url, openid)];
    for (const token of tokens) expect((await me(b.url, token)).body.user).toEqual({ role: 'member' });

    const res = await request(a.url)
      .post('/admin/update-user')
      .send({ openid, patch: { role: 'admin', phoneBound: true } });
    const updatedAt = Date.now();
    expect(res.body).toEqual({ updated: 2 });
    for (const token of tokens) {
      const staleUntil = await lastStaleSentAfter(b.url, token, updatedAt, (res) => {
        if (res.body.user.role !== 'admin') return false;
        expect(res.body.user).toEqual({ role: 'admin', phoneBound: true });
        return true;
      });
      expect(staleUntil).toBeLessThanOrEqual(CACHE_BOUND_MS);
    }
  });
});

describe.skipIf(!REDIS_URL)('renewal across two instances (refresh option)', () => {
  it('renews on one instance a login made on the other, and a reuse there ends it on both', async () => {
    const first = (await logInNewUser(c.url, emulator)).res.body;
    expect(first.refreshToken).toEqual(expect.any(String));
    emulator.resetCalls();
    const second = await request(d.url).post('/wx/refresh').send({ refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(emulator.calls).toEqual([]);
    const third = await request(c.url).post('/wx/refresh').send({ refreshToken: second.body.refreshToken });
    expect(third.status).toBe(200);
    expect((await me(d.url, third.body.token)).body.sessionId).toBe(
      (await me(c.url, first.token)).body.sessionId,
    );

    // The first refresh token again, on the other instance: a reuse.
    const reuse = await request(d.url).post('/wx/refresh').send({ refreshToken: first.refreshToken });
    const reusedAt = Date.now();
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('WX_SESSION_REVOKED');
    expect(await acceptedUntil(c.url, third.body.token, reusedAt)).toBeLessThanOrEqual(CACHE_BOUND_MS);
    const late = await request(c.url).post('/wx/refresh').send({ refreshToken: third.body.refreshToken });
    expect(late.status).toBe(401);
  });

  it('two instances renewing with one refresh token at once: at most one answer, then the session ends', async () => {
    const first = (await logInNewUser(c.url, emulator)).res.body;
    const answers = await Promise.all(
      [c.url, d.url].map((url) =>
        request(url).post('/wx/refresh').send({ refreshToken: first.refreshToken }),
      ),
    );
    // The loser's reuse ends the session, so the winner's answer, if it came first, is dead too.
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(answers.filter((r) => r.body.error?.code === 'WX_SESSION_REVOKED').length).toBeGreaterThanOrEqual(
      1,
    );
    const endedAt = Date.now();
    for (const token of [first.token, ...answers.filter((r) => r.status === 200).map((r) => r.body.token)]) {
      expect(await acceptedUntil(d.url, token, endedAt)).toBeLessThanOrEqual(CACHE_BOUND_MS);
    }
  });
});

describe.skipIf(!REDIS_URL)('the keys in Redis', () => {
  it('keeps every key under its prefix with a TTL, each user’s keys in one Cluster slot', async () => {
    const renewing = await logInNewUser(c.url, emulator);
    await request(d.url)
      .post('/wx/refresh')
      .send({ refreshToken: renewing.res.body.refreshToken })
      .expect(200);
    const { openid } = emulator.createUser({ withUnionid: true });
    const token = await login(a.url, openid);
    await login(b.url, openid);
    await request(b.url).post('/wx/logout').set('Authorization', `Bearer ${token}`).expect(204);

    const keys = await keysUnder(redis, prefix);
    const app = `${prefix}${emulator.appId}:`;
    expect(keys.some((k) => k === `${app}{u:${openid}}:sessions`)).toBe(true);
    expect(keys.some((k) => k.startsWith(`${app}{n:`) && k.endsWith('}:sessions'))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${app}{u:${openid}}:ended:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${app}{u:${renewing.openid}}:renewal:`))).toBe(true);
    for (const key of keys) expect(await redis.pttl(key), key).toBeGreaterThan(0);
    // Redis Cluster hashes only the hash tag of a key: the per-user keys of this user all have the
    // same one. (The session and session_key records, `sess:<sid>` and `skey:<openid>`, predate the
    // tags; every command touches one key, so they need none.)
    for (const user of [openid, renewing.openid]) {
      const own = keys.filter((k) => k.includes(user) && !k.includes(':skey:'));
      expect(own.length).toBeGreaterThanOrEqual(2);
      expect(new Set(own.map(hashTag))).toEqual(new Set([`u:${user}`]));
    }
  });
});
