// What a web login leaves behind: where the browser goes (returnTo, never another origin), the
// token cookie and its attributes, requireWxSession() and logout with it, one user across the
// mini program and the web through unionid, JSON delivery, two wxOAuth() on one wxLogin().

import { inspect } from 'node:util';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { WxAuth, wxLogin, wxOAuth } from '../../src/index.js';
import { TOKEN_SECRET } from '../helpers/app.js';
import { TestBrowser } from '../helpers/test-browser.js';
import { MINI, OFFICIAL, startWebApp, startWebSuite, WEBSITE } from '../helpers/web-app.js';

const { emulator, web } = await startWebSuite();

/** Logs a new browser in through the H5 login; returns the browser and its token cookie. */
async function webLogin(base = web.base, returnTo = '/account') {
  const browser = new TestBrowser();
  const page = await browser.open(`${base}/wx/web/login?returnTo=${encodeURIComponent(returnTo)}`);
  const token = browser.cookie('wxl_token', base);
  if (!token) throw new Error(`no token cookie: ${page.status} ${page.text.slice(0, 200)}`);
  return { browser, page, token, callback: page.hops.find((h) => h.url.includes('/wx/web/callback'))! };
}

describe('returnTo', () => {
  it.each([
    ['/account', '/account'],
    ['/account?tab=2#top', '/account?tab=2#top'],
    ['/a/./b/../c', '/a/c'],
    ['/客户', '/%E5%AE%A2%E6%88%B7'],
    [`/${'a'.repeat(511)}`, `/${'a'.repeat(511)}`],
  ])('keeps the local path %j as %j', async (asked, location) => {
    const { callback } = await webLogin(web.base, asked);
    expect(callback.location).toBe(location);
  });

  it.each([
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\/evil.com',
    'https://evil.com',
    'http:evil.com',
    '/%2F%2Fevil.com',
    '/%5Cevil.com',
    '%2F%2Fevil.com',
    'javascript:alert(1)',
    ' /account',
    '/\t/evil.com',
    '/\n/evil.com',
    '/a/../..//evil.com',
    'evil.com',
    '',
    // Longer than 512 bytes: refused like an unsafe one (it travels in the state cookie).
    `/${'a'.repeat(512)}`,
    `/${'a'.repeat(2047)}`,
    `/${'客'.repeat(100)}`,
  ])('refuses %j and goes to / instead', async (asked) => {
    const { callback } = await webLogin(web.base, asked);
    expect(callback.location).toBe('/');
  });

  it('ignores a repeated returnTo', async () => {
    const browser = new TestBrowser();
    const page = await browser.open(`${web.base}/wx/web/login?returnTo=/a&returnTo=//evil.com`);
    expect(page.hops.find((h) => h.url.includes('/wx/web/callback'))?.location).toBe('/');
  });
});

