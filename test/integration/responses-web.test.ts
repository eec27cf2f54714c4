// wxOAuth() answers through its wxLogin()'s responder: JSON delivery and its errors are shaped and
// localized like the mini program's routes; redirects stay redirects.

import { describe, expect, it } from 'vitest';
import { wrap } from '../helpers/responses.js';
import { TestBrowser } from '../helpers/test-browser.js';
import { startWebApp, startWebEmulator } from '../helpers/web-app.js';

const emulator = await startWebEmulator();

describe('wxOAuth() with a shaped wxLogin()', () => {
  it('wraps the JSON delivery of a web login', async () => {
    const web = await startWebApp(emulator, { oauth: { deliver: 'json' }, login: { shapeBody: wrap } });
    emulator.oauthUser({ consent: 'allow' });
    const page = await new TestBrowser().open(`${web.base}/wx/web/login`);
    expect(page.status).toBe(200);
    const body = JSON.parse(page.text);
    expect(body).toMatchObject({
      code: 0,
      msg: 'ok',
      data: { tokenType: 'Bearer', token: expect.any(String) },
    });
  });

  it('wraps and localizes its errors', async () => {
    const web = await startWebApp(emulator, {
      oauth: { deliver: 'json' },
      login: { shapeBody: wrap, locale: 'zh-CN' },
    });
    emulator.oauthUser({ consent: 'deny' });
    const page = await new TestBrowser().open(`${web.base}/wx/web/login`);
    expect(page.status).toBe(403);
    expect(JSON.parse(page.text)).toEqual({ code: 'WX_OAUTH_DENIED', msg: '用户拒绝了授权', data: null });
  });

  it('keeps the cookie delivery a redirect', async () => {
    const web = await startWebApp(emulator, { login: { shapeBody: wrap } });
    emulator.oauthUser({ consent: 'allow' });
    const page = await new TestBrowser().open(`${web.base}/wx/web/login?returnTo=/account`);
    expect(page.status).toBe(200);
    expect(page.hops.at(-2)?.status).toBe(302);
    expect(page.text).toContain('id="openid"');
  });
});
