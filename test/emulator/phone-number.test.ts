// The emulator's /wxa/business/getuserphonenumber over real HTTP: the phone_info shape, single-use
// and expiring codes bound to a user and an app, and the refusals before any work.

import { afterAll, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { post, RID, stableToken } from '../helpers/wechat-http.js';

let clock = 1_700_000_000_000;
const other = { appId: 'wx_other_app0000', appSecret: 'other_secret_0123456789abcdef000' };
const emulator = await startWeChatEmulator({
  now: () => clock,
  apps: [{ appId: 'wx_emulator_app00', appSecret: 'emulator_secret_0123456789abcdef' }, other],
});
afterAll(() => emulator.close());
const accessToken = String((await stableToken(emulator)).json.access_token);
const otherToken = String((await stableToken(emulator, false, other)).json.access_token);

function ask(body: unknown, token = accessToken) {
  return post(emulator, '/wxa/business/getuserphonenumber', body, { access_token: token });
}

describe('POST /wxa/business/getuserphonenumber', () => {
  it('answers the number with countryCode as a string and a watermark of when the code was issued', async () => {
    const user = emulator.createUser();
    const issuedAt = clock;
    const code = emulator.issuePhoneCode(user.openid);
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    clock += 10_000;
    const res = await ask({ code, openid: user.openid });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      errcode: 0,
      errmsg: 'ok',
      phone_info: {
        phoneNumber: '13800138000',
        purePhoneNumber: '13800138000',
        countryCode: '86',
        watermark: { timestamp: Math.floor(issuedAt / 1000), appid: emulator.appId },
      },
    });
  });

  it('serves the number given, the user’s own, and a foreign one with its country code', async () => {
    const user = emulator.createUser({ phoneNumber: '13912345678' });
    const own = await ask({ code: emulator.issuePhoneCode(user.openid) });
    expect(own.json.phone_info).toMatchObject({ phoneNumber: '13912345678', purePhoneNumber: '13912345678' });
    const given = await ask({
      code: emulator.issuePhoneCode(user.openid, {
        phoneNumber: '+86 13700000000',
        purePhoneNumber: '13700000000',
      }),
    });
    expect(given.json.phone_info).toMatchObject({
      phoneNumber: '+86 13700000000',
      purePhoneNumber: '13700000000',
    });
    const foreign = await ask({
      code: emulator.issuePhoneCode(user.openid, { purePhoneNumber: '61234567', countryCode: '852' }),
    });
    expect(foreign.json.phone_info).toMatchObject({
      phoneNumber: '+85261234567',
      purePhoneNumber: '61234567',
      countryCode: '852',
    });
  });

  it('takes a code once, and not after the code lifetime', async () => {
    const user = emulator.createUser();
    const code = emulator.issuePhoneCode(user.openid);
    expect((await ask({ code })).json.errcode).toBe(0);
    const reused = await ask({ code });
    expect(reused.json).toEqual({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code rid: /) });
    const late = emulator.issuePhoneCode(user.openid);
    clock += 5 * 60_000;
    expect((await ask({ code: late })).json.errcode).toBe(40029);
    expect(
      (await ask({ code: 'e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144' })).json.errcode,
    ).toBe(40029);
  });

  it('checks the openid binding when an openid is given, without using the code up', async () => {
    const a = emulator.createUser();
    const b = emulator.createUser();
    const code = emulator.issuePhoneCode(a.openid);
    const mismatch = await ask({ code, openid: b.openid });
    expect(mismatch.json.errcode).toBe(40029);
    expect(mismatch.json.errmsg).toMatch(/^invalid code, openid mismatch rid: /);
    expect((await ask({ code, openid: a.openid })).json.errcode).toBe(0);
  });

  it('answers a code of another app with 40013', async () => {
    const user = emulator.createUser();
    const res = await ask({ code: emulator.issuePhoneCode(user.openid) }, otherToken);
    expect(res.json.errcode).toBe(40013);
    const theirs = emulator.createUser({ appId: other.appId });
    const ok = await ask({ code: emulator.issuePhoneCode(theirs.openid, {}, other.appId) }, otherToken);
    expect(ok.json.phone_info).toMatchObject({ watermark: { appid: other.appId } });
  });

  it.each([
    [
      'GET',
      async () =>
        (await fetch(`${emulator.url}/wxa/business/getuserphonenumber?access_token=${accessToken}`)).json(),
      43002,
    ],
    [
      'no access_token',
      () => post(emulator, '/wxa/business/getuserphonenumber', { code: 'x' }).then((r) => r.json),
      41001,
    ],
    ['a body that is not JSON', () => ask('code=abc').then((r) => r.json), 47001],
    ['no code', () => ask({ openid: 'o' }).then((r) => r.json), 41008],
  ])('answers %s with errcode %i', async (_n, call, errcode) => {
    expect(await call()).toEqual({ errcode, errmsg: expect.stringMatching(RID) });
  });

  it('sends countryCode as a number with phoneCountryCodeAsNumber', async () => {
    const numeric = await startWeChatEmulator({ phoneCountryCodeAsNumber: true });
    try {
      const token = String((await stableToken(numeric)).json.access_token);
      const code = numeric.issuePhoneCode(numeric.createUser().openid);
      const res = await post(numeric, '/wxa/business/getuserphonenumber', { code }, { access_token: token });
      expect((res.json.phone_info as Record<string, unknown>).countryCode).toBe(86);
    } finally {
      await numeric.close();
    }
  });
});
