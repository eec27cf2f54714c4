// The emulator as strict as WeChat and no stricter: the authorize link's checked prefix and free
// tail (connect_redirect, forcePopup), text/plain from /sns/oauth2/access_token, snapshot-mode
// grants, and the phone answer's watermark (with overrides for tests of another app's number).

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { get, post, stableToken } from '../helpers/wechat-http.js';

const H5 = {
  appId: 'wx_official_acct_1',
  appSecret: 'official_secret',
  oauthScopes: ['snsapi_base' as const, 'snsapi_userinfo' as const],
};
const emulator = await startWeChatEmulator({
  apps: [{ appId: 'wx_emulator_app00', appSecret: 'emulator_secret_0123456789abcdef' }, H5],
});
afterAll(() => emulator.close());

beforeEach(() => {
  emulator.oauthUser({ consent: 'allow' });
  emulator.resetCalls();
});

const REDIRECT = encodeURIComponent('https://example.com/wx/web/callback');
const HEAD = `appid=${H5.appId}&redirect_uri=${REDIRECT}&response_type=code&scope=snsapi_userinfo`;

async function open(query: string) {
  const res = await fetch(`${emulator.url}/connect/oauth2/authorize?${query}`, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

function codeOf(location: string | null): string {
  const code = new URL(location!).searchParams.get('code');
  expect(code).toMatch(/^[A-Za-z0-9]{32}$/);
  return code!;
}

function exchange(code: string) {
  return get(emulator, '/sns/oauth2/access_token', {
    appid: H5.appId,
    secret: H5.appSecret,
    code,
    grant_type: 'authorization_code',
  });
}

describe('the authorize link', () => {
  it.each([
    ['connect_redirect before state', `${HEAD}&connect_redirect=1&state=s1`],
    ['connect_redirect after state', `${HEAD}&state=s1&connect_redirect=1`],
    ['forcePopup before state', `${HEAD}&forcePopup=true&state=s1`],
    [
      'all optional ones, shuffled',
      `${HEAD}&forcePopup=false&connect_redirect=1&state=s1&forceSnapShot=false`,
    ],
    ['no optional one', HEAD],
  ])('accepts %s', async (_name, query) => {
    const res = await open(query);
    expect(res.status).toBe(302);
    codeOf(res.location);
  });

  it.each([
    [
      'the four required ones out of order',
      `redirect_uri=${REDIRECT}&appid=${H5.appId}&response_type=code&scope=snsapi_userinfo`,
    ],
    [
      'an optional one inside the required four',
      `appid=${H5.appId}&state=s1&redirect_uri=${REDIRECT}&response_type=code&scope=snsapi_userinfo`,
    ],
    ['an unknown parameter', `${HEAD}&state=s1&lang=en`],
    ['a repeated parameter', `${HEAD}&state=s1&state=s2`],
    ['forcePopup not a boolean', `${HEAD}&forcePopup=1`],
  ])('refuses %s with an error page', async (_name, query) => {
    const res = await open(query);
    expect(res.status).toBe(200);
    expect(res.location).toBeNull();
    expect(res.text).toContain('id="error"');
  });
});

describe('the QR page as wxLogin.js opens it', () => {
  const SITE = { appId: 'wx_website_app_001', appSecret: 'website_secret' };

  it('takes its own order and parameters, without response_type', async () => {
    const site = await startWeChatEmulator({ apps: [{ ...SITE, oauthScopes: ['snsapi_login'] }] });
    try {
      site.oauthUser({ consent: 'allow' });
      const query =
        `appid=${SITE.appId}&scope=snsapi_login&redirect_uri=${REDIRECT}&state=s1` +
        '&login_type=jssdk&self_redirect=true&styletype=&sizetype=&bgcolor=&rst=&style=black&href=';
      const res = await fetch(`${site.url}/connect/qrconnect?${query}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      codeOf(res.headers.get('location'));
      const repeated = await fetch(`${site.url}/connect/qrconnect?${query}&state=s2`, { redirect: 'manual' });
      expect(repeated.status).toBe(200);
      expect(await repeated.text()).toContain('id="error"');
    } finally {
      await site.close();
    }
  });
});

describe('/sns/oauth2/access_token', () => {
  it('answers text/plain, as WeChat does, for success and errors alike', async () => {
    const code = codeOf((await open(`${HEAD}&state=s1`)).location);
    const ok = await exchange(code);
    expect(ok.contentType).toBe('text/plain');
    expect(ok.json.openid).toEqual(expect.any(String));
    const used = await exchange(code);
    expect(used.contentType).toBe('text/plain');
    expect(used.json.errcode).toBe(40163);
  });
});

describe('snapshot mode (快照页)', () => {
  it('gives a virtual user flagged is_snapshotuser, whose token /sns/userinfo refuses with 48001', async () => {
    const real = emulator.createUser({ appId: H5.appId, withUnionid: true });
    emulator.oauthUser({ openid: real.openid, consent: 'page', snapshot: true });
    const res = await open(`${HEAD}&state=s1`);
    expect(res.status).toBe(302); // no consent popup in snapshot mode
    const grant = await exchange(codeOf(res.location));
    expect(grant.json).toMatchObject({ is_snapshotuser: 1, scope: 'snsapi_userinfo' });
    expect(grant.json.openid).not.toBe(real.openid);
    expect(grant.json.unionid).toEqual(expect.any(String));
    expect(grant.json.unionid).not.toBe(real.unionid);
    const info = await get(emulator, '/sns/userinfo', {
      access_token: String(grant.json.access_token),
      openid: String(grant.json.openid),
    });
    expect(info.json.errcode).toBe(48001);
  });

  it('leaves snsapi_base and normal browsing alone', async () => {
    emulator.oauthUser({ consent: 'allow', snapshot: true });
    const base = await open(HEAD.replace('snsapi_userinfo', 'snsapi_base'));
    expect((await exchange(codeOf(base.location))).json.is_snapshotuser).toBeUndefined();
    emulator.oauthUser({ consent: 'allow' });
    const normal = await open(HEAD);
    expect((await exchange(codeOf(normal.location))).json.is_snapshotuser).toBeUndefined();
  });
});

describe('the phone answer’s watermark', () => {
  it('names the user’s app and the issue time, unless a test overrides them', async () => {
    const token = String((await stableToken(emulator)).json.access_token);
    const user = emulator.createUser();
    const ask = (code: string) =>
      post(emulator, '/wxa/business/getuserphonenumber', { code }, { access_token: token });
    const normal = await ask(emulator.issuePhoneCode(user.openid));
    expect((normal.json.phone_info as { watermark: unknown }).watermark).toEqual({
      appid: emulator.appId,
      timestamp: expect.any(Number),
    });
    const forged = await ask(
      emulator.issuePhoneCode(user.openid, { watermarkAppId: 'wx_someone_else', watermarkTimestamp: 1000 }),
    );
    expect((forged.json.phone_info as { watermark: unknown }).watermark).toEqual({
      appid: 'wx_someone_else',
      timestamp: 1000,
    });
  });
});
