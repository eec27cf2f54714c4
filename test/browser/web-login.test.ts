// The web login in a real browser: headless Chromium, driven by playwright-core, opens the
// app's start URL, presses "Allow" on the emulator's authorize page and lands logged in.

import { mkdir } from 'node:fs/promises';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { startWebApp, startWebEmulator } from '../helpers/web-app.js';

const emulator = await startWebEmulator();
// Both servers are on 127.0.0.1 over plain http: the cookies cannot be Secure here.
const web = await startWebApp(emulator, { oauth: { cookie: { secure: false } } });

let context: BrowserContext;
let closeBrowser: () => Promise<void> = async () => undefined;

// Skipped, and reported by the test run, on a machine without a browser.
describe.skipIf(!hasChromium)('web login in Chromium', () => {
  beforeAll(async () => {
    ({ context, close: closeBrowser } = await launchChromium());
  }, 120_000);

  afterAll(() => closeBrowser());

  it('logs in through the emulator’s authorize page and shows the openid', async () => {
    emulator.oauthUser({ nickname: 'Chromium', withUnionid: true, consent: 'page' });
    const page = await context.newPage();
    await page.goto(`${web.base}/wx/web/login?returnTo=/account`);

    // On "open.weixin.qq.com": the app and the scope it asks for, and the two buttons.
    expect(page.url()).toMatch(new RegExp(`^${emulator.url}/connect/oauth2/authorize\\?appid=`));
    await expect.poll(() => page.locator('#scope').textContent()).toBe('snsapi_userinfo');
    const openidOnWeChat = await page.locator('#openid').textContent();
    await Promise.all([page.waitForURL(`${web.base}/account`), page.locator('#allow').click()]);

    const shown = await page.locator('#openid').textContent();
    expect(shown).toBe(openidOnWeChat);
    const cookies = await context.cookies(web.base);
    const token = cookies.find((c) => c.name === 'wxl_token');
    expect(token).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(cookies.some((c) => c.name === 'wxl_oauth_state')).toBe(false);
    // HttpOnly: the page's own scripts never see the token.
    expect(await page.evaluate('document.cookie')).not.toContain('wxl_token');
    expect(web.logins).toHaveLength(1);
    expect(web.logins[0]).toMatchObject({ openid: shown, source: 'web', profile: { nickname: 'Chromium' } });

    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/web-login.png', fullPage: true });
    await page.close();
  }, 120_000);
});
