// The mini program's auth client (example-app/miniprogram/utils/auth.js) with a fake `wx` against
// the real example backend on its emulator: single login, bearer header, renewal and its fallback
// to wx.login(), 401, phone, WeRun, logout (and everywhere).

import { createRequire } from 'node:module';
import { beforeEach, describe, expect, it } from 'vitest';
import { call, type MeBody, startTestExample } from '../helpers/example-app.js';
import { FakeWx, type WxRequestOptions, type WxResponse } from '../helpers/fake-wx.js';

interface ApiErrorLike extends Error {
  statusCode: number;
  code: string | undefined;
}
interface AuthClient {
  login(): Promise<{ token: string; openid: string }>;
  renew(): Promise<boolean>;
  request(options: WxRequestOptions): Promise<WxResponse>;
  api<T>(options: Omit<WxRequestOptions, 'success' | 'fail'>): Promise<T>;
  onLaunch(): Promise<boolean>;
  getPhoneNumber(event: {
    detail: { code?: string; errMsg?: string };
  }): Promise<{ purePhoneNumber: string } | null>;
  getWeRun(): Promise<{ totalSteps: number; days: number }>;
  logout(options?: { everywhere?: boolean }): Promise<void>;
  getToken(): string | null;
}
interface AuthModule {
  createAuthClient(options: { wx: object; baseUrl: string }): AuthClient;
}
interface DevWxModule {
  emulatorWx(
    wx: object,
    baseUrl: string,
  ): object & { phoneNumberEvent(): Promise<{ detail: { code: string } }> };
}

// The mini program's files are CommonJS, as WeChat runs them.
const require = createRequire(import.meta.url);
const { createAuthClient } = require('../../example-app/miniprogram/utils/auth.js') as AuthModule;
const { emulatorWx } = require('../../example-app/miniprogram/utils/dev-wx.js') as DevWxModule;

const example = await startTestExample();
const emulator = example.emulator!;

let wx: FakeWx;
let auth: AuthClient;
beforeEach(() => {
  wx = new FakeWx(emulator);
  auth = createAuthClient({ wx, baseUrl: `${example.url}/` });
});

/**
 * From now on the server answers `token` 401 WX_TOKEN_EXPIRED (it cannot be made to let a token
 * expire now: this is what it would answer), with the requests seen so far forgotten. Waits a
 * second first: a token signed in the same second with the same claims would be the same text.
 */
async function expireOnServer(token: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100));
  wx.requests.length = 0;
  wx.intercept = (options) =>
    options.header?.Authorization === `Bearer ${token}`
      ? { statusCode: 401, data: { error: { code: 'WX_TOKEN_EXPIRED', message: 'expired' } }, header: {} }
      : undefined;
}

