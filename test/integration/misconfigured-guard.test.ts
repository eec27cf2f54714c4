// requireWxSession() on a request that passed through no wxLogin(): 500 WX_MISCONFIGURED whose
// message names the real cause (none created, not mounted, mounted after the route, on a sibling
// router), on Express 4 and 5. The guard's message looks at every wxLogin() of the process, so the
// first tests run before any other wxLogin() exists, in the order written.

import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requireWxSession, wxLogin } from '../../src/index.js';
import { emulatorOptions, recordingApp, startEmulator } from '../helpers/app.js';
import { EXPRESS_MAJORS } from '../helpers/express-majors.js';

const APP_IDS = [
  'wx_never_mounted_01',
  'wx_after_route_04',
  'wx_after_route_05',
  'wx_sibling_rtr_04',
  'wx_sibling_rtr_05',
  'wx_parent_app_004',
  'wx_parent_app_005',
];
const SECRET = 'misconfigured_secret_0123456789ab';
const emulator = await startEmulator({ apps: APP_IDS.map((appId) => ({ appId, appSecret: SECRET })) });
const [E4, E5] = EXPRESS_MAJORS.map((m) => m.express) as [Express4Or5, Express4Or5];
type Express4Or5 = (typeof EXPRESS_MAJORS)[number]['express'];

function appOf(e: Express4Or5): Express {
  const app = recordingApp(e);
  app.use(e.json());
  return app;
}

function wxFor(appId: string) {
  return wxLogin({ ...emulatorOptions(emulator), appId });
}

/** A new user of `appId` logs in at `path` and is answered with their openid; their token. */
async function logInAt(app: Express, path: string, appId: string): Promise<string> {
  const user = emulator.createUser({ appId });
  const login = await request(app)
    .post(path)
    .send({ code: emulator.issueLoginCode({ appId, openid: user.openid }) });
  expect(login.body).toMatchObject({ openid: user.openid });
  return login.body.token;
}

async function misconfigured(app: Express, path: string): Promise<string> {
  const res = await request(app).get(path).set('Authorization', 'Bearer a.b.c');
  expect(res.status).toBe(500);
  expect(res.body.error.code).toBe('WX_MISCONFIGURED');
  return res.body.error.message as string;
}

const held: unknown[] = []; // keeps every wxLogin() of this file alive for the process-wide registry

describe('in the order written', () => {
  it('no wxLogin() created at all: says so, and names the double load (import and require)', async () => {
    for (const e of [E4, E5]) {
      const app = appOf(e);
      app.get('/me', requireWxSession(), (_req, res) => res.end());
      const message = await misconfigured(app, '/me?x=1');
      expect(message).toBe(
        'requireWxSession() at GET /me found no wxLogin() on this request: no wxLogin() was created in this process. ' +
          'Mount one before this route: app.use(wxLogin(options)). ' +
          '(If you did, the app loads express-wx-login twice, by import and by require: use one of them.)',
      );
    }
  });

  describe.each(EXPRESS_MAJORS)('Express $major', ({ express: e, major }) => {
    it('wxLogin() mounted after the route: once it has met requests, says it is after the route', async () => {
      const app = appOf(e);
      app.get('/orders', requireWxSession(), (_req, res) => res.end());
      const wx = wxFor(`wx_after_route_0${major}`);
      held.push(wx);
      app.use(wx);
      // Its first request: the wxLogin() has met none yet.
      const first = await misconfigured(app, '/orders');
      expect(first).toMatch(
        /^requireWxSession\(\) at GET \/orders found no wxLogin\(\) on this request: wxLogin\(\) for /,
      );
      expect(first).toMatch(
        new RegExp(
          `wx_after_route_0${major} has not met any request yet: app.use\\(wx\\) is missing, or comes after this route\\.`,
        ),
      );
      // Any request that reaches it (here a login without a body) tells where it is mounted.
      expect((await request(app).post('/wx/login').send({})).status).toBe(400);
      expect(await misconfigured(app, '/orders')).toBe(
        `requireWxSession() at GET /orders found no wxLogin() on this request: wxLogin() (wx_after_route_0${major} at /) ` +
          "is on this request's path but after this route. Move app.use(wx) above the routes it protects.",
      );
    });

    it('wxLogin() on a sibling router: names where it is mounted', async () => {
      const app = appOf(e);
      const shop = e.Router();
      const wx = wxFor(`wx_sibling_rtr_0${major}`);
      held.push(wx);
      shop.use(wx);
      shop.get('/me', requireWxSession(), (req, res) => res.json({ appId: req.wxUser!.appId }));
      const club = e.Router();
      club.get('/me', requireWxSession(), (_req, res) => res.end());
      app.use('/shop', shop);
      app.use('/club', club);
      // The shop's own route works: its login is met on the way.
      const token = await logInAt(app, '/shop/wx/login', `wx_sibling_rtr_0${major}`);
      const me = await request(app).get('/shop/me').set('Authorization', `Bearer ${token}`);
      expect(me.body).toEqual({ appId: `wx_sibling_rtr_0${major}` });
      const message = await misconfigured(app, '/club/me');
      expect(message).toMatch(
        /^requireWxSession\(\) at GET \/club\/me found no wxLogin\(\) on this request: /,
      );
      expect(message).toContain(`wx_sibling_rtr_0${major} at /shop`);
      expect(message).toContain('on a sibling router, another path or another Express app');
      expect(message).toContain(
        'Mount it on this app, or on a router that holds this route, before the route.',
      );
      expect(message).not.toContain('after this route');
    });

    it('a guard in a sub-app finds the wxLogin() of the parent app; an app mounted nowhere does not', async () => {
      const app = appOf(e);
      const wx = wxFor(`wx_parent_app_00${major}`);
      held.push(wx);
      app.use(wx);
      const api = e();
      api.get('/me', requireWxSession(), (req, res) => res.json({ appId: req.wxUser!.appId }));
      app.use('/api', api);
      const token = await logInAt(app, '/wx/login', `wx_parent_app_00${major}`);
      const me = await request(app).get('/api/me').set('Authorization', `Bearer ${token}`);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ appId: `wx_parent_app_00${major}` });
      // An Express app of its own, mounted nowhere: its request passes no wxLogin().
      const alone = appOf(e);
      alone.get('/me', requireWxSession(), (_req, res) => res.end());
      const message = await misconfigured(alone, '/me');
      expect(message).not.toContain('after this route');
      expect(message).toContain(`wx_parent_app_00${major} at /`);
      expect(message).toContain('on a sibling router, another path or another Express app');
    });
  });
  it('a wxLogin() created but never mounted: not met any request yet, missing or after the route', async () => {
    for (const e of [E4, E5]) {
      const app = appOf(e);
      const wx = wxFor('wx_never_mounted_01');
      held.push(wx);
      app.get('/me', requireWxSession(), (_req, res) => res.end());
      const message = await misconfigured(app, '/me');
      expect(message).toMatch(
        /^requireWxSession\(\) at GET \/me found no wxLogin\(\) on this request: wxLogin\(\) for wx_never_mounted_01 has not met any request yet: app\.use\(wx\) is missing, or comes after this route\. Mount it before the routes it protects\. \(wxLogin\(\) met requests only where this request does not pass \(.*wx_sibling_rtr_05 at \/shop.*\): on a sibling router, another path or another Express app\.\)$/,
      );
      expect(await misconfigured(app, '/me')).toBe(message);
    }
  });
});
