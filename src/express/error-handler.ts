// wxErrorHandler(): renders the WxLoginErrors that reach the app's error middleware (a failed
// req.wxUser.decrypt() in a route, or every error in `errors: 'next'` mode) as the package would.

import type { ErrorRequestHandler } from 'express';
import { isWxLoginError } from '../errors.js';
import type { WxLogger } from '../logger.js';
import { failOption, omitUndefined } from '../options-toolkit.js';
import { loginsOf } from './request-context.js';
import { DEFAULT_RESPONDER } from './responder.js';
import { parseResponseOptions, type WxResponseOptions } from './response-options.js';

/** Options of `wxErrorHandler()`: the response options of `wxLogin()` (but `errors`) and a logger. */
export interface WxErrorHandlerOptions extends Omit<WxResponseOptions, 'errors'> {
  /**
   * Where 5xx errors are reported. Defaults to the logger of the request's `wxLogin()`, else
   * stderr.
   */
  logger?: WxLogger;
}

/**
 * Renders WxLoginErrors (for example from `req.wxUser.decrypt()` in your routes) as the package's
 * answers; passes every other error on. Mount it after your routes. It answers as the request's
 * `wxLogin()` does (`shapeBody`, `errorStatus`, `locale`, `messages`, whatever its `errors`
 * mode), with its own options laid over those.
 *
 * @example
 * // wxAsync(): what an async route throws goes to next(err), on Express 4 as on 5.
 * app.post('/werun', requireWxSession(), wxAsync(async (req, res) => {
 *   res.json(await req.wxUser!.decrypt(req.body.encryptedData, req.body.iv));
 * }));
 * app.use(wxErrorHandler());
 */
export function wxErrorHandler(options: WxErrorHandlerOptions = {}): ErrorRequestHandler {
  const given = omitUndefined(options);
  // `errors` is not read: an error handler is where errors end.
  const own = parseResponseOptions({ ...given, errors: undefined });
  const logger = given.logger;
  if (logger !== undefined && (typeof logger !== 'object' || logger === null)) {
    failOption('logger', 'must be a pino-style logger object');
  }
  return (err, req, res, next) => {
    if (!isWxLoginError(err)) {
      next(err);
      return;
    }
    const base = loginsOf(req)[0]?.responder ?? DEFAULT_RESPONDER;
    base.with(own, logger ?? base.logger).render(req, res, err);
  };
}
