// Several apps on one backend, on Express 4 and 5: two mini programs and an official account (web
// login) on one Express app, with a shared store (memory, Redis) or one store each. Tokens go to
// the wxLogin() of their `aud`, guards pick an app, routers and sub-apps find the parent's wxLogin().

import { randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryStore,
  RedisStore,
  requireWxSession,
  type SessionStore,
  type WxLoginMiddleware,
  wxErrorHandler,
  wxLogin,
  wxOAuth,
} from '../../src/index.js';
import { captureLogger, recordingApp, startEmulator, TOKEN_SECRET } from '../helpers/app.js';
import { EXPRESS_MAJORS, type ExpressMajor } from '../helpers/express-majors.js';
import { deleteUnder } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';

const SHOP = { appId: 'wx_shop_mini_app01', appSecret: 'shop_secret_0123456789abcdef00000' };
const CLUB = { appId: 'wx_club_mini_app02', appSecret: 'club_secret_0123456789abcdef00000' };
const STRANGER = { appId: 'wx_other_backend_03', appSecret: 'other_secret_0123456789abcdef0000' };
const OFFICIAL = { appId: 'wx_official_acct09', appSecret: 'official_secret_0123456789abcdef0' };
const REDIRECT_URI = 'http://app.example.test/wx/web/callback';

const emulator = await startEmulator({ apps: [SHOP, CLUB, OFFICIAL, STRANGER] });
const prefix = `wxl-test-${process.pid}-${randomBytes(4).toString('hex')}:`;
const redis = new Redis(services.redisUrl ?? 'redis://127.0.0.1:6379', { lazyConnect: true });

afterAll(async () => {
  if (redis.status !== 'wait') await deleteUnder(redis, prefix);
  redis.disconnect();
});

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
  emulator.oauthUser({ consent: 'allow' });
});

type Stores = () => { shop: SessionStore; club: SessionStore };
const STORES: Array<[string, Stores]> = [
  [
    'one shared MemoryStore',
    () => {
      const store = new MemoryStore();
      return { shop: store, club: store };
    },
  ],
  ['a MemoryStore each', () => ({ shop: new MemoryStore(), club: new MemoryStore() })],
  // Only where the run has a Redis (left out, and reported by the test run, on a machine without one).
  ...(services.redisUrl
    ? [
        [
          'one shared RedisStore',
          () => {
            // A prefix per backend: each starts without a cached access_token.
            const store = new RedisStore({
              client: redis,
              prefix: `${prefix}${randomBytes(3).toString('hex')}:`,
            });
            return { shop: store, club: store };
          },
        ] satisfies [string, Stores],
      ]
    : []),
];

interface Backend {
  app: Express;
  shop: WxLoginMiddleware;
  club: WxLoginMiddleware;
}

/**
 * The backend of a company with two mini programs (a shop, a club) and an official account whose
 * H5 pages log in through the shop's sessions.
 */
function backend(e: ExpressMajor['express'], stores: ReturnType<Stores>): Backend {
  const { logger } = captureLogger();
  const common = { tokenSecret: TOKEN_SECRET, apiBaseUrl: emulator.url, retryDelayMs: 5, logger };
  const app = recordingApp(e);
  app.use(e.json());
  const shop = wxLogin({ ...SHOP, ...common, store: stores.shop, onLogin: () => ({ app: 'shop' }) });
  const club = wxLogin({
    ...CLUB,
    ...common,
    store: stores.club,
    routes: { login: '/club/wx/login', logout: '/club/wx/logout', phone: '/club/wx/phone' },
    onLogin: () => ({ app: 'club' }),
  });
  afterAll(() => {
    shop.auth.close();
    club.auth.close();
  });
  app.use(shop);
  app.use(club);
  const oauth = wxOAuth({
    auth: shop.auth,
    ...OFFICIAL,
    scope: 'snsapi_base',
    redirectUri: REDIRECT_URI,
    authorizeBaseUrl: emulator.url,
    deliver: 'json',
  });
  afterAll(() => oauth.close());
  app.use(oauth);

  const who = (req: Request, res: Response) => {
    res.json({ openid: req.wxUser!.openid, appId: req.wxUser!.appId, user: req.wxUser!.user });
  };
  app.get('/me', requireWxSession(), who);
  app.get('/shop/orders', requireWxSession({ appId: SHOP.appId }), who);
  app.get('/club/events', requireWxSession({ appId: CLUB.appId }), who);
  app.get('/mp/articles', requireWxSession({ appId: OFFICIAL.appId }), who);
  app.get('/club/guarded', club.guard(), who);
  app.get('/shop/guarded', shop.guard(), who);

  const api = e.Router();
  api.get('/me', requireWxSession(), who);
  api.get('/club', requireWxSession({ appId: CLUB.appId }), who);
  app.use('/api', api);

  const sub = e();
  sub.get('/me', requireWxSession(), who);
  sub.get('/shop', requireWxSession({ appId: SHOP.appId }), who);
  sub.get('/club-guarded', club.guard(), who);
  app.use('/sub', sub);

  app.use(wxErrorHandler());
  return { app, shop, club };
}

