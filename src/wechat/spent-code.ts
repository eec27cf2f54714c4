// A single-use code refused as used or invalid after an attempt that got no answer: that attempt
// most likely reached WeChat and used the code, so the client is not at fault.

import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { CODE_SPENT } from './errcode.js';
import type { WeChatRequest } from './request-types.js';

const SPENT_ADVICE = {
  login: 'call wx.login() for a new code and log in again',
  phone: 'ask the user for the phone number again (a new getPhoneNumber code)',
  oauth: 'log in again',
} as const;

/**
 * The error to throw for `err`, raised by attempt `attempt` after an earlier one got no answer:
 * a WX_UPSTREAM_ERROR telling the user what to do again when `err` refuses the request's code as
 * spent, else `err` as is.
 *
 * @example
 * throw ambiguous ? spentCodeError(request, err, attempt, logger) : err;
 */
export function spentCodeError(
  request: WeChatRequest,
  err: unknown,
  attempt: number,
  logger: WxLogger | undefined,
): unknown {
  const kind = request.redeemsCode;
  if (!kind || !isWxLoginError(err) || err.errcode === undefined || !CODE_SPENT.has(err.errcode)) return err;
  log(
    logger,
    'warn',
    { api: request.name, attempt, errcode: err.errcode, rid: err.rid },
    'WeChat refused a retried code that an unanswered earlier attempt probably used',
  );
  return new WxLoginError(
    'WX_UPSTREAM_ERROR',
    `WeChat did not answer in time and has probably used the code; ${SPENT_ADVICE[kind]}`,
    { wechat: { errcode: err.errcode, errmsg: '', ...(err.rid === undefined ? {} : { rid: err.rid }) } },
  );
}
