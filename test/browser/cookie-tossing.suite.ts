// Cookie tossing in a real Chromium: a page on a sibling subdomain sets the state cookie for the
// parent domain and sends the victim to the attacker's callback. `__Host-` names stop it (https).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumForSuite, hasChromium } from '../helpers/chromium.js';
import { OFFICIAL, startWebApp, startWebEmulator, type WebApp } from '../helpers/web-app.js';

/** A throwaway certificate for *.wxl.test (Chromium runs with --ignore-certificate-errors). */
function testCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wxl-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=wxl.test',
        '-addext',
        'subjectAltName=DNS:*.wxl.test',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = testCertificate();
const emulator = await startWebEmulator();
// Over https without a domain: `__Host-` state and token cookies.
const hosted = await startWebApp(emulator, { tls, hostname: 'app.wxl.test', oauth: { cookie: {} } });
// Plain http (development): the prefix cannot be used, and the attack is shown to work there.
const plain = await startWebApp(emulator, { hostname: 'dev.wxl.test', oauth: { cookie: { secure: false } } });

// The attacker's page on a sibling subdomain.
const evilServer = createServer(tls, (_req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end('<!DOCTYPE html><html><body><p id="evil">a sibling subdomain</p></body></html>');
});
await new Promise<void>((resolve) => evilServer.listen(0, '127.0.0.1', resolve));
const evil = `https://evil.wxl.test:${(evilServer.address() as AddressInfo).port}`;
afterAll(() => new Promise<void>((resolve) => evilServer.close(() => resolve())));

// Skipped, and reported by the test run, on a machine without a browser.
describe.skipIf(!hasChromium)('cookie-tossing in Chromium', () => {
  const browser = chromiumForSuite({
    args: ['--host-resolver-rules=MAP *.wxl.test 127.0.0.1', '--ignore-certificate-errors'],
  });

  /**
   * The attacker starts a login with their own client and stops at WeChat's redirect back: the
   * callback URL (their code, their state) and the state cookie their client was given.
   */
  async function attackerFlow(target: WebApp): Promise<{ callback: string; cookieValue: string }> {
    emulator.oauthUser({ nickname: 'Attacker', consent: 'allow' });
    const { hostname, port, protocol } = new URL(target.base);
    const get = protocol === 'https:' ? httpsGet : httpGet;
    const answer = await new Promise<{ location: string; setCookie: string[] }>((resolve, reject) => {
      get(
        {
          host: '127.0.0.1',
          port,
          path: '/wx/web/login?returnTo=/account',
          headers: { host: `${hostname}:${port}` },
          servername: hostname,
          rejectUnauthorized: false,
        },
        (res) => {
          res.resume();
          resolve({ location: String(res.headers.location), setCookie: res.headers['set-cookie'] ?? [] });
        },
      ).on('error', reject);
    });
    const cookieValue = answer.setCookie[0]!.split(';')[0]!.split('=').slice(1).join('=');
    const authorize = await fetch(answer.location, { redirect: 'manual' });
    return { callback: authorize.headers.get('location')!, cookieValue };
  }

  /** In the victim's Chromium: the sibling page tosses `cookies` for the parent domain `wxl.test`. */
  async function toss(cookies: string[]): Promise<string> {
    const page = await browser().newPage();
    await page.goto(`${evil}/`);
    for (const cookie of cookies) await page.evaluate(`document.cookie = ${JSON.stringify(cookie)}`);
    const seen = String(await page.evaluate('document.cookie'));
    await page.close();
    return seen;
  }

  const STATE = `wxl_oauth_state_${OFFICIAL.appId}`;

  it('https, __Host- names: the tossed state cookie is refused or ignored, the victim is not logged in', async () => {
    const { callback, cookieValue } = await attackerFlow(hosted);
    expect(callback).toMatch(/^https:\/\/app\.wxl\.test:\d+\/wx\/web\/callback\?code=/);
    const seen = await toss([
      `__Host-${STATE}=${cookieValue}; domain=wxl.test; path=/; secure`,
      `${STATE}=${cookieValue}; domain=wxl.test; path=/; secure`,
    ]);
    // Chromium refuses a __Host- cookie with a Domain; the unprefixed one it keeps.
    expect(seen).toBe(`${STATE}=${cookieValue}`);

    const page = await browser().newPage();
    const response = await page.goto(callback);
    expect(response?.status()).toBe(403);
    expect(JSON.parse(await page.locator('body').innerText())).toEqual({
      error: {
        code: 'WX_OAUTH_STATE_MISMATCH',
        message: 'this browser did not start the login (no state cookie); start it again',
      },
    });
    expect(hosted.logins).toHaveLength(0);
    const cookies = await browser().cookies(hosted.base);
    expect(cookies.map((c) => `${c.name} ${c.domain}`)).toEqual([`${STATE} .wxl.test`]);
    await page.close();
  }, 60_000);

  it('https: the victim’s own login still works next to the tossed cookie', async () => {
    emulator.oauthUser({ nickname: 'Victim', consent: 'page' });
    const page = await browser().newPage();
    await page.goto(`${hosted.base}/wx/web/login?returnTo=/account`);
    await Promise.all([page.waitForURL(`${hosted.base}/account`), page.locator('#allow').click()]);
    expect(await page.locator('#openid').textContent()).toMatch(/^o/);
    expect(hosted.logins.map((l) => l.profile?.nickname)).toEqual(['Victim']);
    const names = (await browser().cookies(hosted.base)).map((c) => c.name).sort();
    expect(names).toEqual(['__Host-wxl_token', STATE]);
    await page.close();
  }, 60_000);

  it('plain http (no prefix possible): the same toss logs the victim in as the attacker', async () => {
    const { callback, cookieValue } = await attackerFlow(plain);
    await toss([`${STATE}=${cookieValue}; domain=wxl.test; path=/`]);
    const page = await browser().newPage();
    await page.goto(callback);
    expect(page.url()).toBe(`${plain.base}/account`);
    expect(plain.logins.map((l) => l.profile?.nickname)).toEqual(['Attacker']);
    expect(await page.locator('#openid').textContent()).toBe(plain.logins[0]?.openid);
    await page.close();
  }, 60_000);
});