async function miniLogin(app: Express, appId: string, path: string) {
  const user = emulator.createUser({ appId });
  const code = emulator.issueLoginCode({ appId, openid: user.openid });
  const res = await request(app).post(path).send({ code });
  expect(res.status).toBe(200);
  return { openid: user.openid, token: res.body.token as string, body: res.body };
}

/** The official account's H5 login, without a browser: start, WeChat's redirect back, callback. */
async function webLogin(app: Express) {
  const start = await request(app).get('/wx/web/login');
  expect(start.status).toBe(302);
  const stateCookie = String((start.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
  const authorize = await fetch(String(start.headers.location), { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const back = new URL(authorize.headers.get('location')!);
  const callback = await request(app).get(`${back.pathname}${back.search}`).set('Cookie', stateCookie);
  expect(callback.status).toBe(200);
  return { openid: callback.body.openid as string, token: callback.body.token as string };
}

function get(app: Express, path: string, token: string) {
  return request(app).get(path).set('Authorization', `Bearer ${token}`);
}

function expectRefused(res: request.Response, code = 'WX_TOKEN_INVALID'): void {
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe(code);
  expect(res.headers['www-authenticate']).toBe('Bearer realm="express-wx-login", error="invalid_token"');
}

describe.each(EXPRESS_MAJORS)('Express $major', ({ express: e }) => {
  describe.each(STORES)('two mini programs and an official account, %s', (_name, stores) => {
    let b: Backend;
    let shop: Awaited<ReturnType<typeof miniLogin>>;
    let club: Awaited<ReturnType<typeof miniLogin>>;
    let web: Awaited<ReturnType<typeof webLogin>>;

    beforeEach(async () => {
      b = backend(e, stores());
      shop = await miniLogin(b.app, SHOP.appId, '/wx/login');
      club = await miniLogin(b.app, CLUB.appId, '/club/wx/login');
      web = await webLogin(b.app);
    });

    it('each login called WeChat once, with its own appid and secret', () => {
      const sessions = emulator.callsTo('jscode2session');
      expect(sessions.map((c) => [c.query.appid, c.query.secret])).toEqual([
        [SHOP.appId, SHOP.appSecret],
        [CLUB.appId, CLUB.appSecret],
      ]);
      const grants = emulator.callsTo('oauth2_access_token');
      expect(grants.map((c) => [c.query.appid, c.query.secret])).toEqual([
        [OFFICIAL.appId, OFFICIAL.appSecret],
      ]);
      expect(shop.body.user).toEqual({ app: 'shop' });
      expect(club.body.user).toEqual({ app: 'club' });
    });

    it('requireWxSession() accepts every token and req.wxUser.appId names its app', async () => {
      for (const [path] of [['/me'], ['/api/me'], ['/sub/me']]) {
        expect((await get(b.app, path!, shop.token)).body).toEqual({
          openid: shop.openid,
          appId: SHOP.appId,
          user: { app: 'shop' },
        });
        expect((await get(b.app, path!, club.token)).body).toEqual({
          openid: club.openid,
          appId: CLUB.appId,
          user: { app: 'club' },
        });
        expect((await get(b.app, path!, web.token)).body).toEqual({
          openid: web.openid,
          appId: OFFICIAL.appId,
          user: { app: 'shop' },
        });
      }
    });

    it('requireWxSession({ appId }) accepts only that app’s tokens: others get 401 WX_TOKEN_INVALID', async () => {
      expect((await get(b.app, '/shop/orders', shop.token)).status).toBe(200);
      expectRefused(await get(b.app, '/shop/orders', club.token));
      expectRefused(await get(b.app, '/shop/orders', web.token));

      expect((await get(b.app, '/club/events', club.token)).body.appId).toBe(CLUB.appId);
      expectRefused(await get(b.app, '/club/events', shop.token));
      expectRefused(await get(b.app, '/club/events', web.token));

      expect((await get(b.app, '/mp/articles', web.token)).body.appId).toBe(OFFICIAL.appId);
      expectRefused(await get(b.app, '/mp/articles', shop.token));
      expectRefused(await get(b.app, '/mp/articles', club.token));

      // In a router and in a sub-app mounted on the app, too.
      expect((await get(b.app, '/api/club', club.token)).body.appId).toBe(CLUB.appId);
      expectRefused(await get(b.app, '/api/club', shop.token));
      expect((await get(b.app, '/sub/shop', shop.token)).body.appId).toBe(SHOP.appId);
      expectRefused(await get(b.app, '/sub/shop', club.token));
    });

    it('wx.guard() accepts only the tokens of its own wxLogin() (web logins of it included)', async () => {
      expect((await get(b.app, '/club/guarded', club.token)).body.openid).toBe(club.openid);
      expectRefused(await get(b.app, '/club/guarded', shop.token));
      expectRefused(await get(b.app, '/club/guarded', web.token));
      expect((await get(b.app, '/sub/club-guarded', club.token)).status).toBe(200);
      expectRefused(await get(b.app, '/sub/club-guarded', shop.token));
      expect((await get(b.app, '/shop/guarded', shop.token)).body.appId).toBe(SHOP.appId);
      expect((await get(b.app, '/shop/guarded', web.token)).body.appId).toBe(OFFICIAL.appId);
      expectRefused(await get(b.app, '/shop/guarded', club.token));
      const none = await request(b.app).get('/club/guarded');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('WX_TOKEN_MISSING');
    });

    it('a token of a wxLogin() this request did not pass through is 401 WX_TOKEN_INVALID on every guard', async () => {
      // Another backend's mini program, same token secret: only the audience tells them apart.
      const other = e();
      other.use(e.json());
      const stranger = wxLogin({ ...STRANGER, tokenSecret: TOKEN_SECRET, apiBaseUrl: emulator.url });
      afterAll(() => stranger.auth.close());
      other.use(stranger);
      const { token } = await miniLogin(other, STRANGER.appId, '/wx/login');
      for (const path of ['/me', '/api/me', '/sub/me', '/shop/orders', '/club/guarded', '/shop/guarded']) {
        expectRefused(await get(b.app, path, token));
      }
    });

    it('logging out of one app leaves the sessions of the others alone', async () => {
      // The club's logout path does not take the shop's token.
      expectRefused(
        await request(b.app).post('/club/wx/logout').set('Authorization', `Bearer ${shop.token}`),
      );
      expect((await get(b.app, '/me', shop.token)).status).toBe(200);

      const out = await request(b.app).post('/club/wx/logout').set('Authorization', `Bearer ${club.token}`);
      expect(out.status).toBe(204);
      expectRefused(await get(b.app, '/me', club.token), 'WX_SESSION_REVOKED');
      expectRefused(await get(b.app, '/club/events', club.token), 'WX_SESSION_REVOKED');
      expect((await get(b.app, '/me', shop.token)).body.appId).toBe(SHOP.appId);
      expect((await get(b.app, '/me', web.token)).body.appId).toBe(OFFICIAL.appId);

      const shopOut = await request(b.app).post('/wx/logout').set('Authorization', `Bearer ${shop.token}`);
      expect(shopOut.status).toBe(204);
      expectRefused(await get(b.app, '/me', shop.token), 'WX_SESSION_REVOKED');
      // The official account's session is a session of its own, though it shares the shop's service.
      expect((await get(b.app, '/me', web.token)).body.appId).toBe(OFFICIAL.appId);
    });

    it('the phone route of each app asks WeChat with that app’s access_token for that app’s user', async () => {
      const code = emulator.issuePhoneCode(club.openid, { purePhoneNumber: '13700001111' }, CLUB.appId);
      const res = await request(b.app)
        .post('/club/wx/phone')
        .set('Authorization', `Bearer ${club.token}`)
        .send({ code });
      expect(res.status).toBe(200);
      expect(res.body.purePhoneNumber).toBe('13700001111');
      const tokenCalls = emulator.callsTo('stable_token');
      expect(tokenCalls.map((c) => (c.body as { appid: string }).appid)).toEqual([CLUB.appId]);
      expect(emulator.callsTo('getuserphonenumber').map((c) => c.body)).toEqual([
        { code, openid: club.openid },
      ]);
      // The shop's phone route refuses the club's token before calling WeChat.
      expectRefused(
        await request(b.app)
          .post('/wx/phone')
          .set('Authorization', `Bearer ${club.token}`)
          .send({ code: 'x' }),
      );
      expect(emulator.callsTo('getuserphonenumber')).toHaveLength(1);
    });
  });
});
