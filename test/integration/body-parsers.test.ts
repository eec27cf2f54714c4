// The JSON body of POST /wx/login and /wx/phone whatever body parsers the app mounted, on Express 4
// (body-parser 1 leaves `req.body = {}` for types it skips) and Express 5, and without any.

import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { requireWxSession, wxErrorHandler, wxLogin } from '../../src/index.js';
import { captureLogger, emulatorOptions, recordingApp, startEmulator } from '../helpers/app.js';
import { EXPRESS_MAJORS, type ExpressMajor } from '../helpers/express-majors.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

type Mount = (app: Express, express: ExpressMajor['express']) => void;

/** The app's own parsers, as real apps mount them ahead of wxLogin(). */
const PARSERS: Array<[string, Mount]> = [
  ['no body parser at all', () => {}],
  ['only express.urlencoded()', (app, e) => app.use(e.urlencoded({ extended: false }))],
  [
    'express.urlencoded() and express.text() (text/plain only)',
    (app, e) => {
      app.use(e.urlencoded({ extended: true }));
      app.use(e.text());
    },
  ],
  ["express.text({ type: '*/*' })", (app, e) => app.use(e.text({ type: '*/*' }))],
  ["express.raw({ type: '*/*' })", (app, e) => app.use(e.raw({ type: '*/*' }))],
  ['the app’s own express.json()', (app, e) => app.use(e.json())],
];

function build(e: ExpressMajor['express'], mount: Mount) {
  const { logger, lines } = captureLogger();
  const app = recordingApp(e);
  mount(app, e);
  const wx = wxLogin({
    ...emulatorOptions(emulator),
    retryDelayMs: 5,
    logger,
    onLogin: ({ openid, req }) => ({
      invite: (req?.body as { invite?: string } | undefined)?.invite ?? null,
      openid,
    }),
  });
  app.use(wx);
  app.get('/me', requireWxSession(), (req, res) => {
    res.json({ openid: req.wxUser!.openid, appBody: req.body ?? null });
  });
  app.post('/echo', (req, res) => {
    res.json({ body: req.body === undefined ? 'undefined' : req.body });
  });
  app.use(wxErrorHandler());
  return { app, wx, lines };
}

describe.each(EXPRESS_MAJORS)('Express $major ($version)', ({ major, version, express }) => {
  it('is the Express major it says', () => {
    expect(version.split('.')[0]).toBe(String(major));
  });

  describe.each(PARSERS)('with %s', (_name, mount) => {
    it('logs in with a JSON body: one code2Session call with that code, the body reaches onLogin', async () => {
      const { app } = build(express, mount);
      const user = emulator.createUser();
      const code = emulator.issueLoginCode(user.openid);
      const res = await request(app)
        .post('/wx/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ code, invite: 'INV-42' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        openid: user.openid,
        user: { invite: 'INV-42', openid: user.openid },
      });
      const calls = emulator.callsTo('jscode2session');
      expect(calls).toHaveLength(1);
      expect(calls[0]?.query).toMatchObject({ appid: emulator.appId, js_code: code });
      const me = await request(app).get('/me').set('Authorization', `Bearer ${res.body.token}`);
      expect(me.status).toBe(200);
      expect(me.body.openid).toBe(user.openid);
    });

    it('answers a body that is not JSON with 400 WX_INVALID_REQUEST, without calling WeChat', async () => {
      const { app } = build(express, mount);
      const res = await request(app)
        .post('/wx/login')
        .set('Content-Type', 'application/json')
        .send('{"code": "abc"');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WX_INVALID_REQUEST');
      expect(emulator.callsTo('jscode2session')).toHaveLength(0);
    });

    it('answers a JSON array body with 400 WX_INVALID_REQUEST, without calling WeChat', async () => {
      const { app } = build(express, mount);
      const res = await request(app)
        .post('/wx/login')
        .set('Content-Type', 'application/json')
        .send('["abc"]');
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: 'WX_INVALID_REQUEST', message: expect.any(String) });
      expect(emulator.callsTo('jscode2session')).toHaveLength(0);
    });
  });

  it('reads no body off the app’s own routes (without a parser, req.body stays undefined there)', async () => {
    const { app } = build(express, () => {});
    const res = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('{"code":"abc"}');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: 'undefined' });
  });

  it('still takes a form-encoded login when the app mounted urlencoded()', async () => {
    const { app } = build(express, (a, e) => a.use(e.urlencoded({ extended: false })));
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const res = await request(app).post('/wx/login').type('form').send({ code });
    expect(res.status).toBe(200);
    expect(res.body.openid).toBe(user.openid);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });

  it('reads the JSON body of POST /wx/phone with only urlencoded() mounted', async () => {
    const { app } = build(express, (a, e) => a.use(e.urlencoded({ extended: false })));
    const user = emulator.createUser();
    const login = await request(app)
      .post('/wx/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ code: emulator.issueLoginCode(user.openid) }));
    expect(login.status).toBe(200);
    const phoneCode = emulator.issuePhoneCode(user.openid, { purePhoneNumber: '13912345678' });
    const res = await request(app)
      .post('/wx/phone')
      .set('Authorization', `Bearer ${login.body.token}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ code: phoneCode }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      phoneNumber: '13912345678',
      purePhoneNumber: '13912345678',
      countryCode: '86',
    });
    const calls = emulator.callsTo('getuserphonenumber');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toEqual({ code: phoneCode, openid: user.openid });
  });

  it('answers a JSON body over bodyLimit with 413 WX_BODY_TOO_LARGE with only urlencoded() mounted', async () => {
    const { app } = build(express, (a, e) => a.use(e.urlencoded({ extended: false })));
    const res = await request(app)
      .post('/wx/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ code: 'abc', pad: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('WX_BODY_TOO_LARGE');
    expect(emulator.callsTo('jscode2session')).toHaveLength(0);
  });
});
