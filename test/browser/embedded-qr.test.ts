// Website QR login embedded in a page, in a real browser (headless Chromium): the QR page runs in an
// iframe, WeChat's redirect brings the callback into that iframe, and the callback's page moves
// the top window to returnTo, its one script allowed by the CSP nonce.

import { describe, expect, it } from 'vitest';
import { chromiumForSuite, hasChromium } from '../helpers/chromium.js';
import { startWebApp, startWebEmulator, WEBSITE } from '../helpers/web-app.js';

const emulator = await startWebEmulator();

// What example-app/public/qr-embedded.html does with wxLogin.js, with the emulator's QR page.
const PAGE = `<!DOCTYPE html><html><body><h1>Log in</h1><div id="box"></div><script type="module">
const res = await fetch('/wx/web/login?returnTo=/account', { headers: { Accept: 'application/json' } });
const { url } = await res.json();
const frame = document.createElement('iframe');
frame.id = 'qr';
frame.src = url;
document.getElementById('box').append(frame);
</script></body></html>`;

const web = await startWebApp(emulator, {
  oauth: {
    appId: WEBSITE.appId,
    appSecret: WEBSITE.appSecret,
    scope: 'snsapi_login',
    cookie: { secure: false },
    // No selfRedirect: Chromium marks the framed callback Sec-Fetch-Dest: iframe.
  },
  more: (app) => app.get('/qr', (_req, res) => res.type('html').send(PAGE)),
});

// Skipped, and reported by the test run, on a machine without a browser.
describe.skipIf(!hasChromium)('embedded-qr in Chromium', () => {
  const browser = chromiumForSuite();

  it('takes the whole window to returnTo, logged in, when the callback runs inside the QR iframe', async () => {
    emulator.oauthUser({ nickname: 'Framed', consent: 'page' });
    const page = await browser().newPage();
    const blocked: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Unsafe attempt/i.test(msg.text())) blocked.push(msg.text());
    });
    await page.goto(`${web.base}/qr`);
    const frame = page.frameLocator('#qr');
    await expect.poll(() => frame.locator('#scope').textContent()).toBe('snsapi_login');
    await Promise.all([page.waitForURL(`${web.base}/account`), frame.locator('#allow').click()]);

    expect(await page.locator('#openid').textContent()).toMatch(/^o/);
    expect(page.frames()).toHaveLength(1); // the top window moved: no iframe left
    expect(blocked).toEqual([]);
    const cookies = await browser().cookies(web.base);
    expect(cookies.find((c) => c.name === 'wxl_token')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(web.logins).toHaveLength(1);
    await page.close();
  }, 60_000);
});
