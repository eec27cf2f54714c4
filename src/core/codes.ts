// The check every WeChat code (wx.login, getPhoneNumber) passes before WeChat is called: a
// malformed one is the client's mistake, answered 400 without spending a WeChat call.

import { CODE_PATTERN } from '../constants.js';
import { WxLoginError } from '../errors.js';

/**
 * `code` when it is 1-128 visible ASCII characters; else a WX_INVALID_REQUEST naming `field`.
 *
 * @example
 * const code = requireCode(req.body.code, 'code');
 */
export function requireCode(code: unknown, field: string): string {
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) {
    throw new WxLoginError(
      'WX_INVALID_REQUEST',
      `"${field}" must be a string of 1-128 visible ASCII characters`,
    );
  }
  return code;
}
