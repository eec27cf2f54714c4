// `errors: 'next'` end to end: every error of the package reaches the app's own error handler as a
// WxLoginError (status, code, expose), as express-jwt's do; the package writes nothing for it.

import type { ErrorRequestHandler } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { isWxLoginError, WxLoginError, wxErrorHandler } from '../../src/index.js';
import { buildApp, loggedInUser, startEmulator } from '../helpers/app.js';
import { SwitchableStore, withStderr } from '../helpers/responses.js';
import { secret } from '../helpers/secret-watch.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

interface Seen {
  err: unknown;
  path: string;
  headerSent: boolean;
}

/** The app's own error handler: what a Chinese backend writes, `{ code, msg, data }` with its own status. */
function appErrorHandler(seen: Seen[]): ErrorRequestHandler {
  return (err, req, res, _next) => {
    seen.push({ err, path: req.path, headerSent: res.headersSent });
    if (isWxLoginError(err)) {
      res
        .status(err.status)
        .json({ code: err.code, msg: err.expose ? err.message : '服务器错误', data: null });
      return;
    }
    res.status(500).json({ code: 'APP_ERROR', msg: 'app error', data: null });
  };
}

/** An app in `errors: 'next'` mode whose own error handler (after every route) records into `seen`. */
function withOwnHandler(
  seen: Seen[],
  overrides: Parameters<typeof buildApp>[1] = {},
  options: Parameters<typeof buildApp>[2] = {},
) {
  return buildApp(
    emulator,
    { errors: 'next', ...overrides },
    { ...options, routes: (a) => a.use(appErrorHandler(seen)) },
  );
}

describe("errors: 'next' with the app's own error handler", () => {
  const seen: Seen[] = [];
  const store = new SwitchableStore();
  const { app } = withOwnHandler(seen, { store, sessionCacheMs: 0 });
  beforeEach(() => {
    seen.length = 0;
    store.down = false;
  });

  it('answers successes itself, as before', async () => {
    const { token } = await loggedInUser(app, emulator);
    expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await request(app).post('/wx/logout').set('Authorization', `Bearer ${token}`)).status).toBe(204);
    expect(seen).toEqual([]);
  });

  it('hands a WeChat refusal of the login to the app as a WxLoginError', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40029 });
    const res = await request(app).post('/wx/login').send({ code: 'expired-code' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 'WX_CODE_INVALID',
      msg: 'the login code is invalid or expired; call wx.login() again',
      data: null,
    });
    expect(seen).toHaveLength(1);
    const err = seen[0]?.err as WxLoginError;
    expect(err).toBeInstanceOf(WxLoginError);
    expect(err).toMatchObject({ status: 401, code: 'WX_CODE_INVALID', expose: true, errcode: 40029 });
    expect(seen[0]?.headerSent).toBe(false);
  });

  it('hands the guard’s 401 to the app and sets no header of its own', async () => {
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toMatchObject({ code: 'WX_TOKEN_MISSING' });
    expect(seen.map((s) => [s.path, (s.err as WxLoginError).code])).toEqual([['/me', 'WX_TOKEN_MISSING']]);
  });

  it('hands 503s (guard, login, phone) to the app while the store is down', async () => {
    const { token } = await loggedInUser(app, emulator);
    store.down = true;
    expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(503);
    expect((await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() })).status).toBe(503);
    expect(
      (await request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({ code: 'c' }))
        .status,
    ).toBe(503);
    expect(seen.map((s) => [s.path, (s.err as WxLoginError).code, (s.err as WxLoginError).expose])).toEqual([
      ['/me', 'WX_STORE_UNAVAILABLE', true],
      ['/wx/login', 'WX_STORE_UNAVAILABLE', true],
      ['/wx/phone', 'WX_STORE_UNAVAILABLE', true],
    ]);
  });

  it('hands phone errors to the app', async () => {
    const { token } = await loggedInUser(app, emulator);
    const noCode = await request(app).post('/wx/phone').set('Authorization', `Bearer ${token}`).send({});
    expect(noCode.status).toBe(400);
    const bad = await request(app)
      .post('/wx/phone')
      .set('Authorization', `Bearer ${token}`)
      .send({ code: 'never-issued' });
    expect(bad.status).toBe(400);
    expect(seen.map((s) => (s.err as WxLoginError).code)).toEqual([
      'WX_INVALID_REQUEST',
      'WX_PHONE_CODE_INVALID',
    ]);
    secret(emulator.callsTo('getuserphonenumber')[0]?.query.access_token);
  });

  it('hands body errors to the app as WxLoginErrors, from its express.json() and from the package’s reader', async () => {
    const bare = withOwnHandler(seen, {}, { jsonParser: false });
    for (const target of [app, bare.app]) {
      const res = await request(target)
        .post('/wx/login')
        .set('Content-Type', 'application/json')
        .send('{"code":');
      expect(res.status).toBe(400);
    }
    expect(seen.map((s) => [(s.err as WxLoginError).code, isWxLoginError(s.err)])).toEqual([
      ['WX_INVALID_REQUEST', true],
      ['WX_INVALID_REQUEST', true],
    ]);
  });

  it('hands a failed onLogin to the app as a 500 WX_INTERNAL_ERROR with the hook’s error as cause, writing nothing to stderr', async () => {
    const hookError = new Error('users table is locked');
    const broken = withOwnHandler(seen, {
      logger: undefined,
      onLogin: () => {
        throw hookError;
      },
    });
    const { res, reports } = await withStderr(() =>
      request(broken.app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    );
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: 'WX_INTERNAL_ERROR', msg: '服务器错误', data: null });
    const err = seen[0]?.err as WxLoginError;
    expect(err).toMatchObject({ status: 500, code: 'WX_INTERNAL_ERROR', expose: false });
    expect(err.cause).toBe(hookError);
    expect(reports).toEqual([]);
  });
});

describe("errors: 'next' with wxErrorHandler() as the app's error handler", () => {
  const { app } = buildApp(emulator, { errors: 'next' });

  it('renders exactly as the default mode does', async () => {
    const plain = buildApp(emulator);
    for (const target of [app, plain.app]) {
      const res = await request(target).get('/me').set('Authorization', 'Bearer a.b.c');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="express-wx-login", error="invalid_token"');
      expect(res.body).toEqual({ error: { code: 'WX_TOKEN_INVALID', message: 'the token is invalid' } });
    }
  });

  it('passes errors that are not the package’s on to the next handler', async () => {
    const seen: Seen[] = [];
    const custom = buildApp(
      emulator,
      { errors: 'next' },
      {
        routes: (a) => {
          a.get('/boom', () => {
            throw new Error('an app bug');
          });
          a.use(wxErrorHandler());
          a.use(appErrorHandler(seen));
        },
      },
    );
    const res = await request(custom.app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('APP_ERROR');
    expect(seen[0]?.err).toMatchObject({ message: 'an app bug' });
  });
});
