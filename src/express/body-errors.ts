// What a failed request turns into before it is answered or passed on: always a WxLoginError.
// body-parser's errors (bad JSON, too large, a bad Content-Encoding) are the client's: 4xx.

import { isWxLoginError, WxLoginError } from '../errors.js';

/**
 * The WxLoginError for an error of body-parser (ours in json-body.ts, or the app's own
 * `express.json()`), `undefined` for any other error. body-parser marks its errors with a `type`,
 * except a body that is not compressed as its `Content-Encoding` says: that is zlib's (or
 * brotli's) error, given status 400 (and `expose`) by body-parser, with zlib's `errno`.
 *
 * @example
 * fromBodyParserError(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 })); // WX_BODY_TOO_LARGE
 */
export function fromBodyParserError(err: unknown): WxLoginError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status, statusCode, expose, errno } = err as Record<string, unknown>;
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || code < 400 || code > 499) return undefined;
  const decompression = expose === true && typeof errno === 'number';
  if (typeof type !== 'string' && !decompression) return undefined;
  if (type === 'entity.too.large' || code === 413) {
    return new WxLoginError('WX_BODY_TOO_LARGE', 'the request body is too large');
  }
  if (code === 415) {
    return new WxLoginError(
      'WX_UNSUPPORTED_MEDIA_TYPE',
      type === 'charset.unsupported'
        ? 'the charset of the request body is not supported; send UTF-8'
        : 'the Content-Encoding of the request body is not supported; send gzip, deflate, br or none',
    );
  }
  if (type === 'entity.parse.failed') {
    return new WxLoginError('WX_INVALID_REQUEST', 'the request body is not valid JSON');
  }
  if (decompression) {
    return new WxLoginError(
      'WX_INVALID_REQUEST',
      'the request body is not compressed as its Content-Encoding says',
    );
  }
  return new WxLoginError('WX_INVALID_REQUEST', 'the request body could not be read');
}

/**
 * `err` as the WxLoginError it is answered as: itself, a body-parser error translated, or a 500
 * `WX_INTERNAL_ERROR` (generic message) that keeps the original as `cause` for the log.
 *
 * @example
 * next(asWxLoginError(err)); // the app's error handler always sees status, code, expose
 */
export function asWxLoginError(err: unknown): WxLoginError {
  if (isWxLoginError(err)) return err;
  return fromBodyParserError(err) ?? new WxLoginError('WX_INTERNAL_ERROR', 'internal error', { cause: err });
}
