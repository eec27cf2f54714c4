// Instrumentation through node:diagnostics_channel: a subscriber to every channel sees the events
// of a whole flow (login, guarded requests, refusals, WeChat calls, the access_token, a store
// fault), with the right fields, and never a secret.

import diagnostics_channel from 'node:diagnostics_channel';
import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src/diagnostics.js';
import type { SessionStore } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { record } from '../helpers/secret-watch.js';

const emulator = await startEmulator();
const { app } = buildApp(emulator);

const events: { channel: string; message: Record<string, unknown> }[] = [];
const listeners = Object.values(CHANNELS).map((channel) => {
  const listener = (message: unknown) => {
    events.push({ channel, message: message as Record<string, unknown> });
    // Into the suite's leak watch: no token, session_key, access_token or secret may be in an event.
    record(`${channel} ${JSON.stringify(message)}`);
  };
  diagnostics_channel.subscribe(channel, listener);
  return { channel, listener };
});
afterAll(() => {
  for (const { channel, listener } of listeners) diagnostics_channel.unsubscribe(channel, listener);
});
beforeEach(() => {
  events.length = 0;
});

const on = (channel: string) => events.filter((e) => e.channel === channel).map((e) => e.message);

describe('diagnostics_channel events', () => {
  it('publishes a mini-program login: start, the WeChat call, end', async () => {
    const user = emulator.createUser();
    const res = await request(app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(user.openid) });
    expect(res.status).toBe(200);
    expect(on(CHANNELS.loginStart)).toEqual([{ appId: emulator.appId, source: 'miniprogram' }]);
    expect(on(CHANNELS.wechatStart)).toEqual([{ id: expect.any(Number), api: 'jscode2session' }]);
    expect(on(CHANNELS.wechatEnd)).toEqual([
      { id: expect.any(Number), api: 'jscode2session', attempts: 1, durationMs: expect.any(Number) },
    ]);
    expect(on(CHANNELS.loginEnd)).toEqual([
      { appId: emulator.appId, source: 'miniprogram', openid: user.openid, durationMs: expect.any(Number) },
    ]);
    expect(events.map((e) => e.channel)).toEqual([
      CHANNELS.loginStart,
      CHANNELS.wechatStart,
      CHANNELS.wechatEnd,
      CHANNELS.loginEnd,
    ]);
  });

  it('publishes a refused code as a WeChat error and a login error, with the attempts made', async () => {
    const res = await request(app).post('/wx/login').send({ code: 'never-issued-code' });
    expect(res.status).toBe(401);
    expect(on(CHANNELS.wechatError)).toEqual([
      {
        id: expect.any(Number),
        api: 'jscode2session',
        attempts: 1,
        durationMs: expect.any(Number),
        code: 'WX_CODE_INVALID',
        errcode: 40029,
      },
    ]);
    expect(on(CHANNELS.loginError)).toEqual([
      {
        appId: emulator.appId,
        source: 'miniprogram',
        code: 'WX_CODE_INVALID',
        status: 401,
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('counts retried attempts of a WeChat call', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 }, { times: 1 });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(200);
    expect(on(CHANNELS.wechatEnd)).toEqual([
      { id: expect.any(Number), api: 'jscode2session', attempts: 2, durationMs: expect.any(Number) },
    ]);
  });

  it('publishes verified tokens (from the store until cached on the second use, then cached) and refused ones with their code', async () => {
    const login = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    events.length = 0;
    const auth = `Bearer ${login.body.token}`;
    for (let i = 0; i < 3; i++)
      expect((await request(app).get('/me').set('Authorization', auth)).status).toBe(200);
    expect(on(CHANNELS.tokenVerified)).toEqual([
      { appId: emulator.appId, sessionAppId: emulator.appId, cached: false },
      { appId: emulator.appId, sessionAppId: emulator.appId, cached: false },
      { appId: emulator.appId, sessionAppId: emulator.appId, cached: true },
    ]);
    expect((await request(app).get('/me')).status).toBe(401);
    expect((await request(app).get('/me').set('Authorization', 'Bearer a.b.c')).status).toBe(401);
    await request(app).post('/wx/logout').set('Authorization', auth).expect(204);
    expect((await request(app).get('/me').set('Authorization', auth)).status).toBe(401);
    expect(on(CHANNELS.tokenRefused)).toEqual([
      { appId: emulator.appId, code: 'WX_TOKEN_MISSING' },
      { appId: emulator.appId, code: 'WX_TOKEN_INVALID' },
      { appId: emulator.appId, code: 'WX_SESSION_REVOKED' },
    ]);
  });

  it('publishes the access_token fetch of a phone request, and its WeChat calls', async () => {
    const user = emulator.createUser();
    const login = await request(app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(user.openid) });
    events.length = 0;
    const phone = await request(app)
      .post('/wx/phone')
      .set('Authorization', `Bearer ${login.body.token}`)
      .send({ code: emulator.issuePhoneCode(user.openid) });
    expect(phone.status).toBe(200);
    // The first phone request of this app fetches the token (this file's app had none yet).
    expect(on(CHANNELS.accessTokenRefresh)).toEqual([
      { appId: emulator.appId, endpoint: 'stable', afterRejection: false, forced: false },
    ]);
    expect(on(CHANNELS.wechatEnd).map((m) => m.api)).toContain('getuserphonenumber');
  });

  it('publishes a store fault with the operation that failed', async () => {
    const broken: SessionStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      add: () => Promise.reject(new Error('down')),
      deleteIfEquals: () => Promise.reject(new Error('down')),
    };
    const { app: down } = buildApp(emulator, { store: broken });
    const res = await request(down).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(503);
    expect(on(CHANNELS.storeError)).toContainEqual({ op: 'claim code', code: 'WX_STORE_UNAVAILABLE' });
    expect(on(CHANNELS.loginError)).toEqual([
      {
        appId: emulator.appId,
        source: 'miniprogram',
        code: 'WX_STORE_UNAVAILABLE',
        status: 503,
        durationMs: expect.any(Number),
      },
    ]);
  });
});
