// The emulator's own contract for /wxa/checksession and /wxa/resetusersessionkey over real HTTP:
// the signature of the user's current key only, WeChat's refusals, and a reset that retires the
// old key. The package's calls of them (what it sends, how often) are tested in
// test/integration/open-data.test.ts; its signature against WeChat's published examples in
// test/unit/crypto/session-key-signature.test.ts.

import { afterAll, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { code2Session, get, RID, sessionCall, sign, stableToken } from '../helpers/wechat-http.js';

const emulator = await startWeChatEmulator();
afterAll(() => emulator.close());
const accessToken = String((await stableToken(emulator)).json.access_token);

describe('GET /wxa/checksession', () => {
  it('accepts the current key and refuses one that wx.login() replaced with 87009', async () => {
    const user = emulator.createUser();
    const res = await code2Session(emulator, emulator.issueLoginCode(user.openid));
    const key = String(res.json.session_key);
    expect((await sessionCall(emulator, accessToken, user.openid, key)).json).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    emulator.issueLoginCode(user.openid);
    const stale = await sessionCall(emulator, accessToken, user.openid, key);
    expect(stale.json).toEqual({ errcode: 87009, errmsg: expect.stringMatching(/^invalid signature rid: /) });
  });

  it.each([
    [
      'a signature of the key decoded instead of its text',
      (k: string) => ({ signature: sign(Buffer.from(k, 'base64').toString('latin1')) }),
      87009,
    ],
    ['uppercase hex', (k: string) => ({ signature: sign(k).toUpperCase() }), 87009],
    ['no signature', () => ({ signature: undefined }), 87009],
    ['another sig_method', () => ({ sig_method: 'md5' }), 87008],
    ['no sig_method', () => ({ sig_method: undefined }), 87008],
    ['an unknown openid', () => ({ openid: 'o_nobody_0000000000000000000' }), 40003],
    ['no access_token', () => ({ access_token: undefined }), 41001],
  ])('refuses %s with %i', async (_n, change, errcode) => {
    const user = emulator.createUser();
    const key = emulator.sessionKeyOf(user.openid)!;
    const query = {
      access_token: accessToken,
      openid: user.openid,
      signature: sign(key),
      sig_method: 'hmac_sha256',
      ...change(key),
    };
    const res = await get(
      emulator,
      '/wxa/checksession',
      Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)),
    );
    expect(res.json).toEqual({ errcode, errmsg: expect.stringMatching(RID) });
  });

  it('does not know an openid of another app', async () => {
    const other = { appId: 'wx_other_app0000', appSecret: 'other_secret' };
    const two = await startWeChatEmulator({
      apps: [{ appId: 'wx_main_app00000', appSecret: 'main_secret' }, other],
    });
    try {
      const theirs = two.createUser({ appId: other.appId });
      const token = String((await stableToken(two)).json.access_token);
      expect((await sessionCall(two, token, theirs.openid, theirs.sessionKey)).json.errcode).toBe(40003);
    } finally {
      await two.close();
    }
  });
});

describe('GET /wxa/resetusersessionkey', () => {
  it('issues a new key for a signature of the current one, and the old one stops working', async () => {
    const user = emulator.createUser();
    const old = emulator.sessionKeyOf(user.openid)!;
    const reset = await sessionCall(emulator, accessToken, user.openid, old, '/wxa/resetusersessionkey');
    expect(reset.json).toEqual({
      errcode: 0,
      errmsg: 'ok',
      openid: user.openid,
      session_key: emulator.sessionKeyOf(user.openid),
    });
    const fresh = String(reset.json.session_key);
    expect(fresh).not.toBe(old);
    expect(Buffer.from(fresh, 'base64')).toHaveLength(16);
    expect((await sessionCall(emulator, accessToken, user.openid, old)).json.errcode).toBe(87009);
    expect((await sessionCall(emulator, accessToken, user.openid, fresh)).json.errcode).toBe(0);
    const again = await sessionCall(emulator, accessToken, user.openid, old, '/wxa/resetusersessionkey');
    expect(again.json.errcode).toBe(87009);
    expect(emulator.sessionKeyOf(user.openid)).toBe(fresh);
  });
});
