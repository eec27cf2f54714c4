// Web login closer to WeChat, end to end against the emulator: snapshot-mode users refused before
// any session, the user's refresh_token (refresh once during the callback, onLogin's `oauth`,
// refreshUserToken/checkUserToken), forcePopup, and the embedded QR login's top-window page.

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { LoginEvent } from '../../src/index.js';
import { secret } from '../helpers/secret-watch.js';
import { TestBrowser } from '../helpers/test-browser.js';
import { OFFICIAL, startWebApp, startWebSuite, WEBSITE } from '../helpers/web-app.js';

const { emulator, web } = await startWebSuite();

/** The user tokens of onLogin events must never appear in a response or a log line. */
function watchTokens(events: LoginEvent[]): void {
  for (const e of events) {
    secret(e.oauth?.accessToken);
    secret(e.oauth?.refreshToken);
  }
}

/**
 * Starts a login and lets the emulator answer, then brings the browser back to the callback with
 * its state cookie (and `headers`); the callback's answer.
 */
async function callback(base: string, returnTo = '/account', headers: Record<string, string> = {}) {
  const start = await request(base).get(`/wx/web/login?returnTo=${encodeURIComponent(returnTo)}`);
  const cookie = String(start.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const wechat = await fetch(start.headers.location as string, { redirect: 'manual' });
  const back = new URL(wechat.headers.get('location') ?? '');
  return request(base)
    .get(`${back.pathname}${back.search}`)
    .set({ ...headers, Cookie: cookie });
}

describe('snapshot-mode users (is_snapshotuser: 1)', () => {
  it('cookie delivery: back to returnTo with ?wx_login=snapshot; no session, no onLogin, no userinfo call', async () => {
    emulator.oauthUser({ snapshot: true, consent: 'page' });
    const browser = new TestBrowser();
    const page = await browser.open(
      `${web.base}/wx/web/login?returnTo=${encodeURIComponent('/account?tab=2')}`,
    );
    expect(page.url).toBe(`${web.base}/account?tab=2&wx_login=snapshot`);
    expect(page.text).toContain('id="anonymous"');
    expect(browser.cookie('wxl_token', web.base)).toBeUndefined();
    expect(emulator.callsTo('oauth2_access_token')).toHaveLength(1);
    expect(emulator.callsTo('userinfo')).toHaveLength(0);
    expect(web.logins).toHaveLength(0);
    expect(web.lines.some((l) => l.msg === 'web login refused: snapshot-mode user')).toBe(true);
  });

  it('json delivery: 403 WX_OAUTH_SNAPSHOT_USER telling the user to open the full page', async () => {
    const json = await startWebApp(emulator, { oauth: { deliver: 'json' } });
    emulator.oauthUser({ snapshot: true });
    const res = await callback(json.base);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('WX_OAUTH_SNAPSHOT_USER');
    expect(res.body.error.message).toContain('使用完整服务');
    expect(json.logins).toHaveLength(0);
  });
});

describe('the user’s OAuth tokens', () => {
  it('reach onLogin as `oauth` (never a response or a log line), and check and refresh through webLogin', async () => {
    emulator.oauthUser({ consent: 'allow', withUnionid: true });
    const json = await startWebApp(emulator, { oauth: { deliver: 'json' } });
    const res = await callback(json.base);
    expect(res.status).toBe(200);
    const [event] = json.logins;
    watchTokens(json.logins);
    const [exchange] = emulator.callsTo('oauth2_access_token');
    expect(event?.oauth).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 7200,
      scope: 'snsapi_userinfo',
    });
    expect(emulator.callsTo('userinfo')[0]?.query.access_token).toBe(event?.oauth?.accessToken);
    expect(exchange?.status).toBe(200);

    const { webLogin } = json.oauth;
    expect(await webLogin.checkUserToken(event!.oauth!.accessToken, event!.openid)).toBe(true);
    expect(await webLogin.checkUserToken('not-a-token', event!.openid)).toBe(false);
    const renewed = await webLogin.refreshUserToken(event!.oauth!.refreshToken);
    // WeChat keeps an unexpired token and only extends it.
    expect(renewed).toEqual({ ...event!.oauth, openid: event!.openid });
    await expect(webLogin.refreshUserToken('no-such-refresh-token')).rejects.toMatchObject({
      code: 'WX_CODE_INVALID',
      errcode: 40030,
    });
    const text = JSON.stringify(json.lines);
    expect(text).not.toContain(event!.oauth!.accessToken);
    expect(text).not.toContain(event!.oauth!.refreshToken);
  });

  it.each([40001, 42001, 42003])(
    'userinfo %i during the callback: refreshed once, retried, logged in',
    async (errcode) => {
      emulator.fail('userinfo', { type: 'errcode', errcode });
      const browser = new TestBrowser();
      const page = await browser.open(`${web.base}/wx/web/login?returnTo=/account`);
      expect(page.url).toBe(`${web.base}/account`);
      expect(page.text).toContain('id="openid"');
      expect(emulator.callsTo('userinfo').map((c) => c.errcode ?? 0)).toEqual([errcode, 0]);
      const [refresh] = emulator.callsTo('oauth2_refresh_token');
      expect(emulator.callsTo('oauth2_refresh_token')).toHaveLength(1);
      expect(refresh?.query).toMatchObject({ appid: OFFICIAL.appId, grant_type: 'refresh_token' });
      expect(refresh?.query.secret).toBeUndefined();
      expect(web.logins).toHaveLength(1);
      watchTokens(web.logins);
    },
  );

  it('refreshes only once: a second refusal is the answer', async () => {
    emulator.fail('userinfo', { type: 'errcode', errcode: 42001 }, { times: 2 });
    const json = await startWebApp(emulator, { oauth: { deliver: 'json' } });
    const res = await callback(json.base);
    expect(res.status).toBe(502);
    expect(emulator.callsTo('userinfo')).toHaveLength(2);
    expect(emulator.callsTo('oauth2_refresh_token')).toHaveLength(1);
    expect(json.logins).toHaveLength(0);
  });
});

