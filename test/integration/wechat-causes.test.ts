// WeChat's answers that name a cause, end to end against the emulator: the phone watermark and
// 48001, a stale session key on checksession/resetusersessionkey, configuration errors of the
// access_token endpoints (with the setting to fix in the log), and codes spent by an unanswered try.

import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { requireWxSession } from '../../src/index.js';
import { buildApp, loggedInUser, startEmulator } from '../helpers/app.js';
import { secret } from '../helpers/secret-watch.js';

const emulator = await startEmulator();

function routes(app: Express): void {
  app.use('/own', requireWxSession());
  app.post('/own/phone', async (req, res, next) => {
    try {
      res.json(await req.wxUser!.getPhoneNumber(req.body.code, { maxAgeSeconds: req.body.maxAgeSeconds }));
    } catch (err) {
      next(err);
    }
  });
  app.post('/own/check', async (req, res, next) => {
    try {
      res.json({ valid: await req.wxUser!.checkSessionKey() });
    } catch (err) {
      next(err);
    }
  });
  app.post('/own/reset', async (req, res, next) => {
    try {
      await req.wxUser!.resetSessionKey();
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });
}

// Generous timeouts: only the tests of spent codes below want one to expire (their own app).
const { app } = buildApp(emulator, { timeoutMs: 5000, retries: 2 }, { routes });
// The slow answer (5 s) always outlasts this app's timeout; the retry's quick answer never does.
const impatient = buildApp(emulator, { timeoutMs: 1000, retries: 2 });

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

const post = (path: string, token: string, body: object, target: Express = app) =>
  request(target).post(path).set('Authorization', `Bearer ${token}`).send(body);

describe('phone numbers: the watermark and 48001', () => {
  it('refuses a number whose watermark names another app: 400 WX_WATERMARK_MISMATCH', async () => {
    const u = await loggedInUser(app, emulator);
    const code = emulator.issuePhoneCode(u.openid, { watermarkAppId: 'wx_another_mini_app' });
    const res = await post('/wx/phone', u.token, { code });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_WATERMARK_MISMATCH');
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(1);
  });

  it('checks the age only when asked: req.wxUser.getPhoneNumber(code, { maxAgeSeconds })', async () => {
    const u = await loggedInUser(app, emulator);
    const old = Math.floor(Date.now() / 1000) - 600;
    const lax = await post('/own/phone', u.token, {
      code: emulator.issuePhoneCode(u.openid, { watermarkTimestamp: old }),
    });
    expect(lax.status).toBe(200);
    expect(lax.body.countryCode).toBe('86');
    const strict = await post('/own/phone', u.token, {
      code: emulator.issuePhoneCode(u.openid, { watermarkTimestamp: old }),
      maxAgeSeconds: 300,
    });
    expect(strict.status).toBe(400);
    expect(strict.body.error.code).toBe('WX_DATA_EXPIRED');
    const fresh = await post('/own/phone', u.token, {
      code: emulator.issuePhoneCode(u.openid),
      maxAgeSeconds: 300,
    });
    expect(fresh.status).toBe(200);
    emulator.resetCalls();
    const bad = await post('/own/phone', u.token, {
      code: emulator.issuePhoneCode(u.openid),
      maxAgeSeconds: -1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('WX_DATA_INVALID');
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(0);
  });

  it('applies the phoneMaxAgeSeconds option to POST /wx/phone', async () => {
    const strict = buildApp(emulator, { phoneMaxAgeSeconds: 60 });
    const u = await loggedInUser(strict.app, emulator);
    const old = Math.floor(Date.now() / 1000) - 120;
    const res = await post(
      '/wx/phone',
      u.token,
      { code: emulator.issuePhoneCode(u.openid, { watermarkTimestamp: old }) },
      strict.app,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_DATA_EXPIRED');
  });

  it('answers 48001 (no permission for the phone API) with 403 WX_API_UNAUTHORIZED, once', async () => {
    const u = await loggedInUser(app, emulator);
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 48001 });
    const res = await post('/wx/phone', u.token, { code: emulator.issuePhoneCode(u.openid) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('WX_API_UNAUTHORIZED');
    expect(emulator.callsTo('getuserphonenumber')).toHaveLength(1);
  });
});

describe('a stale session key on checksession and resetusersessionkey', () => {
  async function staleUser() {
    const u = await loggedInUser(app, emulator);
    // An exchange straight at WeChat rotates the key without this server seeing it.
    const code = emulator.issueLoginCode(u.openid);
    await fetch(
      `${emulator.url}/sns/jscode2session?appid=${emulator.appId}&secret=${emulator.appSecret}&js_code=${code}&grant_type=authorization_code`,
    );
    secret(emulator.sessionKeyOf(u.openid));
    return u;
  }

  it('resetSessionKey(): 87009 is 400 WX_SESSION_KEY_STALE, not 502', async () => {
    const u = await staleUser();
    const res = await post('/own/reset', u.token, {});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_SESSION_KEY_STALE');
    expect(emulator.callsTo('resetusersessionkey').map((c) => c.errcode)).toEqual([87009]);
  });

  it('40003 (WeChat knows no such user) is the same: 400 on reset, false from checkSessionKey()', async () => {
    const u = await loggedInUser(app, emulator);
    emulator.fail('resetusersessionkey', { type: 'errcode', errcode: 40003 });
    const reset = await post('/own/reset', u.token, {});
    expect(reset.status).toBe(400);
    expect(reset.body.error.code).toBe('WX_SESSION_KEY_STALE');
    emulator.fail('checksession', { type: 'errcode', errcode: 40003 });
    expect((await post('/own/check', u.token, {})).body).toEqual({ valid: false });
  });

  it('checkSessionKey() keeps its contract: false for 87009', async () => {
    const u = await staleUser();
    const res = await post('/own/check', u.token, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: false });
  });
});

describe('configuration errors of the access_token endpoints', () => {
  it.each([
    ['stable', 'stable_token', 40001, 'appSecret'],
    ['classic', 'token', 40001, 'appSecret'],
    ['stable', 'stable_token', 40125, 'appSecret'],
    ['classic', 'token', 40243, 'appSecret'],
    ['stable', 'stable_token', 40013, 'appId'],
  ] as const)(
    '%s endpoint (%s), errcode %i: 500 WX_CONFIG_REJECTED and the log names %s',
    async (endpoint, name, errcode, setting) => {
      const built = buildApp(emulator, { tokenEndpoint: endpoint });
      const u = await loggedInUser(built.app, emulator);
      emulator.fail(name, { type: 'errcode', errcode });
      const res = await post('/wx/phone', u.token, { code: emulator.issuePhoneCode(u.openid) }, built.app);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        error: { code: 'WX_CONFIG_REJECTED', message: 'the server is misconfigured for WeChat' },
      });
      const line = built.lines.find((l) => l.level === 'error' && l.obj.errcode === errcode);
      expect(line?.obj).toMatchObject({ api: name, setting, code: 'WX_CONFIG_REJECTED' });
      expect(line?.msg).toContain('WeChat refused our configuration');
      expect(emulator.callsTo('getuserphonenumber')).toHaveLength(0);
    },
  );

  it('40164 names the egress IP WeChat saw and the IP whitelist', async () => {
    const built = buildApp(emulator);
    const u = await loggedInUser(built.app, emulator);
    emulator.fail('stable_token', {
      type: 'errcode',
      errcode: 40164,
      errmsg: 'invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist',
    });
    const res = await post('/wx/phone', u.token, { code: emulator.issuePhoneCode(u.openid) }, built.app);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('WX_CONFIG_REJECTED');
    const line = built.lines.find((l) => l.obj.errcode === 40164);
    expect(line?.obj).toMatchObject({ setting: 'ipWhitelist', egressIp: '203.0.113.7' });
    expect(line?.msg).toContain('203.0.113.7');
    expect(line?.msg).toContain('IP');
  });

  it('40001 on an API that uses the token is still a rejected token: refreshed once, then success', async () => {
    const built = buildApp(emulator, { tokenEndpoint: 'classic' });
    const u = await loggedInUser(built.app, emulator);
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 40001 });
    const res = await post('/wx/phone', u.token, { code: emulator.issuePhoneCode(u.openid) }, built.app);
    expect(res.status).toBe(200);
    expect(emulator.callsTo('token')).toHaveLength(2);
  });
});

