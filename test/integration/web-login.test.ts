// Web login (wxOAuth) end to end over real HTTP: a cookie-keeping client follows the redirects from
// the app to the emulator's authorize page and back. The flows, every bad state, refusals, errors.

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { secret } from '../helpers/secret-watch.js';
import { TestBrowser } from '../helpers/test-browser.js';
import { MINI, OFFICIAL, startWebApp, startWebSuite, WEBSITE } from '../helpers/web-app.js';

const { emulator, web } = await startWebSuite();
/** One state cookie per web app, Path=/ (plain name: these apps run on plain http). */
const STATE_COOKIE = `wxl_oauth_state_${OFFICIAL.appId}`;
const CLEARED_STATE = `${STATE_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`;

/** Starts a login and stops at WeChat's redirect back to the callback (not followed). */
async function startToCallback(browser: TestBrowser, returnTo = '/account') {
  const page = await browser.open(`${web.base}/wx/web/login?returnTo=${encodeURIComponent(returnTo)}`);
  // The app answered 302 to WeChat, WeChat 302 to the callback, the callback 302 to returnTo.
  const callbackHop = page.hops.find((h) => h.url.startsWith(`${web.base}/wx/web/callback`));
  return { page, callbackUrl: callbackHop?.url };
}

/** The parts of a started login, without following it: state, cookie, authorize URL. */
async function startOnly(base = web.base) {
  const res = await request(base).get('/wx/web/login');
  const location = new URL(res.headers.location as string);
  const state = location.searchParams.get('state') ?? '';
  const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  return { res, location, state, cookie };
}

function noCodeExchange(): void {
  expect(emulator.callsTo('oauth2_access_token')).toHaveLength(0);
}

