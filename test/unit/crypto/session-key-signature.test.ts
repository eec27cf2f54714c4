// The checksession / resetusersessionkey signature: hex HMAC-SHA256 keyed with the session_key
// text, checked against the vectors of wechat-api.md section 4.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sessionKeySignature } from '../../../src/crypto/index.js';

describe('sessionKeySignature()', () => {
  it("reproduces WeChat's official example", () => {
    expect(sessionKeySignature('o0q0otL8aEzpcZL/FT9WsQ==', '{"foo":"bar"}')).toBe(
      '654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b',
    );
  });

  it('signs the empty string by default, as the GET endpoints need', () => {
    const expected = '7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735';
    expect(sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==')).toBe(expected);
    expect(sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==', '')).toBe(expected);
  });

  it('keys with the session_key text, not its decoded bytes (field pitfall 10)', () => {
    const decodedKeyed = createHmac('sha256', Buffer.from('tiihtNczf5v6AKRyjwEUhQ==', 'base64'))
      .update('')
      .digest('hex');
    expect(sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==')).not.toBe(decodedKeyed);
    expect(sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws WX_DATA_INVALID for an empty or non-string key or a non-string message', () => {
    expect(() => sessionKeySignature('')).toThrow(expect.objectContaining({ code: 'WX_DATA_INVALID' }));
    expect(() => sessionKeySignature(undefined as unknown as string)).toThrow(
      expect.objectContaining({ code: 'WX_DATA_INVALID' }),
    );
    expect(() => sessionKeySignature('tiihtNczf5v6AKRyjwEUhQ==', 5 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'WX_DATA_INVALID' }),
    );
  });
});
