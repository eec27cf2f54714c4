// Renders the package's errors as JSON `{ error: { code, message } }` with the right status, and
// body-parser errors (bad JSON, too large) in the same format. Never a stack, never a secret.

import type { ErrorRequestHandler, Response } from 'express';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';

/** body-parser's errors carry a `type`; they are the client's fault, never a 500. */
export function fromBodyParserError(err: unknown): WxLoginError | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return undefined;
  if (type === 'entity.too.large')
    return new WxLoginError('WX_BODY_TOO_LARGE', 'the request body is too large');
  if (type === 'entity.parse.failed')
    return new WxLoginError('WX_INVALID_REQUEST', 'the request body is not valid JSON');
  const status = (err as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new WxLoginError('WX_INVALID_REQUEST', 'the request body could not be read', { status });
  }
  return undefined;
}

/** Sends `err` as our JSON error. Unknown errors become a generic 500, logged, never shown. */
export function sendError(res: Response, err: unknown, logger?: WxLogger): void {
  const known = isWxLoginError(err) ? err : fromBodyParserError(err);
  const error = known ?? new WxLoginError('WX_INTERNAL_ERROR', 'internal error');
  if (!known) {
    log(
      logger,
      'error',
      { error: err instanceof Error ? `${err.name}: ${err.message}` : typeof err },
      'unexpected error',
    );
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  if (error.status === 401) {
    const invalid = error.code === 'WX_TOKEN_MISSING' ? '' : ', error="invalid_token"';
    res.setHeader('WWW-Authenticate', `Bearer realm="express-wx-login"${invalid}`);
  }
  res.status(error.status).json(error.toJSON());
}

/**
 * Renders WxLoginErrors (for example from `req.wxUser.decrypt()` in your routes) as the package's
 * JSON errors; passes every other error on. Mount it after your routes.
 *
 * @example
 * // wxAsync(): what an async route throws goes to next(err), on Express 4 as on 5.
 * app.post('/werun', requireWxSession(), wxAsync(async (req, res) => {
 *   res.json(await req.wxUser!.decrypt(req.body.encryptedData, req.body.iv));
 * }));
 * app.use(wxErrorHandler());
 */
export function wxErrorHandler(options: { logger?: WxLogger } = {}): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (!isWxLoginError(err)) {
      next(err);
      return;
    }
    sendError(res, err, options.logger);
  };
}
