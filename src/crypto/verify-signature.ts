// Checks the `signature` that wx.getUserInfo and friends send next to `rawData`:
// lowercase hex sha1(rawData + session_key), compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import { WxLoginError } from '../errors.js';

/** What `verifySignature()` needs. */
export interface VerifySignatureInput {
  /** `rawData` exactly as the mini program sent it. */
  rawData: string;
  /** `signature` from the mini program, 40 hex digits. */
  signature: string;
  /** The user's session_key, as text. */
  sessionKey: string;
}

const SHA1_HEX = /^[0-9a-f]{40}$/;

/**
 * True when `signature` is sha1(rawData + sessionKey) in hex (either case). A wrong, malformed or
 * wrong-length signature is `false`; only arguments of the wrong type throw `WX_DATA_INVALID`.
 *
 * @example
 * if (!verifySignature({ rawData, signature, sessionKey })) {
 *   throw new WxLoginError('WX_SIGNATURE_MISMATCH', 'rawData does not match its signature');
 * }
 */
export function verifySignature(input: VerifySignatureInput): boolean {
  if (typeof input !== 'object' || input === null) {
    throw new WxLoginError('WX_DATA_INVALID', 'verifySignature() needs an object argument');
  }
  const { rawData, signature, sessionKey } = input;
  if (typeof rawData !== 'string' || rawData.length === 0) {
    throw new WxLoginError('WX_DATA_INVALID', 'rawData must be a non-empty string');
  }
  if (typeof sessionKey !== 'string' || sessionKey.length === 0) {
    throw new WxLoginError('WX_DATA_INVALID', 'sessionKey must be a non-empty string');
  }
  if (typeof signature !== 'string') {
    throw new WxLoginError('WX_DATA_INVALID', 'signature must be a string');
  }
  const given = signature.toLowerCase();
  if (!SHA1_HEX.test(given)) return false;
  const expected = createHash('sha1')
    .update(rawData + sessionKey, 'utf8')
    .digest();
  // Both are 20 bytes here, which timingSafeEqual requires.
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}
