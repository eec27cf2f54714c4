// The emulator's /dev routes (devRoutes: true) over real HTTP: login codes that code2Session
// accepts, phone codes that getuserphonenumber accepts, open data that decrypts, and refusals.

import { afterAll, describe, expect, it } from 'vitest';
import { decryptData } from '../../src/index.js';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { code2Session, get, post, stableToken } from '../helpers/wechat-http.js';

const emulator = await startWeChatEmulator({ devRoutes: true });
const plain = await startWeChatEmulator();
afterAll(() => Promise.all([emulator.close(), plain.close()]));

describe('POST /dev/login-code', () => {
  it('mints a code for a new user, with a unionid, that code2Session exchanges once', async () => {
    const minted = await post(emulator, '/dev/login-code', '');
    expect(minted.status).toBe(200);
    expect(minted.json).toEqual({
      code: expect.any(String),
      openid: expect.stringMatching(/^o[\w-]{27}$/),
      unionid: expect.stringMatching(/^o[\w-]{27}$/),
      appId: emulator.appId,
    });
    const session = await code2Session(emulator, String(minted.json.code));
    expect(session.json).toEqual({
      openid: minted.json.openid,
      unionid: minted.json.unionid,
      session_key: emulator.sessionKeyOf(String(minted.json.openid)),
    });
    expect((await code2Session(emulator, String(minted.json.code))).json.errcode).toBe(40163);
    // /dev calls are not WeChat calls: the log holds only the two exchanges.
    expect(emulator.callsTo('jscode2session')).toHaveLength(2);
    expect(emulator.calls.every((call) => !call.path.startsWith('/dev'))).toBe(true);
  });

  it('comes back as a chosen user, and makes one without a unionid when asked', async () => {
    const first = await post(emulator, '/dev/login-code', { openid: 'o_dev_user_0001', withUnionid: false });
    expect(first.json).toEqual({
      code: expect.any(String),
      openid: 'o_dev_user_0001',
      appId: emulator.appId,
    });
    const again = await post(emulator, '/dev/login-code', { openid: 'o_dev_user_0001' });
    expect(again.json.openid).toBe('o_dev_user_0001');
    expect(again.json.code).not.toBe(first.json.code);
    expect((await code2Session(emulator, String(again.json.code))).json.openid).toBe('o_dev_user_0001');
  });

  it('refuses a body that is not a JSON object, bad fields and an unknown appId', async () => {
    for (const [body, message] of [
      ['{not json', 'the body must be JSON'],
      ['[1]', 'the body must be a JSON object'],
      [{ openid: 42 }, 'openid must be a string of 1-128 characters'],
      [{ withUnionid: 'yes' }, 'withUnionid must be a boolean'],
      [{ appId: 'wx_nobody' }, 'WeChat emulator: unknown appId "wx_nobody"'],
    ] as const) {
      const res = await post(emulator, '/dev/login-code', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toEqual({ error: { code: 'DEV_BAD_REQUEST', message } });
    }
  });
});

describe('POST /dev/phone-code and /dev/open-data', () => {
  it('mints a phone code that getuserphonenumber answers with the chosen number', async () => {
    const { json: login } = await post(emulator, '/dev/login-code', {});
    const phone = await post(emulator, '/dev/phone-code', {
      openid: login.openid,
      purePhoneNumber: '13912345678',
    });
    expect(phone.status).toBe(200);
    const token = String((await stableToken(emulator)).json.access_token);
    const answer = await post(
      emulator,
      '/wxa/business/getuserphonenumber',
      { code: phone.json.code },
      { access_token: token },
    );
    expect(answer.json).toMatchObject({
      errcode: 0,
      phone_info: { phoneNumber: '13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
    });
  });

  it('encrypts open data with the user’s current session_key, watermarked for the app', async () => {
    const { json: login } = await post(emulator, '/dev/login-code', {});
    const openid = String(login.openid);
    const sealed = await post(emulator, '/dev/open-data', { openid, data: { stepInfoList: [{ step: 1 }] } });
    expect(sealed.status).toBe(200);
    const opened = decryptData({
      sessionKey: emulator.sessionKeyOf(openid)!,
      encryptedData: String(sealed.json.encryptedData),
      iv: String(sealed.json.iv),
      appId: emulator.appId,
    });
    expect(opened).toMatchObject({ stepInfoList: [{ step: 1 }], watermark: { appid: emulator.appId } });
  });

  it('answers 404 for a user it never minted a code for, 400 without an openid', async () => {
    for (const path of ['/dev/phone-code', '/dev/open-data']) {
      expect((await post(emulator, path, { openid: 'o_never_seen' })).json).toEqual({
        error: { code: 'DEV_UNKNOWN_USER', message: 'no such user: mint a login code for it first' },
      });
      const missing = await post(emulator, path, {});
      expect(missing.status).toBe(400);
      expect(missing.json).toEqual({ error: { code: 'DEV_BAD_REQUEST', message: 'openid is required' } });
    }
    expect((await post(emulator, '/dev/open-data', { openid: 'o_dev_user_0001', data: [1] })).status).toBe(
      400,
    );
  });
});

describe('GET /dev and the edges', () => {
  it('lists the routes, refuses GET on a route and unknown /dev paths', async () => {
    const list = await get(emulator, '/dev');
    expect(Object.keys(list.json.routes as object)).toEqual([
      'POST /dev/login-code',
      'POST /dev/phone-code',
      'POST /dev/open-data',
    ]);
    const wrongMethod = await get(emulator, '/dev/login-code');
    expect(wrongMethod.status).toBe(405);
    expect((await post(emulator, '/dev/nothing', {})).status).toBe(404);
  });

  it('are off unless asked for: a plain emulator answers /dev with WeChat’s 404', async () => {
    const res = await post(plain, '/dev/login-code', {});
    expect(res.status).toBe(404);
    expect(res.text).toBe('not found');
  });
});
