// POST /wx/phone and the access_token behind it: one fetch for a burst, refresh once when WeChat
// stops accepting the token, no poisoned cache after a failed fetch, WeChat errors mapped.

import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { buildApp, loggedInUser, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

function phone(app: Parameters<typeof request>[0], token: string, code: unknown) {
  return request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({ code });
}

describe('POST /wx/phone', () => {
  it('returns the phone number, passes the openid to WeChat, and calls onPhoneNumber', async () => {
    const events: unknown[] = [];
    const { app } = buildApp(emulator, {
      onLogin: () => ({ userId: 7 }),
      onPhoneNumber: (event) => {
        events.push(event);
      },
    });
    const { openid, token } = await loggedInUser(app, emulator);
    const code = emulator.issuePhoneCode(openid, {
      phoneNumber: '+86 13912345678',
      purePhoneNumber: '13912345678',
    });
    const res = await phone(app, token, code);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      phoneNumber: '+86 13912345678',
      purePhoneNumber: '13912345678',
      countryCode: '86',
    });
    const [call] = emulator.callsTo('getuserphonenumber');
    expect(call?.body).toEqual({ code, openid });
    expect(call?.query.access_token).toMatch(/.+/);
    expect(events).toEqual([
      {
        openid,
        appId: emulator.appId,
        user: { userId: 7 },
        phone: { phoneNumber: '+86 13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
      },
    ]);
  });

  it('uses stable_token by default and /cgi-bin/token when tokenEndpoint is classic', async () => {
    const stable = buildApp(emulator);
    const a = await loggedInUser(stable.app, emulator);
    expect((await phone(stable.app, a.token, emulator.issuePhoneCode(a.openid))).status).toBe(200);
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
    expect(emulator.callsTo('stable_token')[0]?.body).toEqual({
      grant_type: 'client_credential',
      appid: emulator.appId,
      secret: emulator.appSecret,
      force_refresh: false,
    });
    expect(emulator.callsTo('token')).toHaveLength(0);

    const classic = buildApp(emulator, { tokenEndpoint: 'classic' });
    const b = await loggedInUser(classic.app, emulator);
    expect((await phone(classic.app, b.token, emulator.issuePhoneCode(b.openid))).status).toBe(200);
    expect(emulator.callsTo('token')).toHaveLength(1);
  });

  it('makes exactly one token fetch for 20 concurrent phone requests', async () => {
    const { app } = buildApp(emulator);
    const users = await Promise.all(Array.from({ length: 20 }, () => loggedInUser(app, emulator)));
    emulator.fail('stable_token', { type: 'delay', ms: 100 });
    const answers = await Promise.all(
      users.map((u) => phone(app, u.token, emulator.issuePhoneCode(u.openid))),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(20);
  });

  // Revoking tokens changes the emulator for good (and forced refreshes are limited to one per
  // 30 s), so these tests get an emulator of their own.
  it('refreshes a token that WeChat stopped accepting, once, and the call succeeds', async () => {
    const own = await startEmulator();
    const { app } = buildApp(own, { tokenEndpoint: 'classic' });
    const u = await loggedInUser(app, own);
    expect((await phone(app, u.token, own.issuePhoneCode(u.openid))).status).toBe(200);
    own.invalidateAccessTokens();
    own.resetCalls();
    const res = await phone(app, u.token, own.issuePhoneCode(u.openid));
    expect(res.status).toBe(200);
    expect(own.callsTo('token')).toHaveLength(1);
    const calls = own.callsTo('getuserphonenumber');
    expect(calls.map((c) => c.errcode ?? 0)).toEqual([40001, 0]);
    expect(calls[1]?.query.access_token).not.toBe(calls[0]?.query.access_token);
  });

  it('forces a stable_token refresh only when the normal fetch returns the rejected token', async () => {
    const { app } = buildApp(emulator);
    const u = await loggedInUser(app, emulator);
    expect((await phone(app, u.token, emulator.issuePhoneCode(u.openid))).status).toBe(200);
    emulator.invalidateAccessTokens();
    emulator.resetCalls();
    const res = await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    expect(res.status).toBe(200);
    const fetches = emulator
      .callsTo('stable_token')
      .map((c) => (c.body as { force_refresh: boolean }).force_refresh);
    expect(fetches.at(-1)).toBe(true);
    expect(fetches.filter((f) => f)).toHaveLength(1);
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(2);
  });

  it('does not retry a second time when WeChat keeps refusing the fresh token', async () => {
    const { app } = buildApp(emulator, { tokenEndpoint: 'classic' });
    const u = await loggedInUser(app, emulator);
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 40001 }, { times: 5 });
    const res = await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WX_UPSTREAM_ERROR');
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(2);
    expect(emulator.callsTo('token')).toHaveLength(2);
  });

  it('does not cache a failed token fetch: the next request fetches again and succeeds', async () => {
    const { app } = buildApp(emulator, { retries: 0 });
    const u = await loggedInUser(app, emulator);
    emulator.fail('stable_token', { type: 'http', status: 503 });
    const first = await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    expect(first.status).toBe(502);
    expect(first.body.error.code).toBe('WX_UPSTREAM_UNAVAILABLE');
    const second = await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    expect(second.status).toBe(200);
    expect(emulator.callsTo('stable_token')).toHaveLength(2);
  });

  it('fetches again once the cached token expired, and only once', async () => {
    const store = new MemoryStore();
    const short = await startEmulator({ accessTokenTtlSeconds: 2 });
    const { app } = buildApp(short, { store, tokenEndpoint: 'classic' });
    const user = short.createUser();
    const login = await request(app)
      .post('/wx/login')
      .send({ code: short.issueLoginCode(user.openid) });
    const ask = () => phone(app, login.body.token, short.issuePhoneCode(user.openid));
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    expect(short.callsTo('token')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100)); // cached for expires_in / 2 = 1 s
    const later = await Promise.all([ask(), ask(), ask()]);
    expect(later.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(short.callsTo('token')).toHaveLength(2);
  });

  it.each([
    ['a code never issued', () => 'never-issued-phone-code', 400, 'WX_PHONE_CODE_INVALID'],
    ['a missing code', () => undefined, 400, 'WX_INVALID_REQUEST'],
    ['a numeric code', () => 42, 400, 'WX_INVALID_REQUEST'],
  ])('answers %s without a 5xx', async (_n, make, status, code) => {
    const { app } = buildApp(emulator);
    const u = await loggedInUser(app, emulator);
    const res = await phone(app, u.token, make());
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('answers a reused phone code and another user’s code with 400', async () => {
    const { app } = buildApp(emulator);
    const a = await loggedInUser(app, emulator);
    const b = await loggedInUser(app, emulator);
    const code = emulator.issuePhoneCode(a.openid);
    expect((await phone(app, a.token, code)).status).toBe(200);
    const reused = await phone(app, a.token, code);
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('WX_PHONE_CODE_INVALID');
    const foreign = await phone(app, b.token, emulator.issuePhoneCode(a.openid));
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('WX_PHONE_CODE_INVALID');
  });

  it('maps 45011 to 429 and a WeChat outage to 502', async () => {
    const { app } = buildApp(emulator, { retries: 1 });
    const u = await loggedInUser(app, emulator);
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 45011 });
    expect((await phone(app, u.token, emulator.issuePhoneCode(u.openid))).status).toBe(429);
    emulator.fail('getuserphonenumber', { type: 'http', status: 500 }, { times: 2 });
    const down = await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('WX_UPSTREAM_UNAVAILABLE');
  });

  it('requires a token', async () => {
    const { app } = buildApp(emulator);
    const res = await request(app).post('/wx/phone').send({ code: 'abc' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('WX_TOKEN_MISSING');
  });

  it('never logs the appSecret or the access_token', async () => {
    const { app, lines } = buildApp(emulator, { tokenEndpoint: 'classic' });
    const u = await loggedInUser(app, emulator);
    await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    emulator.invalidateAccessTokens();
    await phone(app, u.token, emulator.issuePhoneCode(u.openid));
    const text = JSON.stringify(lines);
    expect(lines.some((l) => l.msg === 'access_token rejected; refreshing once')).toBe(true);
    expect(text).not.toContain(emulator.appSecret);
    for (const call of emulator.callsTo('getuserphonenumber'))
      expect(text).not.toContain(call.query.access_token);
  });
});

describe('getAccessToken()', () => {
  it('is shared by two services on the same store: one fetch between them', async () => {
    const store = new MemoryStore();
    const one = buildApp(emulator, { store }).middleware.auth;
    const two = buildApp(emulator, { store }).middleware.auth;
    const [a, b] = await Promise.all([one.getAccessToken(), two.getAccessToken()]);
    expect(a).toBe(b);
    expect(emulator.callsTo('stable_token')).toHaveLength(1);
  });
});
