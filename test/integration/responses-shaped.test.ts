// shapeBody and errorStatus end to end: every answer the package writes (login, logout, phone,
// body errors, the guard's 401 and 503, wxErrorHandler's) in the app's wrapper, over real HTTP.

import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { requireWxSession, type WxAnswer, wxErrorHandler, wxLogin } from '../../src/index.js';
import { buildApp, logInNewUser, startEmulator, TOKEN_SECRET } from '../helpers/app.js';
import { SwitchableStore, withStderr, wrap } from '../helpers/responses.js';
import { secret } from '../helpers/secret-watch.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

/** A new user's login; the token is in the wrapper's `data`. */
async function login(app: Parameters<typeof request>[0]) {
  const { res, openid } = await logInNewUser(app, emulator);
  return { res, openid, token: res.body?.data?.token as string };
}

describe('shapeBody: the app’s wrapper on every answer', () => {
  const store = new SwitchableStore();
  // sessionCacheMs 0: every guarded request reads the store, so a store outage shows at once.
  const { app } = buildApp(emulator, { shapeBody: wrap, store, sessionCacheMs: 0 });
  beforeEach(() => {
    store.down = false;
  });

  it('wraps a login, and the token works on a guarded route', async () => {
    const { res, openid, token } = await login(app);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 0,
      msg: 'ok',
      data: { token: expect.any(String), tokenType: 'Bearer', expiresIn: 604800, openid },
    });
    const me = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.openid).toBe(openid); // the app's own route answers as the app writes it
  });

  it('wraps the guard’s 401s and keeps their status and WWW-Authenticate', async () => {
    const missing = await request(app).get('/me');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="express-wx-login"');
    expect(missing.body).toEqual({
      code: 'WX_TOKEN_MISSING',
      msg: 'send "Authorization: Bearer <token>" from POST /wx/login',
      data: null,
    });
    const bad = await request(app).get('/me').set('Authorization', 'Bearer not.a.token');
    expect(bad.status).toBe(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer realm="express-wx-login", error="invalid_token"');
    expect(bad.body).toMatchObject({ code: 'WX_TOKEN_INVALID', data: null });
  });

  it('wraps 503 from the guard and from login while the store is down', async () => {
    const { token } = await login(app);
    store.down = true;
    const me = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(503);
    expect(me.body).toEqual({
      code: 'WX_STORE_UNAVAILABLE',
      msg: 'the session store is unavailable; retry later',
      data: null,
    });
    const again = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(again.status).toBe(503);
    expect(again.body).toMatchObject({ code: 'WX_STORE_UNAVAILABLE', data: null });
    store.down = false;
    expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('wraps phone numbers and phone errors', async () => {
    const { openid, token } = await login(app);
    const code = emulator.issuePhoneCode(openid, {
      phoneNumber: '13912345678',
      purePhoneNumber: '13912345678',
    });
    const ok = await request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({ code });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      code: 0,
      msg: 'ok',
      data: { phoneNumber: '13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
    });
    secret(emulator.callsTo('getuserphonenumber')[0]?.query.access_token);

    const used = await request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({ code });
    expect(used.status).toBe(400);
    expect(used.body).toMatchObject({ code: 'WX_PHONE_CODE_INVALID', data: null });

    const noCode = await request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({});
    expect(noCode.status).toBe(400);
    expect(noCode.body).toMatchObject({ code: 'WX_INVALID_REQUEST', data: null });

    const noToken = await request(app).post('/wx/phone').send({ code: 'abc' });
    expect(noToken.status).toBe(401);
    expect(noToken.body).toMatchObject({ code: 'WX_TOKEN_MISSING', data: null });

    store.down = true;
    const down = await request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({ code });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'WX_STORE_UNAVAILABLE', data: null });
  });

  it('wraps a logout as 200 with a body (a 204 cannot carry one), and the token is then refused', async () => {
    const { token } = await login(app);
    const out = await request(app).post('/wx/logout').set('Authorization', `Bearer ${token}`);
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ code: 0, msg: 'ok', data: null });
    const me = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ code: 'WX_SESSION_REVOKED', data: null });
  });

  it('wraps WeChat’s refusals and body errors of the package’s routes', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40029 });
    const invalid = await request(app).post('/wx/login').send({ code: 'expired-code' });
    expect(invalid.status).toBe(401);
    expect(invalid.body).toMatchObject({ code: 'WX_CODE_INVALID', data: null });

    const notJson = await request(app)
      .post('/wx/login')
      .set('Content-Type', 'application/json')
      .send('{"code":');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({
      code: 'WX_INVALID_REQUEST',
      msg: 'the request body is not valid JSON',
      data: null,
    });
  });

  it('wxErrorHandler() answers a route’s WxLoginError in the wxLogin()’s shape', async () => {
    const { token } = await login(app);
    const res = await request(app)
      .post('/werun')
      .set('Authorization', `Bearer ${token}`)
      .send({ encryptedData: 'not base64!', iv: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'WX_DATA_INVALID', data: null });
  });
});

