// The strict base64 decoder behind every open-data field: what it accepts, what it refuses, and
// that its messages name the field but never hold the value.

import { describe, expect, it } from 'vitest';
import { decodeBase64Field } from '../../../src/crypto/base64.js';

function codeAndMessage(run: () => unknown): { code: unknown; message: string } {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  return { code: (caught as { code?: unknown }).code, message: (caught as Error).message };
}

describe('decodeBase64Field()', () => {
  it('decodes standard padded base64', () => {
    expect(decodeBase64Field('x', 'aGk=').toString()).toBe('hi');
    expect(decodeBase64Field('x', 'aGVsbG8h').toString()).toBe('hello!');
    expect(decodeBase64Field('x', 'YQ==').toString()).toBe('a');
  });

  it('restores spaces to "+"', () => {
    expect(decodeBase64Field('x', '+/+/').equals(decodeBase64Field('x', ' / /'))).toBe(true);
  });

  it.each([
    ['missing padding', 'aGk'],
    ['url-safe alphabet', 'a-_k'],
    ['garbage', 'aGk=!'],
    ['inner padding', 'aG=k'],
    ['newline', 'aGk=\n'],
    ['too much padding', 'YQ==='],
  ])('refuses %s', (_label, value) => {
    const { code, message } = codeAndMessage(() => decodeBase64Field('iv', value));
    expect(code).toBe('WX_DATA_INVALID');
    expect(message).toBe('iv is not valid base64');
  });

  it('refuses a non-string or empty value, naming the field', () => {
    for (const value of [undefined, null, 7, '', ['aGk=']]) {
      const { code, message } = codeAndMessage(() => decodeBase64Field('sessionKey', value));
      expect(code).toBe('WX_DATA_INVALID');
      expect(message).toBe('sessionKey must be a non-empty base64 string');
    }
  });

  it('checks the decoded length without echoing the value', () => {
    const value = Buffer.alloc(15, 1).toString('base64');
    const exact = codeAndMessage(() => decodeBase64Field('sessionKey', value, { byteLength: 16 }));
    expect(exact).toEqual({ code: 'WX_DATA_INVALID', message: 'sessionKey must decode to 16 bytes' });
    expect(exact.message).not.toContain(value);
    const multiple = codeAndMessage(() => decodeBase64Field('encryptedData', value, { multipleOf: 16 }));
    expect(multiple.code).toBe('WX_DATA_INVALID');
    expect(multiple.message).toBe('encryptedData must decode to a non-zero multiple of 16 bytes');
    expect(
      decodeBase64Field('encryptedData', Buffer.alloc(32).toString('base64'), { multipleOf: 16 }),
    ).toHaveLength(32);
  });
});
