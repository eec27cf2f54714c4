// rawData signatures against WeChat's published example: sha1(rawData + session_key), hex.

import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../src/crypto/index.js';

// wechat-api.md section 5, verbatim.
const RAW_DATA =
  '{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0"}';
const SESSION_KEY = 'HyVFkGl5F5OQWJZZaNzBBg==';
const SIGNATURE = '75e81ceda165f4ffa64f4068af58c64b8f54b88c';

const example = { rawData: RAW_DATA, signature: SIGNATURE, sessionKey: SESSION_KEY };

describe('verifySignature()', () => {
  it("accepts WeChat's published example", () => {
    expect(verifySignature(example)).toBe(true);
  });

  it('rejects a one-character change in rawData, signature or key', () => {
    expect(verifySignature({ ...example, rawData: RAW_DATA.replace('"gender":1', '"gender":2') })).toBe(
      false,
    );
    expect(verifySignature({ ...example, signature: `${SIGNATURE.slice(0, -1)}d` })).toBe(false);
    expect(verifySignature({ ...example, sessionKey: SESSION_KEY.replace('H', 'h') })).toBe(false);
  });

  it('accepts the signature in uppercase hex', () => {
    expect(verifySignature({ ...example, signature: SIGNATURE.toUpperCase() })).toBe(true);
  });

  it('answers false, not a throw, for a signature of the wrong length or not hex', () => {
    expect(verifySignature({ ...example, signature: SIGNATURE.slice(0, 39) })).toBe(false);
    expect(verifySignature({ ...example, signature: `${SIGNATURE}00` })).toBe(false);
    expect(verifySignature({ ...example, signature: '' })).toBe(false);
    expect(verifySignature({ ...example, signature: `${SIGNATURE.slice(0, -1)}g` })).toBe(false);
  });

  it('throws WX_DATA_INVALID only for arguments of the wrong type or empty ones', () => {
    const cases = [
      { ...example, rawData: '' },
      { ...example, rawData: 1 as unknown as string },
      { ...example, sessionKey: '' },
      { ...example, sessionKey: null as unknown as string },
      { ...example, signature: undefined as unknown as string },
    ];
    for (const input of cases) {
      expect(() => verifySignature(input)).toThrow(expect.objectContaining({ code: 'WX_DATA_INVALID' }));
    }
  });

  it('never puts the session key in its error', () => {
    let caught: unknown;
    try {
      verifySignature({ ...example, rawData: '' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    const err = caught as Error;
    expect(`${err.message} ${String(err)} ${JSON.stringify(err)} ${err.stack}`).not.toContain(SESSION_KEY);
  });
});