describe('a code spent by an attempt that got no answer (15.11)', () => {
  it('login: a slow first answer times out, WeChat used the code, the retry gets 40163: 502 “get a new code”', async () => {
    emulator.fail('jscode2session', { type: 'delay', ms: 5000 });
    const res = await request(impatient.app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WX_UPSTREAM_ERROR');
    expect(res.body.error.message).toMatch(/new code/);
    expect(res.body.error.message).toContain('wx.login()');
    const calls = emulator.callsTo('jscode2session');
    expect(calls[0]).toMatchObject({ fault: 'delay', status: 0 }); // its answer never arrived
    expect(calls.at(-1)?.errcode).toBe(40163);
    const warn = impatient.lines.find((l) => l.level === 'warn' && /probably used/.test(l.msg ?? ''));
    expect(warn?.obj).toMatchObject({ api: 'jscode2session', errcode: 40163 });
  });

  it('phone: a slow first answer, then 40029 for the used code: 502 with advice to ask again', async () => {
    const u = await loggedInUser(impatient.app, emulator);
    emulator.fail('getuserphonenumber', { type: 'delay', ms: 5000 });
    const res = await post('/wx/phone', u.token, { code: emulator.issuePhoneCode(u.openid) }, impatient.app);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WX_UPSTREAM_ERROR');
    expect(res.body.error.message).toMatch(/phone number again/);
    const calls = emulator.callsTo('getuserphonenumber');
    expect(calls[0]).toMatchObject({ fault: 'delay', status: 0 });
    expect(calls.at(-1)).toMatchObject({ status: 200, errcode: 40029 });
  });

  it('errcode -1 (WeChat says it did nothing) is not ambiguous: -1 then 40163 stays 401 WX_CODE_USED', async () => {
    const code = emulator.issueLoginCode();
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 });
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40163 });
    const res = await request(impatient.app).post('/wx/login').send({ code });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('WX_CODE_USED');
  });
});
