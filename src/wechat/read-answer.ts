// Reading one attempt's HTTP answer from WeChat: a body to return, a transient fault to retry, or
// an error to throw at once (mapped through the errcode table, logged, scrubbed of secrets).

import { WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { configHint, errorFromWeChat, parseErrcode, wechatErrorInfo } from './errcode.js';
import { parseJsonObject } from './network-errors.js';
import type { WeChatBody, WeChatRequest } from './request-types.js';

/**
 * Why an attempt failed in a way worth retrying. Never holds a URL (URLs carry `secret=`).
 *
 * @example
 * return new TransientFault('HTTP 502', true);
 */
export class TransientFault {
  /** `ambiguous`: the request may have reached WeChat and been acted on (timeout, reset, 5xx, cut body). */
  constructor(
    readonly reason: string,
    readonly ambiguous: boolean,
  ) {}
}

/**
 * The outcome of an answer with HTTP `status` and body `text`: the body (errcode absent or 0), a
 * `TransientFault` (5xx, an unreadable body, errcode -1), or a thrown WxLoginError (407 from our
 * proxy, another 3xx/4xx, any other errcode).
 *
 * @example
 * const outcome = readAnswer(request, response.status, response.data, { logger, secrets: [appSecret] });
 */
export function readAnswer(
  request: WeChatRequest,
  status: number,
  text: string,
  settings: { logger?: WxLogger | undefined; secrets: readonly string[] },
): WeChatBody | TransientFault {
  const { logger } = settings;
  if (status >= 500) return new TransientFault(`HTTP ${status}`, true);
  if (status === 407) {
    // Our forward proxy, not WeChat, refused: its credentials (the `proxy` option) are wrong.
    log(
      logger,
      'error',
      { api: request.name, status, setting: 'proxy', code: 'WX_CONFIG_REJECTED' },
      'the outbound proxy refused our credentials (HTTP 407): check the proxy option',
    );
    throw new WxLoginError('WX_CONFIG_REJECTED', 'the server is misconfigured for WeChat');
  }
  const body = parseJsonObject(text);
  if (status >= 300) {
    throw new WxLoginError('WX_UPSTREAM_ERROR', `WeChat answered HTTP ${status}`);
  }
  if (body === undefined) return new TransientFault('unreadable body', true);
  const errcode = parseErrcode(body.errcode);
  if (errcode === undefined) return body;
  const info = wechatErrorInfo(errcode, scrub(String(body.errmsg ?? ''), settings.secrets));
  // -1 is WeChat saying it did not do the work: retrying it is safe, and not ambiguous.
  if (errcode === -1) return new TransientFault(`errcode -1${info.rid ? ` (rid ${info.rid})` : ''}`, false);
  const error = errorFromWeChat(request.kind, info);
  const hint =
    error.code === 'WX_CONFIG_REJECTED' ? configHint(request.kind, errcode, info.errmsg) : undefined;
  log(
    logger,
    error.status >= 500 ? 'error' : 'info',
    {
      api: request.name,
      errcode: info.errcode,
      errmsg: info.errmsg,
      rid: info.rid,
      code: error.code,
      ...(hint === undefined ? {} : { setting: hint.setting, hint: hint.hint, egressIp: hint.egressIp }),
    },
    hint === undefined ? 'WeChat refused the call' : `WeChat refused our configuration: ${hint.hint}`,
  );
  throw error;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out;
}
