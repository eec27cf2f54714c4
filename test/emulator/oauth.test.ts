// The emulator's web OAuth over real HTTP: the authorize and QR pages (checks, error pages, the
// consent form), then /sns/oauth2/access_token, refresh_token, /sns/userinfo and /sns/auth.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { get, RID } from '../helpers/wechat-http.js';

let clock = 1_700_000_000_000;
const MINI = { appId: 'wx_mini_program_01', appSecret: 'mini_secret' };
const H5 = {
  appId: 'wx_official_acct_1',
  appSecret: 'official_secret',
  oauthDomain: 'example.com',
  oauthScopes: ['snsapi_base' as const, 'snsapi_userinfo' as const],
};
const SITE = {
  appId: 'wx_website_app_001',
  appSecret: 'website_secret',
  oauthScopes: ['snsapi_login' as const],
};
const emulator = await startWeChatEmulator({ apps: [MINI, H5, SITE], now: () => clock });
afterAll(() => emulator.close());

const REDIRECT = 'https://example.com/wx/web/callback?from=menu';

beforeEach(() => {
  emulator.oauthUser({ consent: 'allow' });
  emulator.clearFaults();
  emulator.resetCalls();
});

/** Opens an authorize URL built from raw (already encoded) parts, in the order given. */
async function open(path: string, pairs: Array<[string, string]>) {
  const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const res = await fetch(`${emulator.url}${path}?${query}`, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

function authorizePairs(
  overrides: Partial<Record<string, string>> = {},
  appId = H5.appId,
): Array<[string, string]> {
  const base: Record<string, string> = {
    appid: appId,
    redirect_uri: encodeURIComponent(REDIRECT),
    response_type: 'code',
    scope: 'snsapi_userinfo',
    state: 'abc123',
  };
  return Object.entries({ ...base, ...overrides }).filter(([, v]) => v !== '') as Array<[string, string]>;
}

/** Who authorizes H5 now: an authorization (consent 'allow') and its code exchanged. */
async function codeFor(): Promise<{ openid: string }> {
  const res = await open('/connect/oauth2/authorize', authorizePairs());
  const code = new URL(res.location!).searchParams.get('code')!;
  const exchange = await get(emulator, '/sns/oauth2/access_token', {
    appid: H5.appId,
    secret: H5.appSecret,
    code,
    grant_type: 'authorization_code',
  });
  return { openid: String(exchange.json.openid) };
}

describe('GET /connect/oauth2/authorize', () => {
  it('redirects back with code and state, keeping redirect_uri’s own query', async () => {
    const res = await open('/connect/oauth2/authorize', authorizePairs());
    expect(res.status).toBe(302);
    const back = new URL(res.location!);
    expect(`${back.origin}${back.pathname}`).toBe('https://example.com/wx/web/callback');
    expect([...back.searchParams.keys()]).toEqual(['from', 'code', 'state']);
    expect(back.searchParams.get('state')).toBe('abc123');
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(emulator.callsTo('oauth2_authorize')[0]).toMatchObject({
      status: 302,
      query: { appid: H5.appId },
    });
  });

  it.each([
    [{ appid: '' }, 10012],
    [{ redirect_uri: '' }, 10011],
    [{ scope: '' }, 10010],
    [{ redirect_uri: encodeURIComponent('https://evil.example/cb') }, 10003],
    [{ scope: 'snsapi_login' }, 10005],
    [{ appid: 'wx_unknown_app_000' }, 40013],
  ])('shows the error page for %j: %i', async (override, errcode) => {
    const res = await open('/connect/oauth2/authorize', authorizePairs(override));
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<span id="errcode">${errcode}</span>`);
    expect(emulator.callsTo('oauth2_authorize')[0]?.errcode).toBe(errcode);
  });

  it('refuses another parameter order, an unencoded redirect_uri, a bad state or response_type', async () => {
    const pairs = authorizePairs();
    const swapped = [pairs[1]!, pairs[0]!, ...pairs.slice(2)];
    for (const attempt of [
      swapped,
      authorizePairs({ redirect_uri: 'https://example.com/cb' }),
      authorizePairs({ state: 'a-b' }),
      authorizePairs({ state: 'x'.repeat(129) }),
      authorizePairs({ response_type: 'token' }),
      [...authorizePairs(), ['extra', '1'] as [string, string]],
    ]) {
      const res = await open('/connect/oauth2/authorize', attempt);
      expect(res.status).toBe(200);
      expect(res.location).toBeNull();
      expect(res.text).toContain('id="error"');
    }
    expect(emulator.callsTo('oauth2_authorize').every((c) => c.status === 200)).toBe(true);
  });

  it('snsapi_base is silent even when the person would be asked; state is optional', async () => {
    emulator.oauthUser({ consent: 'page' });
    const res = await open('/connect/oauth2/authorize', authorizePairs({ scope: 'snsapi_base', state: '' }));
    expect(res.status).toBe(302);
    expect([...new URL(res.location!).searchParams.keys()]).toEqual(['from', 'code']);
  });

  it('shows the consent page; Allow gives a code, Deny only the state, a ticket works once', async () => {
    emulator.oauthUser({ consent: 'page', nickname: '<Mei>' });
    const page = await open('/connect/oauth2/authorize', authorizePairs());
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="allow"');
    expect(page.text).toContain('id="deny"');
    expect(page.text).toContain('&lt;Mei&gt;');
    const ticket = /name="ticket" value="([0-9a-f]+)"/.exec(page.text)![1]!;
    const confirm = (action: string, t = ticket) =>
      fetch(`${emulator.url}/connect/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `ticket=${t}&action=${action}`,
        redirect: 'manual',
      });
    const allowed = await confirm('allow');
    expect(allowed.status).toBe(302);
    expect(new URL(allowed.headers.get('location')!).searchParams.get('code')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect((await confirm('allow')).status).toBe(200); // used: an error page, no redirect

    const second = await open('/connect/oauth2/authorize', authorizePairs());
    const denied = await confirm('deny', /name="ticket" value="([0-9a-f]+)"/.exec(second.text)![1]!);
    const back = new URL(denied.headers.get('location')!);
    expect([...back.searchParams.entries()]).toEqual([
      ['from', 'menu'],
      ['state', 'abc123'],
    ]);
  });

  it('consent "deny" answers at once without a code', async () => {
    emulator.oauthUser({ consent: 'deny' });
    const res = await open('/connect/oauth2/authorize', authorizePairs());
    expect(new URL(res.location!).searchParams.has('code')).toBe(false);
  });
});

describe('GET /connect/qrconnect', () => {
  it('takes only snsapi_login of a website app', async () => {
    const redirect = encodeURIComponent('https://site.example/cb');
    const ok = await open(
      '/connect/qrconnect',
      authorizePairs({ scope: 'snsapi_login', redirect_uri: redirect }, SITE.appId),
    );
    expect(ok.status).toBe(302);
    const base = await open(
      '/connect/qrconnect',
      authorizePairs({ scope: 'snsapi_userinfo', redirect_uri: redirect }, SITE.appId),
    );
    expect(base.text).toContain('<span id="errcode">10005</span>');
    const official = await open('/connect/qrconnect', authorizePairs({ scope: 'snsapi_login' }));
    expect(official.text).toContain('<span id="errcode">10005</span>');
  });
});

describe('GET /sns/oauth2/access_token', () => {
  it('exchanges a code once: openid, tokens, scope, and the unionid only beyond snsapi_base', async () => {
    emulator.oauthUser({ withUnionid: true, consent: 'allow' });
    const res = await open('/connect/oauth2/authorize', authorizePairs());
    const code = new URL(res.location!).searchParams.get('code')!;
    const query = { appid: H5.appId, secret: H5.appSecret, code, grant_type: 'authorization_code' };
    const first = await get(emulator, '/sns/oauth2/access_token', query);
    expect(Object.keys(first.json).sort()).toEqual(
      ['access_token', 'expires_in', 'openid', 'refresh_token', 'scope', 'unionid'].sort(),
    );
    expect(first.json).toMatchObject({ expires_in: 7200, scope: 'snsapi_userinfo' });
    const again = await get(emulator, '/sns/oauth2/access_token', query);
    expect(again.json.errcode).toBe(40163);
    expect(String(again.json.errmsg)).toMatch(RID);

    const baseRes = await open('/connect/oauth2/authorize', authorizePairs({ scope: 'snsapi_base' }));
    const baseCode = new URL(baseRes.location!).searchParams.get('code')!;
    const base = await get(emulator, '/sns/oauth2/access_token', { ...query, code: baseCode });
    expect(base.json.scope).toBe('snsapi_base');
    expect(base.json).not.toHaveProperty('unionid');
  });

  it.each([
    [{ appid: '' }, 41002],
    [{ appid: 'wx_unknown_app_000' }, 40013],
    [{ secret: '' }, 41004],
    [{ secret: 'wrong' }, 40125],
    [{ grant_type: 'client_credential' }, 40002],
    [{ code: '' }, 41008],
    [{ code: 'nope' }, 40029],
  ])('refuses %j with %i', async (override, errcode) => {
    const query = {
      appid: H5.appId,
      secret: H5.appSecret,
      code: 'x',
      grant_type: 'authorization_code',
      ...override,
    };
    expect((await get(emulator, '/sns/oauth2/access_token', query)).json.errcode).toBe(errcode);
  });

  it('refuses another app’s code, and expires codes after 5 minutes (QR codes after 10)', async () => {
    const h5 = await open('/connect/oauth2/authorize', authorizePairs());
    const h5Code = new URL(h5.location!).searchParams.get('code')!;
    const qr = await open(
      '/connect/qrconnect',
      authorizePairs(
        { scope: 'snsapi_login', redirect_uri: encodeURIComponent('https://site.example/cb') },
        SITE.appId,
      ),
    );
    const qrCode = new URL(qr.location!).searchParams.get('code')!;
    const exchange = (app: typeof H5 | typeof SITE, code: string) =>
      get(emulator, '/sns/oauth2/access_token', {
        appid: app.appId,
        secret: app.appSecret,
        code,
        grant_type: 'authorization_code',
      });
    expect((await exchange(SITE, h5Code)).json.errcode).toBe(40029);
    clock += 5 * 60_000;
    expect((await exchange(H5, h5Code)).json.errcode).toBe(40029);
    expect((await exchange(SITE, qrCode)).json.errcode).toBeUndefined();
    const late = await open(
      '/connect/qrconnect',
      authorizePairs(
        { scope: 'snsapi_login', redirect_uri: encodeURIComponent('https://site.example/cb') },
        SITE.appId,
      ),
    );
    clock += 10 * 60_000;
    expect((await exchange(SITE, new URL(late.location!).searchParams.get('code')!)).json.errcode).toBe(
      40029,
    );
  });
});

describe('refresh_token, userinfo, auth', () => {
  async function tokens(scope = 'snsapi_userinfo') {
    const res = await open('/connect/oauth2/authorize', authorizePairs({ scope }));
    const code = new URL(res.location!).searchParams.get('code')!;
    return (
      await get(emulator, '/sns/oauth2/access_token', {
        appid: H5.appId,
        secret: H5.appSecret,
        code,
        grant_type: 'authorization_code',
      })
    ).json as Record<string, string>;
  }

  it('userinfo answers the profile in the language asked for', async () => {
    emulator.oauthUser({
      nickname: 'Mei',
      sex: 2,
      headimgurl: 'https://img.example/a.png',
      withUnionid: true,
      consent: 'allow',
    });
    const t = await tokens();
    const info = await get(emulator, '/sns/userinfo', {
      access_token: t.access_token!,
      openid: t.openid!,
      lang: 'en',
    });
    expect(info.json).toEqual({
      openid: t.openid,
      nickname: 'Mei',
      sex: 2,
      province: 'Guangdong',
      city: 'Guangzhou',
      country: 'China',
      headimgurl: 'https://img.example/a.png',
      privilege: [],
      unionid: t.unionid,
    });
  });

  it('userinfo refuses a snsapi_base token (48001), another openid (40003), bad or expired tokens', async () => {
    const base = await tokens('snsapi_base');
    const call = (q: Record<string, string>) => get(emulator, '/sns/userinfo', q);
    expect((await call({ access_token: base.access_token!, openid: base.openid! })).json.errcode).toBe(48001);
    const t = await tokens();
    expect((await call({ access_token: t.access_token!, openid: base.openid! })).json.errcode).toBe(40003);
    expect((await call({ openid: t.openid! })).json.errcode).toBe(41001);
    expect((await call({ access_token: 'nope', openid: t.openid! })).json.errcode).toBe(40014);
    clock += 7200_000;
    expect((await call({ access_token: t.access_token!, openid: t.openid! })).json.errcode).toBe(42001);
    expect(emulator.callsTo('userinfo').map((c) => c.errcode)).toEqual([48001, 40003, 41001, 40014, 42001]);
  });

  it('sns/auth checks a token for its user', async () => {
    const t = await tokens();
    expect(
      (await get(emulator, '/sns/auth', { access_token: t.access_token!, openid: t.openid! })).json,
    ).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect(
      (await get(emulator, '/sns/auth', { access_token: t.access_token!, openid: 'other' })).json.errcode,
    ).toBe(40003);
  });

  it('refresh_token extends an unexpired access_token, replaces an expired one, for 30 days', async () => {
    const t = await tokens();
    const refresh = (q: Record<string, string>) => get(emulator, '/sns/oauth2/refresh_token', q);
    const query = { appid: H5.appId, grant_type: 'refresh_token', refresh_token: t.refresh_token! };
    clock += 7000_000; // 200 s left
    const extended = await refresh(query);
    expect(extended.json).toMatchObject({
      access_token: t.access_token,
      expires_in: 7200,
      openid: t.openid,
      refresh_token: t.refresh_token,
      scope: 'snsapi_userinfo',
    });
    clock += 1000_000; // past the original 7200 s, within the extended lifetime
    expect(
      (await get(emulator, '/sns/auth', { access_token: t.access_token!, openid: t.openid! })).json.errcode,
    ).toBe(0);
    clock += 7200_000; // now expired
    const fresh = await refresh(query);
    expect(fresh.json).toMatchObject({ expires_in: 7200, refresh_token: t.refresh_token, openid: t.openid });
    expect(fresh.json.access_token).not.toBe(t.access_token);
    expect(
      (await get(emulator, '/sns/auth', { access_token: t.access_token!, openid: t.openid! })).json.errcode,
    ).toBe(42001);
    expect(
      (await get(emulator, '/sns/auth', { access_token: String(fresh.json.access_token), openid: t.openid! }))
        .json.errcode,
    ).toBe(0);
    expect((await refresh({ ...query, grant_type: 'authorization_code' })).json.errcode).toBe(40002);
    expect((await refresh({ ...query, refresh_token: 'nope' })).json.errcode).toBe(40030);
    expect((await refresh({ ...query, appid: SITE.appId })).json.errcode).toBe(40030);
    expect((await refresh({ ...query, appid: '' })).json.errcode).toBe(41002);
    clock += 30 * 24 * 3600_000;
    expect((await refresh(query)).json.errcode).toBe(42002);
  });
});

describe('people across apps', () => {
  it('one unionid is one person: a new openid in the web app, the same unionid', async () => {
    const mini = emulator.createUser({ appId: MINI.appId, withUnionid: true });
    emulator.oauthUser({ unionid: mini.unionid!, consent: 'allow' });
    const first = await codeFor();
    const second = await codeFor();
    expect(first.openid).not.toBe(mini.openid);
    expect(second.openid).toBe(first.openid);
    emulator.oauthUser({ consent: 'allow' });
    expect((await codeFor()).openid).not.toBe(first.openid); // nobody chosen: a new user each time
  });

  it('takes faults on the OAuth endpoints like on the others', async () => {
    emulator.fail('userinfo', { type: 'http', status: 503 });
    const t = await codeFor();
    expect(t.openid).toMatch(/^o/);
    const res = await get(emulator, '/sns/userinfo', { access_token: 'x', openid: t.openid });
    expect(res.status).toBe(503);
    expect(emulator.callsTo('userinfo')[0]?.fault).toBe('http');
    expect(() => emulator.oauthUser({ consent: 'maybe' as 'page' })).toThrow(TypeError);
  });
});
