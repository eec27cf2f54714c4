// The emulator's own contract for encrypt(): open data sealed as WeChat seals it for the mini
// program (AES-128-CBC under the user's current session_key, a fresh iv, the watermark last), and
// opened here with the package's decryptData(), which test/unit/crypto/decrypt-data.test.ts holds
// to WeChat's published vector. The app decrypting the emulator's data over HTTP (req.wxUser.decrypt)
// is test/integration/open-data.test.ts; the /dev/open-data route is test/emulator/dev-routes.test.ts.

import { afterAll, describe, expect, it } from 'vitest';
import { decryptData } from '../../src/index.js';
import { startWeChatEmulator } from '../../src/testing/index.js';

const clock = 1_700_000_123_456;
const emulator = await startWeChatEmulator({ now: () => clock });
afterAll(() => emulator.close());

/** Opens sealed data with `sessionKey`, for the emulator's app unless another is named. */
function open(sealed: { encryptedData: string; iv: string }, sessionKey: string, appId = emulator.appId) {
  return decryptData({ ...sealed, sessionKey, appId });
}

describe('the emulator’s encrypt()', () => {
  it('seals the data plus watermark {timestamp, appid} under the user’s current session_key', () => {
    const user = emulator.createUser();
    const data = { stepInfoList: [{ timestamp: 1700000000, step: 8123 }], nickName: '微信用户' };
    const sealed = emulator.encrypt(user.openid, data);
    const opened = open(sealed, emulator.sessionKeyOf(user.openid)!);
    expect(opened).toStrictEqual({ ...data, watermark: { timestamp: 1700000123, appid: emulator.appId } });
    // The layout of WeChat's published plaintext: the watermark last, its timestamp first.
    expect(Object.keys(opened)).toEqual(['stepInfoList', 'nickName', 'watermark']);
    expect(Object.keys(opened.watermark)).toEqual(['timestamp', 'appid']);
    expect(Buffer.from(sealed.iv, 'base64')).toHaveLength(16);
    expect(emulator.encrypt(user.openid, data).iv).not.toBe(sealed.iv);
  });

  it('takes the timestamp, watermark appid and key given', () => {
    const user = emulator.createUser();
    const key = 'AAAAAAAAAAAAAAAAAAAAAA==';
    const sealed = emulator.encrypt(
      user.openid,
      { n: 1 },
      { sessionKey: key, timestamp: 42, watermarkAppId: 'wx_other' },
    );
    expect(open(sealed, key, 'wx_other')).toStrictEqual({
      n: 1,
      watermark: { timestamp: 42, appid: 'wx_other' },
    });
    // Data of another app, as the emulator's own app sees it.
    expect(() => open(sealed, key)).toThrow(expect.objectContaining({ code: 'WX_WATERMARK_MISMATCH' }));
  });

  it('follows the key to its newest value once wx.login() rotated it', () => {
    const user = emulator.createUser();
    const before = emulator.sessionKeyOf(user.openid)!;
    emulator.issueLoginCode(user.openid);
    const sealed = emulator.encrypt(user.openid, { n: 2 });
    expect(open(sealed, emulator.sessionKeyOf(user.openid)!).n).toBe(2);
    expect(() => open(sealed, before)).toThrow(expect.objectContaining({ code: 'WX_DECRYPT_FAILED' }));
  });

  it('refuses an unknown user and a key that is not 16 bytes', () => {
    expect(() => emulator.encrypt('o_nobody', { n: 1 })).toThrow(/unknown user/);
    const user = emulator.createUser();
    expect(() => emulator.encrypt(user.openid, {}, { sessionKey: 'AAAA' })).toThrow(/16 bytes/);
  });
});
