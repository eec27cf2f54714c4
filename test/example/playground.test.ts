// The playground page at / in headless Chromium (driven by playwright-core): every step
// clicked through against the example on its emulator, what the page shows checked, a screenshot.

import { existsSync, mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../helpers/chromium.js';
import { startTestExample } from '../helpers/example-app.js';

const SCREENSHOT = 'test-results/playground.png';

const example = await startTestExample();
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
let closeBrowser: () => Promise<void> = async () => undefined;

const text = (selector: string) => page.locator(selector).innerText();
const result = (step: string) => text(`#step-${step} .result`);

/** Clicks a step's button and waits until its result shows something. */
async function run(action: string, step = action): Promise<string> {
  const before = await result(step);
  await page.click(`button[data-action="${action}"]`);
  await expect.poll(() => result(step), { timeout: 5000 }).not.toBe(before);
  await expect.poll(() => page.locator(`button[data-action="${action}"][aria-busy]`).count()).toBe(0);
  return result(step);
}

// Skipped, and reported by the test run, on a machine without a browser.
describe.skipIf(!hasChromium)('the playground', () => {
  beforeAll(async () => {
    ({ context, close: closeBrowser } = await launchChromium({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
    }));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // The page shows a 400 and a 401 on purpose; Chromium reports each one as a console error.
      if (msg.type() === 'error' && !/status of 40[01] /.test(msg.text())) pageErrors.push(msg.text());
    });
  }, 120_000);

  afterAll(() => closeBrowser());

  it('walks through the whole flow in Chromium', async () => {
    await page.goto(`${example.url}/`);
    await expect.poll(() => text('#mode')).toBe(`WeChat emulator · app ${example.appId} · sqlite`);
    expect(await text('#who')).toBe('Not logged in');
    expect(await page.isDisabled('button[data-action="login"]')).toBe(true);
    expect(await page.isDisabled('button[data-action="me"]')).toBe(true);

    // 1. wx.login()
    expect(await run('code')).toMatch(/^code \S{16,}$/);
    expect(await page.isEnabled('button[data-action="login"]')).toBe(true);

    // 2. POST /wx/login
    expect(await run('login')).toMatch(/^token eyJ\S{9}…\S{6} · expires in 15 min · user #1$/);
    const who = await text('#who');
    const openid = who.replace('Logged in as ', '');
    expect(await example.users.findByOpenid(example.appId, openid)).toMatchObject({ id: 1, loginCount: 1 });
    expect(await page.isDisabled('button[data-action="login"]')).toBe(true); // the code is spent

    // 3. GET /me
    expect(await run('me')).toBe('user #1 · 1 login(s) · phone —');

    // 4. WeRun
    const steps = await run('werun');
    expect(steps).toMatch(/^7 days · [\d,]+ steps$/);
    expect(await page.locator('#step-werun .bars span').count()).toBe(7);

    // 5. Phone number, then /me shows it from the database
    expect(await run('phone')).toBe('+86 13800138000 (saved)');
    expect(await run('me')).toBe('user #1 · 1 login(s) · phone 13800138000');

    // A code fetched but not used rotates the key: the page shows the stale case, then recovers.
    await run('code');
    expect(await run('werun')).toMatch(/^400 WX_SESSION_KEY_STALE: .+\(log in again, then retry\)$/);
    await run('login');
    expect(await run('werun')).toMatch(/^7 days/);
    expect(await run('me')).toBe('user #1 · 2 login(s) · phone 13800138000');

    // 6. Renewal: a new token pair, the same session, no wx.login()
    expect(await run('renew')).toMatch(
      /^renewal #1 · new token eyJ\S{9}…\S{6} · same session · the used refresh token \S{12}…\S{6} is spent$/,
    );

    // 8. Log out on all devices: a second device's session ends too
    expect(await run('everywhere')).toMatch(
      /^logged out on all devices · the other device now gets 401 WX_SESSION_REVOKED: /,
    );
    expect(await text('#who')).toBe('Not logged in');
    expect(await page.isDisabled('button[data-action="renew"]')).toBe(true);
    await run('code');
    await run('login');

    // 7. Log out: the old token is refused
    expect(await run('logout')).toMatch(/^logged out · the old token now gets 401 WX_SESSION_REVOKED: /);
    expect(await text('#who')).toBe('Not logged in');
    for (const action of ['me', 'werun', 'phone', 'renew', 'logout', 'everywhere']) {
      expect(await page.isDisabled(`button[data-action="${action}"]`)).toBe(true);
    }

    const log = await page.locator('#log .exchange summary').allInnerTexts();
    expect(log.map((line) => line.replace(/ · \d+ ms$/, ''))).toEqual([
      'GET /info 200',
      'POST /dev/login-code 200',
      'POST /wx/login 200',
      'GET /me 200',
      'POST /dev/werun-sample 200',
      'POST /werun 200',
      'POST /dev/phone-code 200',
      'POST /wx/phone 200',
      'GET /me 200',
      'POST /dev/login-code 200',
      'POST /dev/werun-sample 200',
      'POST /werun 400',
      'POST /wx/login 200',
      'POST /dev/werun-sample 200',
      'POST /werun 200',
      'GET /me 200',
      'GET /me 200',
      'POST /wx/refresh 200',
      'GET /me 200',
      'POST /dev/login-code 200',
      'POST /wx/login 200',
      'GET /me 200',
      'POST /wx/logout 204',
      'GET /me 401',
      'POST /dev/login-code 200',
      'POST /wx/login 200',
      'POST /wx/logout 204',
      'GET /me 401',
    ]);
    // Each exchange shows what was sent and what came back.
    const loginExchange = page.locator('#log .exchange').nth(2);
    expect(await loginExchange.locator('pre.req').textContent()).toContain('"code"');
    expect(await loginExchange.locator('pre.res').textContent()).toMatch(/← 200[\s\S]*"tokenType": "Bearer"/);
    expect(await page.locator('#log .exchange').nth(3).locator('pre.req').textContent()).toMatch(
      /"Authorization": "eyJ|Bearer/,
    );
    expect(pageErrors).toEqual([]);

    // Keep the phone-sized page for a person to look at.
    await page
      .locator('#log details')
      .nth(2)
      .evaluate((el) => el.setAttribute('open', ''));
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
