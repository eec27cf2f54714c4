// Strict base64 decoding for the open-data fields (session_key, iv, encryptedData): validates before
// decoding, because Buffer.from(value, 'base64') silently drops whatever it does not understand.

import { WxLoginError } from '../errors.js';

/** Standard alphabet, whole quads, padding only where the length needs it. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Length constraints on the decoded bytes. */
export interface DecodeBase64Options {
  /** The decoded value must be exactly this many bytes. */
  byteLength?: number;
  /** The decoded value must be a non-zero multiple of this many bytes. */
  multipleOf?: number;
}

/**
 * Decodes one base64 field of a request, or throws `WX_DATA_INVALID` naming the field. Internal
 * to `src/crypto`. Error messages name the field and never hold its value: these fields are
 * key material or ciphertext.
 *
 * @example
 * const key = decodeBase64Field('sessionKey', sessionKey, { byteLength: 16 });
 * const data = decodeBase64Field('encryptedData', encryptedData, { multipleOf: 16 });
 */
export function decodeBase64Field(name: string, value: unknown, options: DecodeBase64Options = {}): Buffer {
  if (typeof value !== 'string' || value.length === 0) {
    throw new WxLoginError('WX_DATA_INVALID', `${name} must be a non-empty base64 string`);
  }
  // Base64 never holds a space, but URL and form encoding turn '+' into one (field pitfall 2).
  const restored = value.replaceAll(' ', '+');
  if (!STRICT_BASE64.test(restored)) {
    throw new WxLoginError('WX_DATA_INVALID', `${name} is not valid base64`);
  }
  const bytes = Buffer.from(restored, 'base64');
  if (options.byteLength !== undefined && bytes.length !== options.byteLength) {
    throw new WxLoginError('WX_DATA_INVALID', `${name} must decode to ${options.byteLength} bytes`);
  }
  if (options.multipleOf !== undefined && (bytes.length === 0 || bytes.length % options.multipleOf !== 0)) {
    throw new WxLoginError(
      'WX_DATA_INVALID',
      `${name} must decode to a non-zero multiple of ${options.multipleOf} bytes`,
    );
  }
  return bytes;
}
