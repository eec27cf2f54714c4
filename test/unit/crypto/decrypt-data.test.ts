// Open-data decryption against WeChat's published sample, and every way it must refuse input
// without leaking the key, the iv or the data into the error.

import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptData } from '../../../src/crypto/index.js';
import { isWxLoginError, type WxErrorCode } from '../../../src/errors.js';

// wechat-api.md section 5, verbatim.
const APP_ID = 'wx4f4bc4dec97d474b';
const SESSION_KEY = 'tiihtNczf5v6AKRyjwEUhQ==';
const IV = 'r7BXXKkLb8qrSNn05n0qiA==';
const ENCRYPTED_DATA =
  'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==';
const PLAINTEXT =
  '{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7GFhsf8OYrySdbvAMvTsw3mo8ibKicsnfN5pRjl1p8HQ/0","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1477314187,"appid":"wx4f4bc4dec97d474b"}}';
const SAMPLE_TIMESTAMP = 1477314187;

const sample = { sessionKey: SESSION_KEY, iv: IV, encryptedData: ENCRYPTED_DATA, appId: APP_ID };

/** Encrypts arbitrary plaintext under the sample key and iv, the way WeChat does. */
function encrypt(plaintext: string | Buffer, keyB64 = SESSION_KEY, ivB64 = IV): string {
  const aes = createCipheriv('aes-128-cbc', Buffer.from(keyB64, 'base64'), Buffer.from(ivB64, 'base64'));
  return Buffer.concat([aes.update(plaintext), aes.final()]).toString('base64');
}

/** Runs decryptData, asserts it threw a WxLoginError with `code`, and that nothing secret leaked. */
function expectRefusal(input: Parameters<typeof decryptData>[0], code: WxErrorCode): void {
  let caught: unknown;
  expect(() => {
    try {
      decryptData(input);
    } catch (err) {
      caught = err;
      throw err;
    }
  }).toThrow();
  expect(isWxLoginError(caught)).toBe(true);
  const err = caught as Error & { code: string };
  expect(err.code).toBe(code);
  expect(err.cause).toBeUndefined();

  const secrets = new Set<string>();
  for (const value of [input.sessionKey, input.iv, input.encryptedData]) {
    if (typeof value !== 'string' || value.length < 8) continue;
    secrets.add(value);
    secrets.add(value.replaceAll(' ', '+'));
    secrets.add(Buffer.from(value.replaceAll(' ', '+'), 'base64').toString('hex'));
  }
  const surfaces = [err.message, String(err), JSON.stringify(err), err.stack ?? ''];
  for (const name of Object.getOwnPropertyNames(err)) {
    surfaces.push(String((err as unknown as Record<string, unknown>)[name]));
  }
  for (const surface of surfaces) {
    for (const s of secrets) expect(surface).not.toContain(s);
  }
}

