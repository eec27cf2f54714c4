// The signature that /wxa/checksession and /wxa/resetusersessionkey require: lowercase hex
// HMAC-SHA256 keyed with the session_key text (not its decoded bytes), over the body or ''.

import { createHmac } from 'node:crypto';
import { WxLoginError } from '../errors.js';

/**
 * Signs `message` (default `''`, what the GET endpoints sign) with the session_key, as WeChat's
 * session-key endpoints expect: `hmac_sha256(key = session_key as UTF-8 text, message)`, hex.
 * Throws `WX_DATA_INVALID` for an empty or non-string session key or a non-string message.
 *
 * @example
 * sessionKeySignature('o0q0otL8aEzpcZL/FT9WsQ==', '{"foo":"bar"}');
 * // '654571f79995b2ce1e149e53c0a33dc39c0a74090db514261454e8dbe432aa0b'
 */
export function sessionKeySignature(sessionKey: string, message = ''): string {
  if (typeof sessionKey !== 'string' || sessionKey.length === 0) {
    throw new WxLoginError('WX_DATA_INVALID', 'sessionKey must be a non-empty string');
  }
  if (typeof message !== 'string') {
    throw new WxLoginError('WX_DATA_INVALID', 'message must be a string');
  }
  // The key is the base64 text itself: decoding it first is the classic mistake (field pitfall 10).
  return createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update(message, 'utf8').digest('hex');
}