describe('the H5 login (snsapi_userinfo) through the emulator', () => {
  it('redirects to WeChat with the parameters in WeChat’s order and a browser-bound state', async () => {
    const { res, location, state } = await startOnly();
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const redirectUri = `${web.base}/wx/web/callback`;
    // nonce, expiry and MAC in hex: what WeChat accepts (a-zA-Z0-9, at most 128 bytes).
    expect(state).toMatch(/^[0-9a-f]{76}$/);
    expect(res.headers.location).toBe(
      `${emulator.url}/connect/oauth2/authorize?appid=${OFFICIAL.appId}&redirect_uri=${encodeURIComponent(redirectUri)}` +
        `&response_type=code&scope=snsapi_userinfo&state=${state}#wechat_redirect`,
    );
    expect(location.hash).toBe('#wechat_redirect');
    const setCookie = res.headers['set-cookie'] as unknown as string[];
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(
      new RegExp(
        `^${STATE_COOKIE}=${state}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]{43}; Max-Age=600; Path=/; HttpOnly; SameSite=Lax$`,
      ),
    );
    const again = await startOnly();
    expect(again.state).not.toBe(state);
  });

  it('logs the user in: token cookie, redirect to returnTo, WeChat called once per API', async () => {
    const browser = new TestBrowser();
    emulator.oauthUser({ withUnionid: true, nickname: 'Mei', sex: 2, consent: 'allow' });
    const { page } = await startToCallback(browser);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${web.base}/account`);
    expect(page.hops.map((h) => h.status)).toEqual([302, 302, 302, 200]);
    const callback = page.hops[2]!;
    expect(callback.setCookie).toHaveLength(2);
    expect(callback.setCookie[0]).toBe(CLEARED_STATE);
    expect(callback.setCookie[1]).toMatch(
      /^wxl_token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(callback.location).toBe('/account');

    const [exchange] = emulator.callsTo('oauth2_access_token');
    const code = new URL(callback.url).searchParams.get('code');
    expect(exchange?.query).toEqual({
      appid: OFFICIAL.appId,
      secret: OFFICIAL.appSecret,
      code,
      grant_type: 'authorization_code',
    });
    const userinfo = emulator.callsTo('userinfo');
    expect(userinfo).toHaveLength(1);
    const openid = page.text.match(/<p id="openid">([^<]+)<\/p>/)?.[1];
    expect(userinfo[0]?.query).toEqual({ access_token: expect.any(String), openid, lang: 'zh_CN' });
    // The user's OAuth access_token is WeChat's business: it must never leave the server.
    secret(userinfo[0]?.query.access_token);

    expect(web.logins).toEqual([
      {
        openid,
        unionid: expect.stringMatching(/^o/),
        appId: OFFICIAL.appId,
        isNewSession: true,
        source: 'web',
        profile: {
          nickname: 'Mei',
          sex: 2,
          province: '广东',
          city: '广州',
          country: '中国',
          headimgurl: 'https://thirdwx.qlogo.cn/mmopen/emulator/132',
          privilege: [],
          unionid: web.logins[0]?.unionid,
        },
        // The user's OAuth tokens, for the app alone (issue 16.2).
        oauth: {
          accessToken: userinfo[0]?.query.access_token,
          refreshToken: expect.any(String),
          expiresIn: 7200,
          scope: 'snsapi_userinfo',
        },
      },
    ]);
    secret(web.logins[0]?.oauth?.refreshToken);
    const me = await request(web.app)
      .get('/me')
      .set('Cookie', `wxl_token=${browser.cookie('wxl_token', web.base)}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ openid, appId: OFFICIAL.appId, unionid: web.logins[0]?.unionid });
    expect(me.body.user).toEqual({ userId: `user-of-${web.logins[0]?.unionid}` });
  });

  it('snsapi_base is silent and asks for no profile: no userinfo call, no unionid', async () => {
    const base = await startWebApp(emulator, { oauth: { scope: 'snsapi_base' } });
    emulator.oauthUser({ withUnionid: true, consent: 'page' }); // base never shows the page
    const page = await new TestBrowser().open(`${base.base}/wx/web/login?returnTo=/account`);
    expect(page.url).toBe(`${base.base}/account`);
    expect(page.text).toMatch(/<p id="openid">o/);
    expect(emulator.callsTo('oauth2_authorize')[0]?.query.scope).toBe('snsapi_base');
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(1);
    expect(emulator.callsTo('userinfo')).toHaveLength(0);
    expect(base.logins).toHaveLength(1);
    expect(base.logins[0]).not.toHaveProperty('unionid');
    expect(base.logins[0]).not.toHaveProperty('profile');
  });

  it('website QR login (snsapi_login) goes through /connect/qrconnect and its consent page', async () => {
    const site = await startWebApp(emulator, {
      oauth: { appId: WEBSITE.appId, appSecret: WEBSITE.appSecret, scope: 'snsapi_login' },
    });
    emulator.oauthUser({ consent: 'page', nickname: 'Lei' });
    const browser = new TestBrowser();
    const qr = await browser.open(`${site.base}/wx/web/login?returnTo=/account`);
    expect(qr.url).toMatch(new RegExp(`^${emulator.url}/connect/qrconnect\\?appid=${WEBSITE.appId}&`));
    expect(qr.text).toContain('id="allow"');
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(0);
    const page = await browser.consent(qr, 'allow');
    expect(page.url).toBe(`${site.base}/account`);
    expect(site.logins).toHaveLength(1);
    expect(site.logins[0]).toMatchObject({
      appId: WEBSITE.appId,
      source: 'web',
      profile: { nickname: 'Lei' },
    });
    expect(emulator.callsTo('userinfo')).toHaveLength(1);
  });
});