describe('forcePopup', () => {
  it('adds forcePopup=true after state, and WeChat (the emulator) accepts the link', async () => {
    const forced = await startWebApp(emulator, { oauth: { forcePopup: true } });
    const start = await request(forced.base).get('/wx/web/login');
    const location = start.headers.location as string;
    expect(location).toMatch(/&state=[0-9a-f]{76}&forcePopup=true#wechat_redirect$/);
    const page = await new TestBrowser().open(`${forced.base}/wx/web/login?returnTo=/account`);
    expect(page.url).toBe(`${forced.base}/account`);
    expect(emulator.callsTo('oauth2_authorize')[0]?.query.forcePopup).toBe('true');
  });

  it('is refused for the website QR login', async () => {
    await expect(
      startWebApp(emulator, {
        oauth: {
          appId: WEBSITE.appId,
          appSecret: WEBSITE.appSecret,
          scope: 'snsapi_login',
          forcePopup: true,
        },
      }),
    ).rejects.toThrow(/forcePopup/);
  });
});

describe('embedded QR login (wxLogin.js, self_redirect: true)', () => {
  const qrOptions = { appId: WEBSITE.appId, appSecret: WEBSITE.appSecret, scope: 'snsapi_login' as const };

  it('answers the callback with a page that takes the top window to returnTo, under a CSP nonce', async () => {
    const qr = await startWebApp(emulator, { oauth: { ...qrOptions, selfRedirect: true } });
    const res = await callback(qr.base, '/account?tab=qr');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = res.headers['content-security-policy'] as string;
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(res.text).toContain(`<script nonce="${nonce}">top.location.replace("/account?tab=qr");</script>`);
    const setCookie = res.headers['set-cookie'] as unknown as string[];
    expect(setCookie.some((c) => c.startsWith('wxl_token='))).toBe(true);
    expect(qr.logins).toHaveLength(1);
  });

  it('does the same for any callback a browser marks Sec-Fetch-Dest: iframe; a top-level one still redirects', async () => {
    const qr = await startWebApp(emulator, { oauth: qrOptions });
    const inFrame = await callback(qr.base, '/account', { 'Sec-Fetch-Dest': 'iframe' });
    expect(inFrame.status).toBe(200);
    expect(inFrame.text).toContain('top.location.replace("/account")');
    const direct = await callback(qr.base, '/account', { 'Sec-Fetch-Dest': 'document' });
    expect(direct.status).toBe(302);
    expect(direct.headers.location).toBe('/account');
  });

  it('start with Accept: application/json gives what wxLogin.js needs, with the state cookie set', async () => {
    const qr = await startWebApp(emulator, { oauth: { ...qrOptions, selfRedirect: true } });
    const start = await request(qr.base)
      .get('/wx/web/login?returnTo=/account')
      .set('Accept', 'application/json');
    expect(start.status).toBe(200);
    expect(start.body).toEqual({
      url: expect.stringContaining('/connect/qrconnect?appid='),
      appid: WEBSITE.appId,
      scope: 'snsapi_login',
      redirectUri: `${qr.base}/wx/web/callback`,
      state: expect.stringMatching(/^[0-9a-f]{76}$/),
    });
    expect(start.headers['cache-control']).toBe('no-store');
    // What wxLogin.js then opens in its iframe: the same link, which leads back with a code.
    const cookie = String(start.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const wechat = await fetch(start.body.url, { redirect: 'manual' });
    const back = new URL(wechat.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe(start.body.state);
    const callback = await request(qr.base).get(`${back.pathname}${back.search}`).set('Cookie', cookie);
    expect(callback.status).toBe(200);
    expect(callback.text).toContain('top.location.replace("/account")');
  });

  it('keeps a returnTo that tries to break out of the script inside the string', async () => {
    const qr = await startWebApp(emulator, { oauth: { ...qrOptions, selfRedirect: true } });
    const res = await callback(qr.base, '/a</script><script>alert(1)</script>');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text.match(/<script/g)).toHaveLength(1);
  });

  it('sends a refusal to the top window too: ?wx_login=denied', async () => {
    const qr = await startWebApp(emulator, { oauth: { ...qrOptions, selfRedirect: true } });
    emulator.oauthUser({ consent: 'deny' });
    const res = await callback(qr.base, '/login');
    expect(res.status).toBe(200);
    expect(res.text).toContain('top.location.replace("/login?wx_login=denied")');
  });
});
