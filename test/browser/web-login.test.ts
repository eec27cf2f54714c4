// The web login in a real browser: Debian's headless Chromium, driven by playwright-core, opens the
// app's start URL, presses "Allow" on the emulator's authorize page and lands logged in, with the
// __Host- cookies Chromium keeps on loopback (a secure context even over plain http).

import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { chromiumForSuite, hasChromium } from '../helpers/chromium.js';
import { startWebApp, startWebEmulator } from '../helpers/web-app.js';

const emulator = await startWebEmulator();
// Both servers are on 127.0.0.1 over plain http, which Chromium treats as secure for cookies: so
// the default (secure, no domain) runs here, with its __Host- names.
const web = await startWebApp(emulator, { oauth: { cookie: {} } });
const STATE_COOKIE = '__Host-wxl_oauth_state_wx_official_acct_1';

// Skipped, and reported by the test run, on a machine without a browser.
describe.skipIf(!hasChromium)('web login in Chromium', () => {
  const browser = chromiumForSuite({}, 120_000);

  it('logs in through the emulator’s authorize page and shows the openid', async () => {
    emulator.oauthUser({ nickname: 'Chromium', withUnionid: true, consent: 'page' });
    const page = await browser().newPage();
    await page.goto(`${web.base}/wx/web/login?returnTo=/account`);

    // On "open.weixin.qq.com": the app and the scope it asks for, and the two buttons.
    expect(page.url()).toMatch(new RegExp(`^${emulator.url}/connect/oauth2/authorize\\?appid=`));
    // Chromium kept the state cookie as __Host- requires: host-only, Secure, Path=/.
    const pending = await browser().cookies(web.base);
    expect(pending.find((c) => c.name === STATE_COOKIE)).toMatchObject({
      domain: '127.0.0.1',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
    });
    // Path=/ sends it to the app's other pages meanwhile: they are not disturbed by it.
    const other = await browser().newPage();
    await other.goto(`${web.base}/account`);
    expect(await other.locator('#anonymous').textContent()).toBe('not logged in');
    await other.close();
    await expect.poll(() => page.locator('#scope').textContent()).toBe('snsapi_userinfo');
    const openidOnWeChat = await page.locator('#openid').textContent();
    await Promise.all([page.waitForURL(`${web.base}/account`), page.locator('#allow').click()]);

    const shown = await page.locator('#openid').textContent();
    expect(shown).toBe(openidOnWeChat);
    const cookies = await browser().cookies(web.base);
    const token = cookies.find((c) => c.name === '__Host-wxl_token');
    expect(token).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: true,
      domain: '127.0.0.1',
    });
    expect(cookies.map((c) => c.name)).toEqual(['__Host-wxl_token']);
    // HttpOnly: the page's own scripts never see the token.
    expect(await page.evaluate('document.cookie')).not.toContain('wxl_token');
    expect(web.logins).toHaveLength(1);
    expect(web.logins[0]).toMatchObject({ openid: shown, source: 'web', profile: { nickname: 'Chromium' } });

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/web-login.png', fullPage: true });
    await page.close();
  }, 60_000);
});