describe('state: refused before any call to WeChat', () => {
  it('a callback without state is 400 WX_OAUTH_STATE_MISSING', async () => {
    const { cookie } = await startOnly();
    const res = await request(web.app).get('/wx/web/callback?code=abc').set('Cookie', cookie);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_OAUTH_STATE_MISSING');
    noCodeExchange();
  });

  it('a tampered state is 403, whether it still looks like ours or not', async () => {
    const { state, cookie } = await startOnly();
    const flipped = `${state.slice(0, -1)}${state.endsWith('0') ? '1' : '0'}`;
    const a = await request(web.app).get(`/wx/web/callback?code=abc&state=${flipped}`).set('Cookie', cookie);
    expect(a.status).toBe(403);
    expect(a.body.error.code).toBe('WX_OAUTH_STATE_MISMATCH');
    const b = await request(web.app).get(`/wx/web/callback?code=abc&state=${state}XYZ`).set('Cookie', cookie);
    expect(b.status).toBe(403);
    expect(b.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    const c = await request(web.app)
      .get(`/wx/web/callback?code=abc&state=${state}&state=${state}`)
      .set('Cookie', cookie);
    expect(c.status).toBe(400);
    noCodeExchange();
  });

  it('another browser (another state cookie, or none) is 403 and leaves the real flow usable', async () => {
    const victim = new TestBrowser();
    emulator.oauthUser({ consent: 'page' });
    const consentPage = await victim.open(`${web.base}/wx/web/login?returnTo=/account`);
    const state = new URL(consentPage.url).searchParams.get('state');
    const attacker = await startOnly();

    const foreign = await request(web.app)
      .get(`/wx/web/callback?code=abc&state=${state}`)
      .set('Cookie', attacker.cookie);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('WX_OAUTH_STATE_MISMATCH');
    expect(foreign.headers['set-cookie']).toBeUndefined(); // the victim's pending flow is not touched
    const none = await request(web.app).get(`/wx/web/callback?code=abc&state=${state}`);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('WX_OAUTH_STATE_MISMATCH');
    noCodeExchange();

    const page = await victim.consent(consentPage, 'allow');
    expect(page.url).toBe(`${web.base}/account`);
    expect(page.text).toMatch(/id="openid"/);
  });

  it('a state used once is refused the second time (403 WX_OAUTH_STATE_INVALID), WeChat called once', async () => {
    const browser = new TestBrowser();
    emulator.oauthUser({ consent: 'page' });
    const consentPage = await browser.open(`${web.base}/wx/web/login`);
    const cookie = `${STATE_COOKIE}=${browser.cookie(STATE_COOKIE, `${web.base}/wx/web/callback`)}`;
    const done = await browser.consent(consentPage, 'allow');
    expect(done.url).toBe(`${web.base}/`);
    const callbackUrl = done.hops.find((h) => h.url.includes('/wx/web/callback'))!.url;
    // Replayed with the captured cookie: the state is used up.
    const replay = await request(web.base)
      .get(new URL(callbackUrl).pathname + new URL(callbackUrl).search)
      .set('Cookie', cookie);
    expect(replay.status).toBe(403);
    expect(replay.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(1);
  });

  it('concurrent callbacks with one state: exactly one reaches WeChat', async () => {
    const { state, cookie } = await startOnly();
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        request(web.app).get(`/wx/web/callback?code=nonexistent&state=${state}`).set('Cookie', cookie),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([401, 403, 403]);
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(1);
  });

  it('an expired state is 403 WX_OAUTH_STATE_INVALID', async () => {
    const short = await startWebApp(emulator, { oauth: { stateTtlSeconds: 1 } });
    const { state, cookie, res } = await startOnly(short.base);
    expect(String(res.headers['set-cookie'])).toContain('Max-Age=1;');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const late = await request(short.app)
      .get(`/wx/web/callback?code=abc&state=${state}`)
      .set('Cookie', cookie);
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    noCodeExchange();
  });

  it('a start stores nothing; a MemoryStore is not written at the callback either, single use holds', async () => {
    const store = new MemoryStore();
    const counted = await startWebApp(emulator, { login: { store } });
    const starts = await Promise.all(Array.from({ length: 20 }, () => startOnly(counted.base)));
    expect(starts.every((s) => s.res.status === 302)).toBe(true);
    expect(store.size).toBe(0);
    const [first] = starts;
    const denied = await request(counted.app)
      .get(`/wx/web/callback?state=${first!.state}`)
      .set('Cookie', first!.cookie);
    expect(denied.status).toBe(302);
    const again = await request(counted.app)
      .get(`/wx/web/callback?state=${first!.state}`)
      .set('Cookie', first!.cookie);
    expect(again.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    // The nonce lives in a pool of its own beside an in-process store (RedisStore: in Redis).
    expect(store.size).toBe(0);
  });

  it('a state cookie of another web app is a mismatch, even with the same signing keys', async () => {
    const site = await startWebApp(emulator, {
      oauth: { appId: WEBSITE.appId, appSecret: WEBSITE.appSecret, scope: 'snsapi_login' },
    });
    const theirs = await startOnly(site.base);
    const res = await request(web.app)
      .get(`/wx/web/callback?code=abc&state=${theirs.state}`)
      .set('Cookie', theirs.cookie.replace(`wxl_oauth_state_${WEBSITE.appId}=`, `${STATE_COOKIE}=`));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('WX_OAUTH_STATE_MISMATCH');
    noCodeExchange();
  });

  it('allowMissingStateCookie: the state alone is checked (signature, expiry, single use); returnTo is lost', async () => {
    const lax = await startWebApp(emulator, { oauth: { allowMissingStateCookie: true } });
    const started = await request(lax.base).get('/wx/web/login?returnTo=/account');
    const state = new URL(started.headers.location as string).searchParams.get('state')!;
    // A state of the right shape that this server did not sign: refused before WeChat.
    const forged = await request(lax.app).get(`/wx/web/callback?code=abc&state=${'0'.repeat(76)}`);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    const tampered = await request(lax.app).get(
      `/wx/web/callback?code=abc&state=${state.slice(0, 40)}ffff${state.slice(44)}`,
    );
    expect(tampered.status).toBe(403);
    expect(tampered.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    noCodeExchange();
    // The user refuses and the cookie was lost: back to '/', the returnTo was only in the cookie.
    const denied = await request(lax.app).get(`/wx/web/callback?state=${state}`);
    expect(denied.status).toBe(302);
    expect(denied.headers.location).toBe('/?wx_login=denied');
  });

  it('allowMissingStateCookie: no cookie is accepted once; a wrong cookie never is', async () => {
    const lax = await startWebApp(emulator, { oauth: { allowMissingStateCookie: true } });
    const first = await startOnly(lax.base);
    const wrong = await request(lax.app)
      .get(`/wx/web/callback?code=abc&state=${first.state}`)
      .set('Cookie', (await startOnly(lax.base)).cookie);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('WX_OAUTH_STATE_MISMATCH');

    // WeChat's in-app browser dropped the cookie: the state itself is still single use.
    const authorize = await fetch(first.location, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    const ok = await request(lax.app).get(callback.pathname + callback.search);
    expect(ok.status).toBe(302);
    expect(String(ok.headers['set-cookie'])).toContain('wxl_token=');
    const again = await request(lax.app).get(callback.pathname + callback.search);
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('WX_OAUTH_STATE_INVALID');
    expect(lax.lines.some((l) => l.msg === 'web login without state cookie')).toBe(true);
  });
});

describe('the user refuses', () => {
  it('cookie delivery: back to returnTo with ?wx_login=denied, no token, no WeChat call', async () => {
    emulator.oauthUser({ consent: 'page' });
    const browser = new TestBrowser();
    const consentPage = await browser.open(
      `${web.base}/wx/web/login?returnTo=${encodeURIComponent('/account?tab=2')}`,
    );
    const page = await browser.consent(consentPage, 'deny');
    expect(page.url).toBe(`${web.base}/account?tab=2&wx_login=denied`);
    expect(page.text).toContain('id="anonymous"');
    expect(browser.cookie('wxl_token', web.base)).toBeUndefined();
    const callback = page.hops.find((h) => h.url.includes('/wx/web/callback'))!;
    expect(new URL(callback.url).searchParams.has('code')).toBe(false);
    noCodeExchange();
    expect(web.logins).toHaveLength(0);
  });

  it('json delivery: 403 WX_OAUTH_DENIED', async () => {
    const json = await startWebApp(emulator, { oauth: { deliver: 'json' } });
    emulator.oauthUser({ consent: 'deny' });
    const page = await new TestBrowser().open(`${json.base}/wx/web/login`);
    expect(page.status).toBe(403);
    expect(JSON.parse(page.text)).toEqual({
      error: { code: 'WX_OAUTH_DENIED', message: 'the user did not authorize the login' },
    });
  });
});

describe('WeChat errors', () => {
  it.each([
    [40029, 401, 'WX_CODE_INVALID'],
    [40163, 401, 'WX_CODE_USED'],
    [45011, 429, 'WX_RATE_LIMITED'],
    [40125, 500, 'WX_CONFIG_REJECTED'],
  ])('code exchange errcode %i: %i %s, no session, one call', async (errcode, status, code) => {
    emulator.fail('oauth2_access_token', { type: 'errcode', errcode });
    const page = await new TestBrowser().open(`${web.base}/wx/web/login`);
    expect(page.status).toBe(status);
    expect(JSON.parse(page.text).error.code).toBe(code);
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(1);
    expect(emulator.callsTo('userinfo')).toHaveLength(0);
    expect(web.logins).toHaveLength(0);
    const callback = page.hops.at(-1)!;
    expect(callback.setCookie).toEqual([CLEARED_STATE]);
  });

  it('a code used twice is WeChat’s own 40163: 401 WX_CODE_USED', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await startToCallback(browser);
    const code = new URL(callbackUrl!).searchParams.get('code');
    const fresh = await startOnly();
    const res = await request(web.app)
      .get(`/wx/web/callback?code=${code}&state=${fresh.state}`)
      .set('Cookie', fresh.cookie);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      code: 'WX_CODE_USED',
      message: 'the authorization code was already used; log in again',
    });
    expect(emulator.callsTo('oauth2_access_token').map((c) => c.errcode ?? 0)).toEqual([0, 40163]);
  });

  it('-1 twice then success: retried, logged in', async () => {
    emulator.fail('oauth2_access_token', { type: 'errcode', errcode: -1 }, { times: 2 });
    const page = await new TestBrowser().open(`${web.base}/wx/web/login?returnTo=/account`);
    expect(page.url).toBe(`${web.base}/account`);
    expect(emulator.callsTo('oauth2_access_token').map((c) => c.fault ?? 'ok')).toEqual([
      'errcode',
      'errcode',
      'ok',
    ]);
  });

  it('-1 on every attempt: 502 after 1 + retries calls', async () => {
    emulator.fail('oauth2_access_token', { type: 'errcode', errcode: -1 }, { times: 3 });
    const page = await new TestBrowser().open(`${web.base}/wx/web/login`);
    expect(page.status).toBe(502);
    expect(JSON.parse(page.text).error.code).toBe('WX_UPSTREAM_UNAVAILABLE');
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(3);
  });

  it('userinfo 48001: 403 WX_OAUTH_SCOPE_INSUFFICIENT, no session', async () => {
    emulator.fail('userinfo', { type: 'errcode', errcode: 48001 });
    const browser = new TestBrowser();
    const page = await browser.open(`${web.base}/wx/web/login`);
    expect(page.status).toBe(403);
    expect(JSON.parse(page.text).error).toEqual({
      code: 'WX_OAUTH_SCOPE_INSUFFICIENT',
      message: 'WeChat refused the user profile: the authorization does not cover it',
    });
    expect(browser.cookie('wxl_token', web.base)).toBeUndefined();
    expect(web.logins).toHaveLength(0);
  });

  it('a snsapi_base code used for the profile gets WeChat’s real 48001', async () => {
    // The app asks for userinfo, but the emulator's app only grants snsapi_base: use a base code.
    const authorize = await fetch(
      `${emulator.url}/connect/oauth2/authorize?appid=${OFFICIAL.appId}&redirect_uri=${encodeURIComponent(`${web.base}/wx/web/callback`)}&response_type=code&scope=snsapi_base`,
      { redirect: 'manual' },
    );
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code');
    const fresh = await startOnly();
    const res = await request(web.app)
      .get(`/wx/web/callback?code=${code}&state=${fresh.state}`)
      .set('Cookie', fresh.cookie);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('WX_OAUTH_SCOPE_INSUFFICIENT');
    expect(emulator.callsTo('userinfo').map((c) => c.errcode)).toEqual([48001]);
  });

  it('a malformed code is 400 before WeChat is called', async () => {
    const { state, cookie } = await startOnly();
    const res = await request(web.app)
      .get(`/wx/web/callback?code=${'x'.repeat(129)}&state=${state}`)
      .set('Cookie', cookie);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_INVALID_REQUEST');
    noCodeExchange();
  });
});

it('keeps the mini program untouched: its login still works next to the web login', async () => {
  const code = emulator.issueLoginCode(emulator.createUser({ appId: MINI.appId }).openid);
  const res = await request(web.app).post('/wx/login').send({ code });
  expect(res.status).toBe(200);
  expect(res.headers['set-cookie']).toBeUndefined();
});