describe('the token cookie', () => {
  it('is HttpOnly, Secure, SameSite=Lax, Path=/, Max-Age = tokenTtl by default, with the domain asked for', async () => {
    const secure = await startWebApp(emulator, {
      oauth: { cookie: { domain: 'example.com' } },
      login: { tokenTtl: 3600 },
    });
    const page = await new TestBrowser().open(`${secure.base}/wx/web/login`);
    const login = page.hops[0]!;
    // The state cookie is host-only whatever the token cookie's domain: `__Host-`, Path=/, no Domain.
    expect(login.setCookie[0]).toMatch(
      /^__Host-wxl_oauth_state_wx_official_acct_1=[0-9a-f]{76}\.[\w-]*\.[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const callback = page.hops.find((h) => h.url.includes('/wx/web/callback'))!;
    expect(callback.setCookie[1]).toMatch(
      /^wxl_token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=3600; Path=\/; Domain=example.com; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it('over https without a domain: __Host-wxl_token, read by requireWxSession() and logout; a tossed plain one is not', async () => {
    const hosted = await startWebApp(emulator, { oauth: { cookie: {} } }); // secure by default
    const browser = new TestBrowser(); // keeps Secure cookies over plain http, unlike real browsers
    const page = await browser.open(`${hosted.base}/wx/web/login?returnTo=/account`);
    expect(page.text).toContain('id="openid"'); // the page itself read the __Host- cookie
    expect(page.hops[0]?.setCookie).toEqual([
      expect.stringMatching(
        /^__Host-wxl_oauth_state_wx_official_acct_1=[0-9a-f]{76}\.[\w-]+\.[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      ),
    ]);
    const callback = page.hops.find((h) => h.url.includes('/wx/web/callback'))!;
    expect(callback.setCookie).toEqual([
      '__Host-wxl_oauth_state_wx_official_acct_1=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      expect.stringMatching(
        /^__Host-wxl_token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      ),
    ]);
    const token = browser.cookie('__Host-wxl_token', hosted.base)!;
    const plain = await request(hosted.app).get('/me').set('Cookie', `wxl_token=${token}`);
    expect(plain.status).toBe(401);
    expect(plain.body.error.code).toBe('WX_TOKEN_MISSING');
    const me = await request(hosted.app).get('/me').set('Cookie', `wxl_token=x; __Host-wxl_token=${token}`);
    expect(me.status).toBe(200);
    const out = await request(hosted.app).post('/wx/logout').set('Cookie', `__Host-wxl_token=${token}`);
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toEqual([
      '__Host-wxl_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
    ]);
  });

  it('takes another name', async () => {
    const named = await startWebApp(emulator, { oauth: { cookie: { name: 'sid_web', secure: false } } });
    const browser = new TestBrowser();
    const page = await browser.open(`${named.base}/wx/web/login?returnTo=/account`);
    expect(page.text).toContain('id="openid"'); // the page itself read the renamed cookie
    const token = browser.cookie('sid_web', named.base);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(browser.cookie('wxl_token', named.base)).toBeUndefined();
    const me = await request(named.app).get('/me').set('Cookie', `sid_web=${token}`);
    expect(me.status).toBe(200);
  });
});

describe('requireWxSession() with a web login', () => {
  it('accepts the token cookie, and the same token as a Bearer header', async () => {
    const { token } = await webLogin();
    const byCookie = await request(web.app).get('/me').set('Cookie', `theme=dark; wxl_token=${token}`);
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.appId).toBe(OFFICIAL.appId);
    const byHeader = await request(web.app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(byHeader.status).toBe(200);
    expect(byHeader.body).toEqual(byCookie.body);
  });

  it('lets the Authorization header win over the cookie, also when the header is bad', async () => {
    const a = await webLogin();
    const b = await webLogin();
    const both = await request(web.app)
      .get('/me')
      .set('Cookie', `wxl_token=${a.token}`)
      .set('Authorization', `Bearer ${b.token}`);
    expect(both.status).toBe(200);
    expect(both.body.openid).toBe(b.page.text.match(/id="openid">([^<]+)/)?.[1]);
    const badHeader = await request(web.app)
      .get('/me')
      .set('Cookie', `wxl_token=${a.token}`)
      .set('Authorization', 'Bearer not-a-token');
    expect(badHeader.status).toBe(401);
    expect(badHeader.body.error.code).toBe('WX_TOKEN_INVALID');
  });

  it('refuses two token cookies, a malformed one, and a forged one (401)', async () => {
    const a = await webLogin();
    for (const cookie of [
      `wxl_token=${a.token}; wxl_token=${a.token}`,
      'wxl_token=garbage',
      `wxl_token=${a.token.slice(0, -2)}xx`,
    ]) {
      const res = await request(web.app).get('/me').set('Cookie', cookie);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WX_TOKEN_INVALID');
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    }
    const none = await request(web.app).get('/me').set('Cookie', 'theme=dark');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('WX_TOKEN_MISSING');
    const optional = await request(web.app).get('/maybe').set('Cookie', 'theme=dark');
    expect(optional.body).toEqual({ user: null });
  });

  it('logout with the cookie ends the session and clears the cookie', async () => {
    const { token } = await webLogin();
    const out = await request(web.app).post('/wx/logout').set('Cookie', `wxl_token=${token}`);
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toEqual(['wxl_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    const after = await request(web.app).get('/me').set('Cookie', `wxl_token=${token}`);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('WX_SESSION_REVOKED');
    // A second logout still clears a cookie that lingers.
    const again = await request(web.app).post('/wx/logout').set('Cookie', `wxl_token=${token}`);
    expect(again.status).toBe(401);
    expect(again.headers['set-cookie']).toEqual(['wxl_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
  });

  it('logout with the Authorization header leaves cookies alone', async () => {
    const { token } = await webLogin();
    const out = await request(web.app).post('/wx/logout').set('Authorization', `Bearer ${token}`);
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']).toBeUndefined();
  });
});

describe('one person across the mini program and the web', () => {
  it('links a web login and a mini-program login by unionid: onLogin gets one user id', async () => {
    const mini = emulator.createUser({ appId: MINI.appId, withUnionid: true });
    const miniLogin = await request(web.app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(mini.openid) });
    expect(miniLogin.status).toBe(200);

    emulator.oauthUser({ unionid: mini.unionid!, consent: 'allow' });
    const { token } = await webLogin();
    const me = await request(web.app).get('/me').set('Cookie', `wxl_token=${token}`);

    expect(me.body.openid).not.toBe(mini.openid); // one openid per app
    expect(me.body.unionid).toBe(mini.unionid);
    expect(me.body.user).toEqual(miniLogin.body.user);
    expect(me.body.user).toEqual({ userId: `user-of-${mini.unionid}` });
    expect(web.logins.map((e) => [e.source, e.appId, e.unionid])).toEqual([
      ['miniprogram', MINI.appId, mini.unionid],
      ['web', OFFICIAL.appId, mini.unionid],
    ]);
  });
});

describe('deliver: json', () => {
  it('answers the body of POST /wx/login, and sets no token cookie', async () => {
    const json = await startWebApp(emulator, { oauth: { deliver: 'json' } });
    emulator.oauthUser({ withUnionid: true, consent: 'allow' });
    const page = await new TestBrowser().open(`${json.base}/wx/web/login`);
    expect(page.status).toBe(200);
    const body = JSON.parse(page.text);
    expect(Object.keys(body).sort()).toEqual([
      'expiresIn',
      'openid',
      'token',
      'tokenType',
      'unionid',
      'user',
    ]);
    expect(page.hops.at(-1)?.setCookie).toEqual([
      `wxl_oauth_state_${OFFICIAL.appId}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`,
    ]);
    const me = await request(json.app).get('/me').set('Authorization', `Bearer ${body.token}`);
    expect(me.body.openid).toBe(body.openid);
    // No cookie delivery, so this wxLogin reads no token cookie at all.
    const byCookie = await request(json.app).get('/me').set('Cookie', `wxl_token=${body.token}`);
    expect(byCookie.body.error.code).toBe('WX_TOKEN_MISSING');
  });
});

describe('two wxOAuth() on one wxLogin()', () => {
  it('serves H5 and website QR login on their own routes, with one session service', async () => {
    const both = await startWebApp(emulator, {
      more: (app, wx, base) => {
        app.use(
          wxOAuth({
            auth: wx.auth,
            appId: WEBSITE.appId,
            appSecret: WEBSITE.appSecret,
            scope: 'snsapi_login',
            redirectUri: `${base}/wx/qr/callback`,
            routes: { start: '/wx/qr/login', callback: '/wx/qr/callback' },
            authorizeBaseUrl: emulator.url,
            cookie: { secure: false },
          }),
        );
      },
    });
    const h5 = await webLogin(both.base);
    const browser = new TestBrowser();
    await browser.open(`${both.base}/wx/qr/login?returnTo=/account`);
    const qrToken = browser.cookie('wxl_token', both.base);
    expect(emulator.callsTo('qrconnect')).toHaveLength(1);
    const a = await request(both.app).get('/me').set('Cookie', `wxl_token=${h5.token}`);
    const b = await request(both.app).get('/me').set('Cookie', `wxl_token=${qrToken}`);
    expect([a.body.appId, b.body.appId]).toEqual([OFFICIAL.appId, WEBSITE.appId]);
    // A state of one flow is no state of the other.
    const qrStart = await request(both.base).get('/wx/qr/login');
    const state = new URL(qrStart.headers.location as string).searchParams.get('state');
    const crossed = await request(both.base)
      .get(`/wx/web/callback?code=abc&state=${state}`)
      .set('Cookie', String(qrStart.headers['set-cookie']).split(';')[0]!);
    expect(crossed.status).toBe(403);
  });
});

describe('options', () => {
  const auth = new WxAuth({ appId: MINI.appId, appSecret: MINI.appSecret, tokenSecret: TOKEN_SECRET });
  const valid = {
    auth,
    appId: OFFICIAL.appId,
    appSecret: OFFICIAL.appSecret,
    scope: 'snsapi_userinfo' as const,
    redirectUri: 'https://example.com/wx/web/callback',
  };

  it.each([
    [{ auth: undefined }, 'option "auth" is required'],
    [{ appId: '' }, 'option "appId" is required'],
    [{ appSecret: undefined }, 'option "appSecret" is required'],
    [{ scope: 'snsapi_all' }, 'option "scope" must be one of'],
    [{ redirectUri: '/wx/web/callback' }, 'option "redirectUri" must be the absolute'],
    [{ redirectUri: 'https://example.com/cb#x' }, 'option "redirectUri"'],
    [{ deliver: 'header' }, 'option "deliver"'],
    [{ cookie: { name: 'a b' } }, 'option "cookie.name"'],
    [{ cookie: { domain: 'https://example.com' } }, 'option "cookie.domain"'],
    [{ cookie: { name: 'wxl_oauth_state_x' } }, 'option "cookie.name"'],
    [{ cookie: { name: '__Host-wxl_oauth_state' } }, 'option "cookie.name"'],
    [{ cookie: { name: '__Host-sid', domain: 'example.com' } }, 'option "cookie.name" starts with "__Host-"'],
    [{ cookie: { name: '__Host-sid', secure: false } }, 'option "cookie.name" starts with "__Host-"'],
    [{ cookie: { name: '__host-sid', secure: false } }, 'option "cookie.name" starts with "__Host-"'],
    [{ cookie: { name: '__Secure-sid', secure: false } }, 'option "cookie.name" starts with "__Secure-"'],
    [{ stateTtlSeconds: 0 }, 'option "stateTtlSeconds"'],
    [{ lang: 'fr' }, 'option "lang"'],
    [{ routes: { start: 'login' } }, 'option "routes.start"'],
    [{ authorizeBaseUrl: 'open.weixin.qq.com' }, 'option "authorizeBaseUrl"'],
  ])('refuses %j', (override, message) => {
    const run = () => wxOAuth({ ...valid, ...override } as Parameters<typeof wxOAuth>[0]);
    expect(run).toThrow(TypeError);
    expect(run).toThrow(new RegExp(`^express-wx-login: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    let message_ = '';
    try {
      run();
    } catch (err) {
      message_ = (err as Error).message;
    }
    expect(message_).not.toContain(OFFICIAL.appSecret);
  });

  it('never prints the web app’s appSecret: util.inspect (showHidden, depth 10) or JSON of anything reachable', () => {
    const own = new WxAuth({ appId: MINI.appId, appSecret: MINI.appSecret, tokenSecret: TOKEN_SECRET });
    const middleware = wxOAuth({ ...valid, auth: own });
    const deep = { showHidden: true, depth: 10 };
    const texts = [
      inspect(middleware),
      inspect(middleware, deep),
      inspect(middleware.oauth, { ...deep, getters: true }),
      inspect(middleware.oauth.config, deep),
      inspect(own, deep),
      JSON.stringify({ ...middleware }),
      JSON.stringify(middleware.oauth),
      JSON.stringify(middleware.oauth.config),
    ];
    // The inspection does reach the web app's settings: only the secret is missing.
    expect(texts[1]).toContain(OFFICIAL.appId);
    expect(texts[1]).toContain('oauth: OAuthLogin');
    for (const text of texts) expect(text).not.toContain(OFFICIAL.appSecret);
    expect(Object.keys(middleware.oauth.config)).not.toContain('appSecret');
    middleware.close();
    own.close();
  });

  it('accepts prefixed names that keep their promise', () => {
    for (const cookie of [
      { name: '__Host-sid' },
      { name: '__Secure-sid', domain: 'example.com' },
      { name: '__Secure-sid' },
    ]) {
      // A WxAuth of its own each: one wxLogin() has one token cookie.
      const own = new WxAuth({ appId: MINI.appId, appSecret: MINI.appSecret, tokenSecret: TOKEN_SECRET });
      wxOAuth({ ...valid, auth: own, cookie }).close();
      own.close();
    }
  });

  it('refuses a second cookie-delivering wxOAuth() with other cookie settings on the same wxLogin()', () => {
    const wx = wxLogin({ appId: MINI.appId, appSecret: MINI.appSecret, tokenSecret: TOKEN_SECRET });
    wxOAuth({ ...valid, auth: wx.auth }).close();
    wxOAuth({ ...valid, auth: wx.auth, scope: 'snsapi_base' }).close();
    expect(() => wxOAuth({ ...valid, auth: wx.auth, cookie: { name: 'other' } })).toThrow(
      /^express-wx-login: option "cookie" must be the same/,
    );
    wx.auth.close();
  });

  it('makes requireWxSession() work without wxLogin() mounted, from a bare WxAuth', async () => {
    const app = express();
    const { requireWxSession } = await import('../../src/index.js');
    app.use(wxOAuth(valid));
    app.get('/me', requireWxSession(), (req, res) => {
      res.json(req.wxUser);
    });
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('WX_TOKEN_MISSING');
  });
});
