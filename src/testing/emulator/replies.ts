// The answers the emulator sends: WeChat's JSON success and error bodies (an errmsg ending in a rid,
// HTTP 200 as WeChat does), the plain text or HTML that a broken upstream sends instead, and how
// one is written to the wire.

import type { ServerResponse } from 'node:http';
import { newRid } from './ids.js';

/** One HTTP answer, ready to send. */
export interface Reply {
  status: number;
  contentType: string;
  body: string;
  /** The errcode in the body, for the call log. */
  errcode?: number;
  /** More headers, such as `Location` for the OAuth pages' redirects. */
  headers?: Record<string, string>;
}

const JSON_TYPE = 'application/json; encoding=utf-8';

/** WeChat's errmsg for each errcode the emulator produces itself or is commonly given as a fault. */
const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40030: 'invalid refresh_token',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist',
  40226: 'code blocked',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  42003: 'code expired',
  43002: 'require POST method',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  47001: 'data format error',
  48001: 'api unauthorized',
  50001: 'user unauthorized',
  87008: 'invalid sig_method',
  87009: 'invalid signature',
};

/**
 * A WeChat success body, with HTTP 200.
 *
 * @example
 * ok({ errcode: 0, errmsg: 'ok' });
 */
export function ok(body: Record<string, unknown>): Reply {
  const errcode = typeof body.errcode === 'number' ? body.errcode : undefined;
  return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(body), errcode };
}

/**
 * A WeChat error body, with HTTP 200: `{"errcode":N,"errmsg":"<message> rid: <rid>"}`. The message
 * defaults to WeChat's own for that errcode; a rid is appended unless the message has one.
 *
 * @example
 * wxError(40029); // {"errcode":40029,"errmsg":"invalid code rid: 652d44d0-1d0af18b-5b069232"}
 */
export function wxError(errcode: number, message?: string, errcodeAsString = false): Reply {
  const text = message ?? ERRMSG[errcode] ?? 'emulated error';
  const errmsg = text.includes('rid:') ? text : `${text} rid: ${newRid()}`;
  const body = JSON.stringify({ errcode: errcodeAsString ? String(errcode) : errcode, errmsg });
  return { status: 200, contentType: JSON_TYPE, body, errcode };
}

/**
 * A non-JSON answer, as a proxy or an error page sends it.
 *
 * @example
 * text(404, 'not found');
 */
export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): Reply {
  return { status, contentType, body };
}

/**
 * An HTML error page, as a gateway in front of WeChat would send it.
 *
 * @example
 * htmlPage(502);
 */
export function htmlPage(status: number): Reply {
  const title = `${status} ${status === 200 ? 'OK' : 'Error'}`;
  return text(
    status,
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    'text/html',
  );
}

/**
 * A 302 to `location`, as WeChat's OAuth pages send the browser back to the site.
 *
 * @example
 * redirectTo('https://example.com/cb?code=CODE&state=STATE');
 */
export function redirectTo(location: string): Reply {
  return { status: 302, contentType: 'text/html; charset=utf-8', body: '', headers: { Location: location } };
}

/**
 * A JSON content type with a body cut in the middle.
 *
 * @example
 * truncatedJson('{"session_key":"tiihtNczf5v6AKRy');
 */
export function truncatedJson(body: string): Reply {
  return { status: 200, contentType: JSON_TYPE, body };
}

/**
 * Writes a reply, unless the caller has already gone.
 *
 * @example
 * sendReply(res, wxError(40029));
 */
export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, {
    ...reply.headers,
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
  });
  res.end(reply.body);
}
