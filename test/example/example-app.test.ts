// The example backend over real HTTP, on its built-in emulator: login with the user upserted in
// SQLite, /me, WeRun decryption (and its stale-key case), phone numbers, logout, the /dev routes.

import { describe, expect, it } from 'vitest';
import { startExample } from '../../example-app/app.js';
import {
  call,
  type DevCodeBody,
  type LoginBody,
  logIn,
  type MeBody,
  type PhoneBody,
  type SampleBody,
  startTestExample,
  type WeRunBody,
} from '../helpers/example-app.js';

const example = await startTestExample();
const { url } = example;

describe('the example backend', () => {
  it('logs a new user in, keeps them in the database, and counts the next login', async () => {
    const first = await logIn(example);
    expect(first.body.tokenType).toBe('Bearer');
    expect(first.body.unionid).toMatch(/^o/); // the dev route makes users with a unionid
    const row = await example.users.findByOpenid(example.appId, first.openid);
    expect(row).toMatchObject({
      openid: first.openid,
      unionid: first.body.unionid,
      loginCount: 1,
      phoneNumber: null,
    });
    expect(first.body.user).toEqual({ userId: row!.id });

    const second = await logIn(example, first.openid);
    expect(second.token).not.toBe(first.token);
    expect(second.body.user).toEqual({ userId: row!.id });
    expect(await example.users.findByOpenid(example.appId, first.openid)).toMatchObject({
      id: row!.id,
      loginCount: 2,
    });
    expect(await example.users.findByUnionid(first.body.unionid!)).toHaveLength(1);
  });

  it('answers /me with the session and the database row, never the session_key', async () => {
    const { token, openid } = await logIn(example);
    const res = await call<MeBody>(url, 'GET', '/me', { token });
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({ openid, appId: example.appId });
    expect(Object.keys(res.body.session).sort()).toEqual([
      'appId',
      'expiresAt',
      'openid',
      'sessionId',
      'unionid',
      'user',
    ]);
    expect(res.body.user).toMatchObject({ openid, loginCount: 1 });
    expect(JSON.stringify(res.body)).not.toContain(example.emulator!.sessionKeyOf(openid));
  });

  it('decrypts WeRun data encrypted for the logged-in user', async () => {
    const { token, openid } = await logIn(example);
    const sample = await call<SampleBody>(url, 'POST', '/dev/werun-sample', { body: { openid } });
    expect(sample.status).toBe(200);
    const res = await call<WeRunBody>(url, 'POST', '/werun', { token, body: sample.body });
    expect(res.status).toBe(200);
    expect(res.body.days).toBe(7);
    expect(res.body.totalSteps).toBe(res.body.stepInfoList.reduce((sum, day) => sum + day.step, 0));
    const stamps = res.body.stepInfoList.map((day) => day.timestamp);
    expect(stamps[6]! - stamps[0]!).toBe(6 * 24 * 3600);
    // WeRun days start at midnight in China (UTC+8).
    expect((stamps[6]! + 8 * 3600) % (24 * 3600)).toBe(0);
  });

  it('answers WX_SESSION_KEY_STALE after a wx.login() whose code never reached it, and recovers on login', async () => {
    const { token, openid } = await logIn(example);
    // The device calls wx.login() again (WeChat rotates the key) but does not send the code.
    const unsent = await call<DevCodeBody>(url, 'POST', '/dev/login-code', { body: { openid } });
    const stale = await call(url, 'POST', '/werun', {
      token,
      body: (await call<SampleBody>(url, 'POST', '/dev/werun-sample', { body: { openid } })).body,
    });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('WX_SESSION_KEY_STALE');

    const again = await call<LoginBody>(url, 'POST', '/wx/login', { body: { code: unsent.body.code } });
    expect(again.status).toBe(200);
    const fresh = await call<WeRunBody>(url, 'POST', '/werun', {
      token: again.body.token,
      body: (await call<SampleBody>(url, 'POST', '/dev/werun-sample', { body: { openid } })).body,
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.days).toBe(7);
  });

  it('exchanges a phone code and stores the number on the user', async () => {
    const { token, openid } = await logIn(example);
    const issued = await call<DevCodeBody>(url, 'POST', '/dev/phone-code', {
      body: { openid, purePhoneNumber: '13912345678' },
    });
    const res = await call<PhoneBody>(url, 'POST', '/wx/phone', { token, body: { code: issued.body.code } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      phoneNumber: '13912345678',
      purePhoneNumber: '13912345678',
      countryCode: '86',
    });
    expect(await example.users.findByOpenid(example.appId, openid)).toMatchObject({
      phoneNumber: '13912345678',
      countryCode: '86',
    });
    const me = await call<MeBody>(url, 'GET', '/me', { token });
    expect(me.body.user?.phoneNumber).toBe('13912345678');

    const reused = await call(url, 'POST', '/wx/phone', { token, body: { code: issued.body.code } });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('WX_PHONE_CODE_INVALID');
  });

  it('logs out: the token is refused from then on', async () => {
    const { token } = await logIn(example);
    const out = await fetch(`${url}/wx/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(204);
    const me = await call(url, 'GET', '/me', { token });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('WX_SESSION_REVOKED');
    expect(me.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('makes one row of two first logins of the same user at once', async () => {
    const { openid } = (await call<DevCodeBody>(url, 'POST', '/dev/login-code')).body;
    const codes = await Promise.all(
      [0, 1].map(
        async () => (await call<DevCodeBody>(url, 'POST', '/dev/login-code', { body: { openid } })).body.code,
      ),
    );
    const logins = await Promise.all(
      codes.map((code) => call<LoginBody>(url, 'POST', '/wx/login', { body: { code } })),
    );
    expect(logins.map((res) => res.status)).toEqual([200, 200]);
    expect(logins[0]!.body.user).toEqual(logins[1]!.body.user);
    expect(await example.users.findByOpenid(example.appId, openid)).toMatchObject({ loginCount: 2 });
  });

  it('refuses bad input on the dev routes and unknown routes in JSON', async () => {
    const bad = await call(url, 'POST', '/dev/login-code', { body: { openid: '../etc' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('DEV_BAD_REQUEST');
    expect((await call(url, 'POST', '/dev/phone-code', { body: {} })).status).toBe(400);
    const phone = await call(url, 'POST', '/dev/phone-code', {
      body: { openid: 'o123', purePhoneNumber: '12ab' },
    });
    expect(phone.status).toBe(400);
    const unknown = await call(url, 'POST', '/dev/werun-sample', { body: { openid: 'o_nobody_at_all' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('DEV_UNKNOWN_USER');
    const missing = await call(url, 'GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const anonymous = await call(url, 'GET', '/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('WX_TOKEN_MISSING');
  });

  it('serves the playground at / and says what it talks to at /info', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('WeChat login playground');
    const info = await call(url, 'GET', '/info');
    expect(info.body).toEqual({
      mode: 'emulator',
      appId: example.appId,
      database: 'sqlite',
      devRoutes: true,
    });
  });
});

describe('the example backend with WeChat credentials', () => {
  it('starts no emulator and mounts no /dev routes', async () => {
    const real = await startExample({
      wechat: { appId: 'wx0123456789abcdef', appSecret: 'not-a-real-secret-0123456789' },
      tokenSecret: 'example-test-token-secret-0123456789abcdef',
      sqliteFile: ':memory:',
    });
    try {
      expect(real.emulator).toBeUndefined();
      const info = await call(real.url, 'GET', '/info');
      expect(info.body).toEqual({
        mode: 'wechat',
        appId: 'wx0123456789abcdef',
        database: 'sqlite',
        devRoutes: false,
      });
      const dev = await call(real.url, 'POST', '/dev/login-code');
      expect(dev.status).toBe(404);
      // Refused before any call to WeChat: the code is malformed.
      const login = await call(real.url, 'POST', '/wx/login', { body: { code: '' } });
      expect(login.status).toBe(400);
    } finally {
      await real.close();
    }
  });
});
