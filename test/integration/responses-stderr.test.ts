// Nothing silent: without a logger, every 5xx is written to stderr once, with its stack and causes,
// and never a secret; with a logger, the same report goes there; pino keeps its own `name`.

import { Writable } from 'node:stream';
import { pino } from 'pino';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { WxLoginError } from '../../src/index.js';
import { buildApp, loggedInUser, startEmulator, TOKEN_SECRET } from '../helpers/app.js';
import { SwitchableStore, withStderr } from '../helpers/responses.js';
import { leaksIn, record, secret } from '../helpers/secret-watch.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

describe('without a logger: 5xx on stderr, once', () => {
  it('writes a throwing onLogin once, with the hook’s stack, and nothing secret', async () => {
    const { app } = buildApp(emulator, {
      logger: undefined,
      onLogin: function findUser() {
        throw new Error('users table is locked');
      },
    });
    const { res, reports } = await withStderr(() =>
      request(app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    );
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { code: 'WX_INTERNAL_ERROR', message: 'the request could not be completed' },
    });
    expect(reports).toHaveLength(1);
    const report = reports[0] as string;
    expect(report).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z express-wx-login: 500 WX_INTERNAL_ERROR on POST \/wx\/login\n/,
    );
    expect(report).toContain('WxLoginError: the request could not be completed');
    expect(report).toContain('Caused by: Error: users table is locked');
    // The hook's own frame: the operator sees where it threw.
    expect(report).toMatch(/at findUser \(.*responses-stderr\.test\.ts:\d+:\d+\)/);
    for (const user of emulator.issuedSessionKeys()) secret(user);
    expect(leaksIn(report)).toEqual([]);
    expect(report).not.toContain(emulator.appSecret);
    expect(report).not.toContain(TOKEN_SECRET);
  });

  it('writes WX_CONFIG_REJECTED (a wrong appSecret) once with WeChat’s errcode, never the secret', async () => {
    const wrong = 'not-the-real-secret-0123456789';
    secret(wrong);
    const { app } = buildApp(emulator, { logger: undefined, appSecret: wrong });
    const { res, reports } = await withStderr(() =>
      request(app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    );
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('WX_CONFIG_REJECTED');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      /500 WX_CONFIG_REJECTED on POST \/wx\/login \(WeChat errcode 40125, rid [\w-]+\)/,
    );
    expect(reports[0]).toContain('WxLoginError: the server is misconfigured for WeChat');
    expect(reports[0]).not.toContain(wrong);
    expect(reports[0]).not.toContain(emulator.appSecret);
  });

  it('writes a store outage (503) once per failed request, from a route and from the guard', async () => {
    const store = new SwitchableStore();
    const { app } = buildApp(emulator, { logger: undefined, store, sessionCacheMs: 0 });
    const { token } = await loggedInUser(app, emulator);
    store.down = true;
    const guarded = await withStderr(() => request(app).get('/me').set('Authorization', `Bearer ${token}`));
    expect(guarded.res.status).toBe(503);
    expect(guarded.reports).toHaveLength(1);
    expect(guarded.reports[0]).toContain('503 WX_STORE_UNAVAILABLE on GET /me');
    expect(guarded.reports[0]).toMatch(/WxLoginError: the session store is unavailable; retry later\n\s+at /);

    const loggingIn = await withStderr(() =>
      request(app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    );
    expect(loggingIn.res.status).toBe(503);
    expect(loggingIn.reports).toHaveLength(1);
    expect(loggingIn.reports[0]).toContain('503 WX_STORE_UNAVAILABLE on POST /wx/login');
    expect(leaksIn(guarded.reports.join('') + loggingIn.reports.join(''))).toEqual([]);
  });

  it('writes a 5xx that wxErrorHandler() renders for a route of the app', async () => {
    const { app } = buildApp(
      emulator,
      { logger: undefined },
      {
        routes: (a) => {
          // What req.wxUser.decrypt() throws when the store fails after the guard let the request in.
          a.get('/profile', (_req, _res, next) => {
            next(new WxLoginError('WX_STORE_UNAVAILABLE', 'the session store is unavailable; retry later'));
          });
        },
      },
    );
    const { res, reports } = await withStderr(() => request(app).get('/profile'));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('WX_STORE_UNAVAILABLE');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('503 WX_STORE_UNAVAILABLE on GET /profile');
  });

  it('writes a phone call refused for our configuration once, never the access_token', async () => {
    const { app } = buildApp(emulator, { logger: undefined });
    const { openid, token } = await loggedInUser(app, emulator);
    emulator.fail('getuserphonenumber', { type: 'errcode', errcode: 40164 });
    const { res, reports } = await withStderr(() =>
      request(app)
        .post('/wx/phone')
        .set('Authorization', `Bearer ${token}`)
        .send({ code: emulator.issuePhoneCode(openid) }),
    );
    const accessToken = emulator.callsTo('getuserphonenumber')[0]?.query.access_token;
    expect(accessToken).toMatch(/.{8,}/);
    secret(accessToken);
    expect(res.status).toBe(500);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('WeChat errcode 40164');
    expect(reports[0]).not.toContain(accessToken);
  });

  it('writes nothing for a client’s error (4xx)', async () => {
    const { app } = buildApp(emulator, { logger: undefined });
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40029 });
    const bad = await withStderr(() => request(app).post('/wx/login').send({ code: 'expired' }));
    expect(bad.res.status).toBe(401);
    const none = await withStderr(() => request(app).get('/me'));
    expect(none.res.status).toBe(401);
    expect([...bad.all, ...none.all]).toEqual([]);
  });
});

describe('with a logger', () => {
  it('reports the 5xx there, with the stack, and writes nothing to stderr', async () => {
    const { app, lines } = buildApp(emulator, {
      onLogin: () => {
        throw new Error('users table is locked');
      },
    });
    const { res, all } = await withStderr(() =>
      request(app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    );
    expect(res.status).toBe(500);
    expect(all).toEqual([]);
    const reports = lines.filter((l) => l.msg === 'request failed');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.level).toBe('error');
    expect(reports[0]?.obj).toMatchObject({
      lib: 'express-wx-login',
      code: 'WX_INTERNAL_ERROR',
      status: 500,
      request: 'POST /wx/login',
    });
    expect(reports[0]?.obj.err).toMatch(/Caused by: Error: users table is locked\n\s+at /);
    // The hook's own line keeps its stack too.
    const hookLine = lines.find((l) => l.obj.hook === 'onLogin');
    expect(hookLine?.obj.err).toMatch(/Error: users table is locked\n\s+at /);
  });

  it('stays silent with a logger that has no error method (how an app turns reports off)', async () => {
    const { app } = buildApp(emulator, {
      logger: {},
      onLogin: () => {
        throw new Error('x');
      },
    });
    const { res, all } = await withStderr(() =>
      request(app).post('/wx/login').send({ code: emulator.issueLoginCode() }),
    );
    expect(res.status).toBe(500);
    expect(all).toEqual([]);
  });

  it('leaves pino its own name: the package’s lines carry lib, and name appears once', async () => {
    const written: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        record(String(chunk));
        done();
      },
    });
    const logger = pino({ name: 'shop-api', level: 'info' }, sink);
    const { app } = buildApp(emulator, { logger });
    await loggedInUser(app, emulator);
    const line = written.find((l) => l.includes('"msg":"login"'));
    expect(line).toBeDefined();
    expect(line?.match(/"name":/g)).toHaveLength(1);
    expect(JSON.parse(line as string)).toMatchObject({
      name: 'shop-api',
      lib: 'express-wx-login',
      msg: 'login',
    });
  });
});