describe('the mini program auth client', () => {
  it('logs in once for concurrent callers and sends the token on every request', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => auth.api<MeBody>({ url: '/me' })));

    expect(wx.loginCalls).toBe(1);
    expect(wx.trace().filter((line) => line.startsWith('POST /wx/login'))).toEqual(['POST /wx/login 200']);
    const token = wx.storage.get('wx_login_token');
    expect(typeof token).toBe('string');
    const me = wx.requests.filter((r) => r.path === '/me');
    expect(me).toHaveLength(5);
    for (const r of me) expect(r).toMatchObject({ authorization: `Bearer ${token}`, status: 200 });
    for (const answer of answers) expect(answer.session.openid).toBe(wx.openid);
    expect(wx.requests.find((r) => r.path === '/wx/login')?.authorization).toBeUndefined();
  });

  it('on launch logs in only without a token: an expired WeChat session does not end ours', async () => {
    expect(await auth.onLaunch()).toBe(true);
    const first = auth.getToken();
    expect(first).toMatch(/^eyJ/);
    expect(wx.storage.get('wx_login_refresh_token')).toMatch(/^[\w-]{22}\.0\./);

    expect(await auth.onLaunch()).toBe(false);
    // wx.checkSession() failing means WeChat expired the session_key, not that our session ended.
    wx.sessionAlive = false;
    expect(await auth.onLaunch()).toBe(false);
    expect(wx.loginCalls).toBe(1);
    expect(auth.getToken()).toBe(first);
    expect((await call(example.url, 'GET', '/me', { token: first! })).status).toBe(200);
  });

  it('asks for a new session_key before open data when WeChat expired its session', async () => {
    await auth.login();
    wx.sessionAlive = false;
    wx.requests.length = 0;
    const steps = await auth.getWeRun();
    expect(steps.totalSteps).toBe(10_000);
    expect(wx.trace()).toEqual(['POST /wx/login 200', 'POST /werun 200']);
    expect(wx.loginCalls).toBe(2);
  });

  it('renews an expired access token without wx.login(): one renewal for concurrent callers, then retries', async () => {
    await auth.login();
    const expired = auth.getToken()!;
    const firstRefresh = wx.storage.get('wx_login_refresh_token');
    await expireOnServer(expired);

    const answers = await Promise.all(Array.from({ length: 5 }, () => auth.api<MeBody>({ url: '/me' })));
    for (const answer of answers) expect(answer.session.openid).toBe(wx.openid);
    const trace = wx.trace();
    expect(trace.filter((l) => l === 'GET /me 401')).toHaveLength(5);
    expect(trace.filter((l) => l.startsWith('POST /wx/refresh'))).toEqual(['POST /wx/refresh 200']);
    expect(trace.filter((l) => l === 'GET /me 200')).toHaveLength(5);
    expect(wx.loginCalls).toBe(1);
    expect(auth.getToken()).not.toBe(expired);
    expect(wx.storage.get('wx_login_refresh_token')).toMatch(/^[\w-]{22}\.1\./);
    expect(wx.storage.get('wx_login_refresh_token')).not.toBe(firstRefresh);
    // The same session: renewal kept it.
    expect(answers[0]!.session.sessionId).toBe(
      (await call<MeBody>(example.url, 'GET', '/me', { token: auth.getToken()! })).body.session.sessionId,
    );
  });

  it('falls back to wx.login() when renewal is refused (a stolen refresh token was used first)', async () => {
    await auth.login();
    const first = auth.getToken()!;
    const stolen = wx.storage.get('wx_login_refresh_token') as string;
    const thief = await call<{ token: string }>(example.url, 'POST', '/wx/refresh', {
      body: { refreshToken: stolen },
    });
    expect(thief.status).toBe(200);
    await expireOnServer(first);

    const me = await auth.api<MeBody>({ url: '/me' });
    expect(me.session.openid).toBe(wx.openid);
    expect(wx.trace()).toEqual(['GET /me 401', 'POST /wx/refresh 401', 'POST /wx/login 200', 'GET /me 200']);
    expect(wx.loginCalls).toBe(2);
    // The reuse ended the family: the thief's token is dead.
    expect((await call(example.url, 'GET', '/me', { token: thief.body.token })).status).toBe(401);
  });

  it('logs in again once when the server refuses the token (revoked), then retries', async () => {
    await auth.login();
    const revoked = auth.getToken()!;
    const out = await fetch(`${example.url}/wx/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revoked}` },
    });
    expect(out.status).toBe(204);
    wx.requests.length = 0;

    const me = await auth.api<MeBody>({ url: '/me' });
    expect(me.session.openid).toBe(wx.openid);
    // The session is over, so renewal is refused too: then a new wx.login().
    expect(wx.trace()).toEqual(['GET /me 401', 'POST /wx/refresh 401', 'POST /wx/login 200', 'GET /me 200']);
    expect(wx.requests[0]?.authorization).toBe(`Bearer ${revoked}`);
    expect(wx.requests[3]?.authorization).toBe(`Bearer ${auth.getToken()}`);
    expect(auth.getToken()).not.toBe(revoked);
  });

  it('gives up after one retry when the answer stays 401', async () => {
    await auth.login();
    wx.requests.length = 0;
    wx.intercept = (options) =>
      options.url.endsWith('/me')
        ? { statusCode: 401, data: { error: { code: 'WX_TOKEN_INVALID', message: 'no' } }, header: {} }
        : undefined;

    const failure = await auth.api({ url: '/me' }).catch((err: ApiErrorLike) => err);
    expect(failure).toMatchObject({ name: 'ApiError', statusCode: 401, code: 'WX_TOKEN_INVALID' });
    expect(wx.trace()).toEqual(['GET /me 401', 'POST /wx/refresh 200', 'GET /me 401']);
    expect(wx.loginCalls).toBe(1);
  });

  it('handles the phone button: nothing when refused, the number (stored) when given', async () => {
    expect(await auth.getPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })).toBeNull();
    expect(wx.requests).toHaveLength(0);

    const code = emulator.issuePhoneCode(wx.openid, { purePhoneNumber: '13700001111' });
    const phone = await auth.getPhoneNumber({ detail: { code } });
    expect(phone).toEqual({ phoneNumber: '13700001111', purePhoneNumber: '13700001111', countryCode: '86' });
    expect(wx.trace()).toEqual(['POST /wx/login 200', 'POST /wx/phone 200']);
    expect(await example.users.findByOpenid(example.appId, wx.openid)).toMatchObject({
      phoneNumber: '13700001111',
    });
  });

  it('gets WeRun data decrypted by the server, logging in before asking WeChat for it', async () => {
    const steps = await auth.getWeRun();
    expect(steps).toMatchObject({ days: 2, totalSteps: 10_000 });
    expect(wx.trace()).toEqual(['POST /wx/login 200', 'POST /werun 200']);
  });

  it('on WX_SESSION_KEY_STALE logs in again, asks WeChat again and retries once', async () => {
    await auth.login();
    // Elsewhere in the mini program, a wx.login() whose code never reached the server: new key.
    emulator.issueLoginCode(wx.openid);
    wx.requests.length = 0;

    const steps = await auth.getWeRun();
    expect(steps.totalSteps).toBe(10_000);
    expect(wx.trace()).toEqual(['POST /werun 400', 'POST /wx/login 200', 'POST /werun 200']);
    expect(wx.weRunCalls).toBe(2);
    expect(wx.loginCalls).toBe(2);
  });

  it('does not loop when the key keeps going stale', async () => {
    await auth.login();
    wx.beforeWeRun = () => emulator.issueLoginCode(wx.openid);
    wx.requests.length = 0;

    const failure = await auth.getWeRun().catch((err: ApiErrorLike) => err);
    expect(failure).toMatchObject({ statusCode: 400, code: 'WX_SESSION_KEY_STALE' });
    expect(wx.trace()).toEqual(['POST /werun 400', 'POST /wx/login 200', 'POST /werun 400']);
  });

  it('logs out everywhere: the sessions of the user’s other devices end too', async () => {
    const phone = auth;
    const tablet = createAuthClient({ wx: new FakeWx(emulator, wx.openid), baseUrl: example.url });
    await phone.login();
    await tablet.login();
    const tabletToken = tablet.getToken()!;
    expect((await call(example.url, 'GET', '/me', { token: tabletToken })).status).toBe(200);

    await phone.logout({ everywhere: true });
    expect(phone.getToken()).toBeNull();
    expect(wx.storage.get('wx_login_refresh_token')).toBeUndefined();
    expect(wx.trace().at(-1)).toBe('POST /wx/logout 204');
    const after = await call(example.url, 'GET', '/me', { token: tabletToken });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('WX_SESSION_REVOKED');
  });

  it('logs out: the server refuses the old token and storage forgets it', async () => {
    await auth.login();
    const token = auth.getToken()!;
    await auth.logout();
    expect(auth.getToken()).toBeNull();
    expect(wx.trace().at(-1)).toBe('POST /wx/logout 204');
    expect((await call(example.url, 'GET', '/me', { token })).status).toBe(401);
    await auth.logout(); // nothing to do, no request
    expect(wx.trace().at(-1)).toBe('POST /wx/logout 204');
    expect(wx.requests).toHaveLength(2);
  });

  it('runs in DevTools on the emulator through the /dev routes, coming back as the same user', async () => {
    const devWx = emulatorWx(wx, example.url);
    const client = createAuthClient({ wx: devWx, baseUrl: example.url });
    const me = await client.api<MeBody>({ url: '/me' });
    expect(wx.loginCalls).toBe(0); // the real wx.login() is not used
    expect(wx.trace()).toEqual(['POST /dev/login-code 200', 'POST /wx/login 200', 'GET /me 200']);

    expect((await client.getWeRun()).days).toBe(7);
    const phone = await client.getPhoneNumber(await devWx.phoneNumberEvent());
    expect(phone?.purePhoneNumber).toBe('13800138000');

    // A relaunch: the token is gone, the emulated user is not.
    wx.storage.delete('wx_login_token');
    const again = await createAuthClient({ wx: devWx, baseUrl: example.url }).api<MeBody>({ url: '/me' });
    expect(again.session.openid).toBe(me.session.openid);
    expect(again.user).toMatchObject({ loginCount: 2, phoneNumber: '13800138000' });
  });
});
