// The emulator's encrypt() checked with node:crypto alone: the layout of WeChat's published test
// vector, a round trip with the user's current key, the watermark, and rotation.

import { createDecipheriv } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';

const clock = 1_700_000_123_456;
const emulator = await startWeChatEmulator({ now: () => clock });
afterAll(() => emulator.close());

/** WeChat's documented algorithm: AES-128-CBC, PKCS#7, key and iv base64-decoded. */
function decrypt(sessionKey: string, encryptedData: string, iv: string): string {
  const decipher = createDecipheriv(
    'aes-128-cbc',
    Buffer.from(sessionKey, 'base64'),
    Buffer.from(iv, 'base64'),
  );
  return Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString(
    'utf8',
  );
}

// Reference section 5 (PowerWeChat encryptor_test.go, wechatpy test_wxa_decrypt_message).
const VECTOR = {
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
  plaintext:
    '{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1477314187,"appid":"wx4f4bc4dec97d474b"}}',
};

describe('encrypt()', () => {
  it('uses the layout of WeChat’s published vector, which this decryption reproduces byte for byte', () => {
    expect(decrypt(VECTOR.sessionKey, VECTOR.encryptedData, VECTOR.iv)).toBe(VECTOR.plaintext);
    expect(Buffer.from(VECTOR.encryptedData, 'base64')).toHaveLength(400);
  });

  it('encrypts the data plus watermark {timestamp, appid} under the user’s current session_key', () => {
    const user = emulator.createUser();
    const data = { stepInfoList: [{ timestamp: 1700000000, step: 8123 }], nickName: '微信用户' };
    const out = emulator.encrypt(user.openid, data);
    expect(Buffer.from(out.iv, 'base64')).toHaveLength(16);
    const plaintext = decrypt(emulator.sessionKeyOf(user.openid)!, out.encryptedData, out.iv);
    expect(plaintext).toBe(
      JSON.stringify({ ...data, watermark: { timestamp: 1700000123, appid: emulator.appId } }),
    );
    expect(emulator.encrypt(user.openid, data).iv).not.toBe(out.iv);
  });

  it('takes the timestamp, watermark appid and key given', () => {
    const user = emulator.createUser();
    const key = 'AAAAAAAAAAAAAAAAAAAAAA==';
    const out = emulator.encrypt(
      user.openid,
      { n: 1 },
      { sessionKey: key, timestamp: 42, watermarkAppId: 'wx_other' },
    );
    expect(JSON.parse(decrypt(key, out.encryptedData, out.iv))).toEqual({
      n: 1,
      watermark: { timestamp: 42, appid: 'wx_other' },
    });
  });

  it('follows the key to its newest value once wx.login() rotated it', () => {
    const user = emulator.createUser();
    const before = emulator.sessionKeyOf(user.openid)!;
    emulator.issueLoginCode(user.openid);
    const out = emulator.encrypt(user.openid, { n: 2 });
    expect(JSON.parse(decrypt(emulator.sessionKeyOf(user.openid)!, out.encryptedData, out.iv)).n).toBe(2);
    expect(() => JSON.parse(decrypt(before, out.encryptedData, out.iv))).toThrow();
  });

  it('refuses an unknown user and a key that is not 16 bytes', () => {
    expect(() => emulator.encrypt('o_nobody', { n: 1 })).toThrow(/unknown user/);
    const user = emulator.createUser();
    expect(() => emulator.encrypt(user.openid, {}, { sessionKey: 'AAAA' })).toThrow(/16 bytes/);
  });
});