describe('errorStatus: 200', () => {
  const { app } = buildApp(emulator, { shapeBody: wrap, errorStatus: 200 });

  it('answers errors with HTTP 200, the code only in the body, and no WWW-Authenticate', async () => {
    const missing = await request(app).get('/me');
    expect(missing.status).toBe(200);
    expect(missing.headers['www-authenticate']).toBeUndefined();
    expect(missing.body).toMatchObject({ code: 'WX_TOKEN_MISSING', data: null });

    emulator.fail('jscode2session', { type: 'errcode', errcode: 40163 });
    const used = await request(app).post('/wx/login').send({ code: 'used-code' });
    expect(used.status).toBe(200);
    expect(used.body).toMatchObject({ code: 'WX_CODE_USED', data: null });
  });

  it('still answers successes as before', async () => {
    const { res } = await login(app);
    expect(res.status).toBe(200);
    expect(res.body.code).toBe(0);
  });
});

describe('what shapeBody receives, and when it throws', () => {
  it('gets the error’s own status, code, localized message and the WxLoginError with its WeChat errcode', async () => {
    const seen: WxAnswer[] = [];
    const { app } = buildApp(emulator, {
      shapeBody: (answer) => {
        seen.push(answer);
        return wrap(answer);
      },
      errorStatus: 200,
    });
    emulator.fail('jscode2session', { type: 'errcode', errcode: 45011 });
    const res = await request(app).post('/wx/login').send({ code: 'some-code' });
    expect(res.status).toBe(200);
    const answer = seen[0];
    if (answer === undefined || answer.ok) throw new Error('expected an error answer');
    expect(answer.status).toBe(429);
    expect(answer.code).toBe('WX_RATE_LIMITED');
    expect(answer.error.errcode).toBe(45011);
    expect(answer.req.path).toBe('/wx/login');
  });

  it('answers 500 in the package’s JSON when shapeBody throws, and reports it', async () => {
    const { app, lines } = buildApp(emulator, {
      shapeBody: () => {
        throw new Error('wrapper bug');
      },
    });
    const res = await request(app).get('/me');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'WX_INTERNAL_ERROR', message: 'internal error' } });
    const report = lines.find((l) => l.level === 'error' && l.msg === 'request failed');
    expect(report?.obj.err).toMatch(/the shapeBody option threw[\s\S]*Error: wrapper bug/);
  });

  it('sends no body when shapeBody returns undefined', async () => {
    const { app } = buildApp(emulator, { shapeBody: (a) => (a.ok ? a.data : undefined) });
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });
});

describe('a guard’s own response options', () => {
  it('lays requireWxSession()’s options over the wxLogin()’s for that guard only', async () => {
    const { app } = buildApp(
      emulator,
      { shapeBody: wrap },
      {
        routes: (a) => {
          a.get(
            '/admin',
            requireWxSession({ shapeBody: (x) => ({ ok: x.ok, reason: x.ok ? null : x.code }) }),
            (_q, r) => {
              r.json({ admin: true });
            },
          );
        },
      },
    );
    expect((await request(app).get('/admin')).body).toEqual({ ok: false, reason: 'WX_TOKEN_MISSING' });
    expect((await request(app).get('/me')).body).toMatchObject({ code: 'WX_TOKEN_MISSING', data: null });
  });

  it('shapes WX_MISCONFIGURED of a guard that found no wxLogin() with its own options', async () => {
    const express = (await import('express')).default;
    const app = express();
    app.get('/me', requireWxSession({ shapeBody: wrap }), (_q, r) => {
      r.json({});
    });
    const { res, reports } = await withStderr(() => request(app).get('/me'));
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'WX_MISCONFIGURED', data: null });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('500 WX_MISCONFIGURED on GET /me');
  });

  it('wxErrorHandler()’s own options win over the wxLogin()’s', async () => {
    const { app } = buildApp(
      emulator,
      { shapeBody: wrap },
      {
        routes: (a) => {
          a.post('/decrypt', requireWxSession(), async (req, res, next) => {
            try {
              res.json(await req.wxUser!.decrypt('bad', 'bad'));
            } catch (err) {
              next(err);
            }
          });
          a.use(wxErrorHandler({ shapeBody: (x) => ({ failed: !x.ok }), errorStatus: 200 }));
        },
      },
    );
    const { token } = await login(app);
    const res = await request(app).post('/decrypt').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ failed: true });
  });
});

describe('response options are validated when wxLogin() is called', () => {
  const base = { appId: 'wx1', appSecret: 'secret', tokenSecret: TOKEN_SECRET };
  it.each([
    ['shapeBody', { shapeBody: 'wrap' }, 'option "shapeBody" must be a function'],
    ['errorStatus', { errorStatus: 500 }, 'option "errorStatus" must be "error" or 200'],
    ['errors', { errors: 'throw' }, 'option "errors" must be "respond" or "next"'],
    ['locale', { locale: 'fr' }, 'option "locale" must be "en" or "zh-CN"'],
    ['messages', { messages: 'zh' }, 'option "messages" must be an object'],
    [
      'messages.X',
      { messages: { WX_TOKEN_EXPIRED: 7 } },
      'option "messages.WX_TOKEN_EXPIRED" must be a non-empty string',
    ],
  ])('refuses a bad %s', (_name, bad, message) => {
    const build = () => wxLogin({ ...base, ...(bad as object) });
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
    expect(() => requireWxSession(bad as object)).toThrow(message);
  });
});
