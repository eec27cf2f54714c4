// The seal of a shared code-exchange result: only the same code (and app, and store key) opens it,
// and any change to what is stored is refused rather than misread.

import { describe, expect, it } from 'vitest';
import { openWithCode, sealForCode } from '../../src/core/sealed-result.js';

const code = '0a3Xyz000Abc1Def2Ghi3Jkl4Mno5Pq';
const key = 'wx123:code:abc';
const json = JSON.stringify({ token: 'header.payload.signature', openid: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M' });

describe('sealForCode / openWithCode', () => {
  it('round-trips with the same code, app and key, and hides the plaintext', () => {
    const sealed = sealForCode(code, 'wx123', key, json);
    expect(openWithCode(code, 'wx123', key, sealed)).toBe(json);
    expect(sealed).not.toContain('payload');
    expect(Buffer.from(sealed.replaceAll('.', ''), 'base64url').toString('latin1')).not.toContain('o6_bmj');
    // A fresh IV each time: the same result never seals to the same text.
    expect(sealForCode(code, 'wx123', key, json)).not.toBe(sealed);
  });

  it('refuses another code, another app, another key, or any altered part', () => {
    const sealed = sealForCode(code, 'wx123', key, json);
    expect(openWithCode(`${code}x`, 'wx123', key, sealed)).toBeUndefined();
    expect(openWithCode(code, 'wx456', key, sealed)).toBeUndefined();
    expect(openWithCode(code, 'wx123', 'wx123:code:other', sealed)).toBeUndefined();
    const [iv, body, tag] = sealed.split('.') as [string, string, string];
    const flip = (s: string): string => (s[0] === 'A' ? `B${s.slice(1)}` : `A${s.slice(1)}`);
    for (const altered of [
      `${flip(iv)}.${body}.${tag}`,
      `${iv}.${flip(body)}.${tag}`,
      `${iv}.${body}.${flip(tag)}`,
      `${iv}.${body}`,
      `${iv}.${body}.${tag}.x`,
      '',
    ]) {
      expect(openWithCode(code, 'wx123', key, altered)).toBeUndefined();
    }
  });
});