describe('decryptData()', () => {
  it("decrypts WeChat's published sample to exactly the published plaintext", () => {
    expect(decryptData(sample)).toStrictEqual(JSON.parse(PLAINTEXT));
  });

  it('restores spaces to "+" in encryptedData, iv and sessionKey (form-encoding damage)', () => {
    expect(ENCRYPTED_DATA).toContain('+');
    const damaged = {
      ...sample,
      encryptedData: ENCRYPTED_DATA.replaceAll('+', ' '),
      iv: IV.replaceAll('+', ' '),
      sessionKey: SESSION_KEY.replaceAll('+', ' '),
    };
    expect(decryptData(damaged)).toStrictEqual(JSON.parse(PLAINTEXT));
  });

  it('restores a "+" turned space in the iv and key when they hold one', () => {
    const key = 'q+q+q+q+q+q+q+q+q+q+qw==';
    const iv = 'AAAAAAAAAAAAAAAAAA+/+w==';
    const encryptedData = encrypt(
      JSON.stringify({ a: 1, watermark: { appid: APP_ID, timestamp: 1 } }),
      key,
      iv,
    );
    const data = decryptData({
      sessionKey: key.replaceAll('+', ' '),
      iv: iv.replaceAll('+', ' '),
      encryptedData,
      appId: APP_ID,
    });
    expect(data).toStrictEqual({ a: 1, watermark: { appid: APP_ID, timestamp: 1 } });
  });

  it('refuses data whose watermark names another app', () => {
    expectRefusal({ ...sample, appId: 'wx0000000000000000' }, 'WX_WATERMARK_MISMATCH');
  });

  it('says WX_DECRYPT_FAILED for another valid 16-byte key', () => {
    expectRefusal({ ...sample, sessionKey: 'o0q0otL8aEzpcZL/FT9WsQ==' }, 'WX_DECRYPT_FAILED');
  });

  it('says WX_DECRYPT_FAILED for a wrong iv (garbles the first block only)', () => {
    expectRefusal({ ...sample, iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }, 'WX_DECRYPT_FAILED');
  });

  it('refuses truncated ciphertext (not a multiple of 16 bytes) as WX_DATA_INVALID', () => {
    const truncated = Buffer.from(ENCRYPTED_DATA, 'base64').subarray(0, 390).toString('base64');
    expectRefusal({ ...sample, encryptedData: truncated }, 'WX_DATA_INVALID');
  });

  it('refuses non-base64 input as WX_DATA_INVALID', () => {
    expectRefusal({ ...sample, encryptedData: `${ENCRYPTED_DATA.slice(0, 40)}!@#$` }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, encryptedData: ENCRYPTED_DATA.slice(0, -1) }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, encryptedData: `${ENCRYPTED_DATA}\n` }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, iv: 'r7BXXKkLb8qrSNn05n0qiA' }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, sessionKey: 'tiihtNczf5v6AKRy-jwEUhQ=' }, 'WX_DATA_INVALID');
  });

  it('refuses an iv or a key of the wrong length as WX_DATA_INVALID', () => {
    expectRefusal({ ...sample, iv: Buffer.alloc(12, 7).toString('base64') }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, sessionKey: Buffer.alloc(32, 7).toString('base64') }, 'WX_DATA_INVALID');
  });

  it('refuses wrong types and empty strings as WX_DATA_INVALID', () => {
    expectRefusal({ ...sample, encryptedData: 42 as unknown as string }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, iv: undefined as unknown as string }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, sessionKey: '' }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, appId: '' }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, maxAgeSeconds: 0 }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, maxAgeSeconds: Number.POSITIVE_INFINITY }, 'WX_DATA_INVALID');
    expectRefusal({ ...sample, maxAgeSeconds: '60' as unknown as number }, 'WX_DATA_INVALID');
  });

  it('says WX_DECRYPT_FAILED when the plaintext is not JSON', () => {
    expectRefusal({ ...sample, encryptedData: encrypt('not json at all') }, 'WX_DECRYPT_FAILED');
  });

  it('says WX_DECRYPT_FAILED when the plaintext is not UTF-8', () => {
    const bytes = Buffer.from(`{"a":"\xff","watermark":{"appid":"${APP_ID}","timestamp":1}}`, 'latin1');
    expectRefusal({ ...sample, encryptedData: encrypt(bytes) }, 'WX_DECRYPT_FAILED');
  });

  it('says WX_DECRYPT_FAILED when the plaintext is a JSON array or null', () => {
    expectRefusal(
      { ...sample, encryptedData: encrypt(JSON.stringify([{ watermark: { appid: APP_ID, timestamp: 1 } }])) },
      'WX_DECRYPT_FAILED',
    );
    expectRefusal({ ...sample, encryptedData: encrypt('null') }, 'WX_DECRYPT_FAILED');
  });

  it('says WX_DECRYPT_FAILED when the watermark is missing or malformed', () => {
    expectRefusal({ ...sample, encryptedData: encrypt('{"nickName":"Band"}') }, 'WX_DECRYPT_FAILED');
    expectRefusal(
      { ...sample, encryptedData: encrypt(JSON.stringify({ watermark: { appid: APP_ID } })) },
      'WX_DECRYPT_FAILED',
    );
    expectRefusal(
      { ...sample, encryptedData: encrypt(JSON.stringify({ watermark: { appid: 1, timestamp: 1 } })) },
      'WX_DECRYPT_FAILED',
    );
    expectRefusal(
      { ...sample, encryptedData: encrypt(JSON.stringify({ watermark: { appid: APP_ID, timestamp: '1' } })) },
      'WX_DECRYPT_FAILED',
    );
  });

  it('refuses data older than maxAgeSeconds and accepts fresh data', () => {
    expectRefusal({ ...sample, maxAgeSeconds: 300, now: SAMPLE_TIMESTAMP + 301 }, 'WX_DATA_EXPIRED');
    expect(
      decryptData({ ...sample, maxAgeSeconds: 300, now: SAMPLE_TIMESTAMP + 300 }).watermark.timestamp,
    ).toBe(SAMPLE_TIMESTAMP);
    // The sample is from 2016: with the real clock it is long expired.
    expectRefusal({ ...sample, maxAgeSeconds: 3600 }, 'WX_DATA_EXPIRED');
  });

  it('checks no age unless maxAgeSeconds is set', () => {
    expect(decryptData({ ...sample, now: SAMPLE_TIMESTAMP + 10 * 365 * 86400 }).nickName).toBe('Band');
  });

  it('keeps a "__proto__" key as plain data and pollutes nothing', () => {
    const plaintext = `{"__proto__":{"polluted":true},"watermark":{"appid":"${APP_ID}","timestamp":1}}`;
    const data = decryptData({ ...sample, encryptedData: encrypt(plaintext) });
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
