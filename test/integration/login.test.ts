// POST /wx/login end to end: supertest against the app, the app against the emulator on loopback.
// Success with and without unionid, onLogin, input validation, and WeChat's refusals.

import { decodeJwt, decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { WxLoginError } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { secret } from '../helpers/secret-watch.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

function loginCode(user?: Parameters<typeof emulator.issueLoginCode>[0]): string {
  return emulator.issueLoginCode(user);
}

describe('POST /wx/login', () => {
  it('exchanges a code for a signed token and exposes no session_key', async () => {
    const { app } = buildApp(emulator);
    const user = emulator.createUser();
    const code = loginCode(user.openid);
    const before = Math.floor(Date.now() / 1000);
    const res = await request(app).post('/wx/login').send({ code });
    secret(emulator.sessionKeyOf(user.openid));

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expiresIn', 'openid', 'token', 'tokenType']);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 604800, openid: user.openid });
    const claims = decodeJwt(res.body.token);
    expect(decodeProtectedHeader(res.body.token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toMatchObject({ sub: user.openid, aud: emulator.appId, iss: 'express-wx-login' });
    expect(typeof claims.sid).toBe('string');
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(604800);
    expect(JSON.stringify(res.body)).not.toContain(emulator.sessionKeyOf(user.openid));

    const calls = emulator.callsTo('jscode2session');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toEqual({
      appid: emulator.appId,
      secret: emulator.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
  });

  it('returns the unionid when WeChat gives one, and /me shows the session without secrets', async () => {
    const { app } = buildApp(emulator);
    const user = emulator.createUser({ withUnionid: true });
    const res = await request(app)
      .post('/wx/login')
      .send({ code: loginCode(user.openid) });
    secret(emulator.sessionKeyOf(user.openid));
    expect(res.status).toBe(200);
    expect(res.body.unionid).toBe(user.unionid);

    const me = await request(app).get('/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(Object.keys(me.body).sort()).toEqual(['appId', 'expiresAt', 'openid', 'sessionId', 'unionid']);
    expect(me.body).toMatchObject({ openid: user.openid, unionid: user.unionid, appId: emulator.appId });
    expect(me.body.sessionId).toBe(decodeJwt(res.body.token).sid);
    expect(me.body.expiresAt).toBe(decodeJwt(res.body.token).exp);
  });

  it('parses the JSON body itself when the app has no express.json()', async () => {
    const { app } = buildApp(emulator, {}, { jsonParser: false });
    const res = await request(app).post('/wx/login').send({ code: loginCode() });
    expect(res.status).toBe(200);
    expect(res.body.tokenType).toBe('Bearer');
  });

  it('serves configured route paths', async () => {
    const { app } = buildApp(emulator, { routes: { login: '/auth/wechat' } });
    expect((await request(app).post('/auth/wechat').send({ code: loginCode() })).status).toBe(200);
    expect((await request(app).post('/wx/login').send({ code: loginCode() })).status).toBe(404);
  });

  it('keeps what onLogin returns as the user, and tells it whether the user is new', async () => {
    const events: unknown[] = [];
    const { app } = buildApp(emulator, {
      onLogin: (event) => {
        events.push(event);
        return { userId: 42, role: 'member' };
      },
    });
    const user = emulator.createUser({ withUnionid: true });
    const first = await request(app)
      .post('/wx/login')
      .send({ code: loginCode(user.openid) });
    const second = await request(app)
      .post('/wx/login')
      .send({ code: loginCode(user.openid) });
    expect(first.body.user).toEqual({ userId: 42, role: 'member' });
    expect(events).toEqual([
      {
        openid: user.openid,
        unionid: user.unionid,
        appId: emulator.appId,
        isNewSession: true,
        source: 'miniprogram',
      },
      {
        openid: user.openid,
        unionid: user.unionid,
        appId: emulator.appId,
        isNewSession: false,
        source: 'miniprogram',
      },
    ]);
    const me = await request(app).get('/me').set('Authorization', `Bearer ${second.body.token}`);
    expect(me.body.user).toEqual({ userId: 42, role: 'member' });
  });

  it('answers an onLogin WxLoginError with its status, and any other hook failure with a generic 500', async () => {
    const blocked = buildApp(emulator, {
      onLogin: () => {
        throw new WxLoginError('WX_USER_BLOCKED', 'this account is suspended');
      },
    });
    const res = await request(blocked.app).post('/wx/login').send({ code: loginCode() });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'WX_USER_BLOCKED', message: 'this account is suspended' } });

    const broken = buildApp(emulator, {
      onLogin: () => {
        throw new Error('db down at 10.0.0.5');
      },
    });
    const res2 = await request(broken.app).post('/wx/login').send({ code: loginCode() });
    expect(res2.status).toBe(500);
    expect(res2.body.error.code).toBe('WX_INTERNAL_ERROR');
    expect(JSON.stringify(res2.body)).not.toContain('10.0.0.5');
    expect(res2.text).not.toMatch(/at .*\.ts/);
    expect(broken.lines.some((l) => l.level === 'error' && l.obj.hook === 'onLogin')).toBe(true);
  });

  it('makes one code2Session call for two identical logins in flight, and both get the same answer', async () => {
    const { app } = buildApp(emulator);
    emulator.fail('jscode2session', { type: 'delay', ms: 150 });
    const code = loginCode();
    const [a, b] = await Promise.all([
      request(app).post('/wx/login').send({ code }),
      request(app).post('/wx/login').send({ code }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.token).toBe(a.body.token);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });
});

describe('POST /wx/login with bad input', () => {
  const { app } = buildApp(emulator);
  const bare = buildApp(emulator, {}, { jsonParser: false }).app;

  it.each([
    ['no code', {}],
    ['a numeric code', { code: 12345 }],
    ['an empty code', { code: '' }],
    ['a code with a space', { code: 'abc def' }],
    ['a code with a control character', { code: 'abc\u0001' }],
    ['a non-ASCII code', { code: 'codé' }],
    ['a 129-character code', { code: 'a'.repeat(129) }],
    ['an array code', { code: ['a'] }],
    ['a code only on the prototype', JSON.parse('{"__proto__":{"code":"abc"}}')],
  ])('answers 400 for %s without calling WeChat', async (_name, body) => {
    const res = await request(app).post('/wx/login').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_INVALID_REQUEST');
    expect(emulator.callsTo('jscode2session')).toHaveLength(0);
  });

  it('accepts a 128-character code as well formed (and lets WeChat judge it)', async () => {
    const res = await request(app)
      .post('/wx/login')
      .send({ code: 'a'.repeat(128) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('WX_CODE_INVALID');
  });

  it.each([
    ['with the app’s express.json()', app],
    ['with the package’s own parser', bare],
  ])('answers a body that is not JSON with our JSON error, %s', async (_name, target) => {
    const res = await request(target)
      .post('/wx/login')
      .set('Content-Type', 'application/json')
      .send('{"code": ');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({
      error: { code: 'WX_INVALID_REQUEST', message: 'the request body is not valid JSON' },
    });
  });

  it('answers a body over the limit with 413 in our format', async () => {
    const res = await request(bare)
      .post('/wx/login')
      .send({ code: 'x', pad: 'y'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('WX_BODY_TOO_LARGE');
  });

  it('answers a JSON array or a non-JSON content type with 400', async () => {
    expect(
      (
        await request(app)
          .post('/wx/login')
          .send([{ code: 'abc' }])
      ).body.error.code,
    ).toBe('WX_INVALID_REQUEST');
    const text = await request(bare).post('/wx/login').set('Content-Type', 'text/plain').send('code=abc');
    expect(text.status).toBe(400);
    expect(text.body.error.code).toBe('WX_INVALID_REQUEST');
  });
});

describe('POST /wx/login when WeChat refuses', () => {
  const { app, lines } = buildApp(emulator);

  it('answers an unknown code with 401 WX_CODE_INVALID and WWW-Authenticate', async () => {
    const res = await request(app).post('/wx/login').send({ code: 'never-issued-code' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.body.error.code).toBe('WX_CODE_INVALID');
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });

  it('answers a reused code with 401 WX_CODE_USED', async () => {
    const code = loginCode();
    expect((await request(app).post('/wx/login').send({ code })).status).toBe(200);
    const again = await request(app).post('/wx/login').send({ code });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('WX_CODE_USED');
  });

  it.each([
    [45011, 429, 'WX_RATE_LIMITED'],
    [40226, 403, 'WX_USER_BLOCKED'],
    [40029, 401, 'WX_CODE_INVALID'],
    [40163, 401, 'WX_CODE_USED'],
  ])('maps errcode %i to %i %s without retrying', async (errcode, status, code) => {
    emulator.fail('jscode2session', { type: 'errcode', errcode });
    const res = await request(app).post('/wx/login').send({ code: loginCode() });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });

  it('keeps WeChat’s rid in the log for support', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40226 });
    await request(app).post('/wx/login').send({ code: loginCode() });
    const line = lines.find((l) => l.obj.errcode === 40226);
    expect(line?.obj.rid).toMatch(/^[A-Za-z0-9-]+$/);
  });
});

describe('POST /wx/login with our own appid or secret wrong', () => {
  it.each([
    ['a wrong secret', { appSecret: 'not-the-real-secret-000000' }, 40125],
    ['a wrong appid', { appId: 'wx_not_registered_000' }, 40013],
  ])('answers %s with a generic 500 and logs the cause without the secret', async (_n, override, errcode) => {
    const { app, lines } = buildApp(emulator, override);
    secret('not-the-real-secret-000000');
    const res = await request(app).post('/wx/login').send({ code: loginCode() });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { code: 'WX_CONFIG_REJECTED', message: 'the server is misconfigured for WeChat' },
    });
    const logged = lines.find((l) => l.level === 'error' && l.obj.errcode === errcode);
    expect(logged).toBeDefined();
  });
});
