// How one wxLogin() writes its answers: a success body, or an error, in the package's JSON by
// default, or shaped, localized, or handed to next(err) as the app's response options say.

import type { NextFunction, Request, Response } from 'express';
import { WxLoginError } from '../errors.js';
import type { WxLogger } from '../logger.js';
import { wxErrorMessage } from '../messages/index.js';
import { asWxLoginError } from './body-errors.js';
import { reportFailure } from './failure-report.js';
import {
  DEFAULT_RESPONSE_SETTINGS,
  mergeSettings,
  type ResponseSettings,
  type WxAnswer,
} from './response-options.js';

/**
 * Writes the answers of one wxLogin() (its routes and its guards). The one seam through which
 * every answer of the Express layer goes.
 *
 * @example
 * const responder = new Responder(logger, { ...DEFAULT_RESPONSE_SETTINGS, locale: 'zh-CN' });
 * responder.ok(req, res, 200, result);
 * responder.fail(req, res, next, err);
 */
export class Responder {
  readonly logger: WxLogger | undefined;
  readonly settings: ResponseSettings;

  constructor(logger: WxLogger | undefined, settings: ResponseSettings = DEFAULT_RESPONSE_SETTINGS) {
    this.logger = logger;
    this.settings = settings;
  }

  /**
   * This responder with some settings (a guard's own options) laid over its own.
   *
   * @example
   * const guardResponder = login.responder.with({ locale: 'zh-CN' });
   */
  with(settings: Partial<ResponseSettings>, logger: WxLogger | undefined = this.logger): Responder {
    if (Object.keys(settings).length === 0 && logger === this.logger) return this;
    return new Responder(logger, mergeSettings(this.settings, settings));
  }

  /** A successful answer: `body` as JSON (none for `undefined`), or as `shapeBody` shapes it. */
  ok(req: Request, res: Response, status: number, body: object | undefined): void {
    const shape = this.settings.shapeBody;
    if (!shape) {
      send(res, status, body);
      return;
    }
    let shaped: unknown;
    try {
      shaped = shape({ ok: true, status, data: body ?? null, req });
    } catch (err) {
      this.#shapeFailed(req, res, err);
      return;
    }
    // A 204 cannot carry a body: an app that wraps every answer gets its wrapper with a 200.
    send(res, status === 204 && shaped !== undefined ? 200 : status, shaped);
  }

  /** An error: answered (see `render`), or passed to `next` in `errors: 'next'` mode. */
  fail(req: Request, res: Response, next: NextFunction, err: unknown): void {
    const error = asWxLoginError(err);
    if (this.settings.errors === 'next') {
      next(error);
      return;
    }
    this.render(req, res, error);
  }

  /**
   * Answers an error whatever the `errors` mode (wxErrorHandler() is where errors end): its
   * status (or 200), `WWW-Authenticate` on a 401, the localized message, the shaped body. A 5xx
   * is reported once (logger, else stderr).
   */
  render(req: Request, res: Response, err: unknown): void {
    const error = asWxLoginError(err);
    if (res.headersSent) {
      if (error.status >= 500) reportFailure(this.logger, req, error);
      res.end();
      return;
    }
    const { shapeBody, errorStatus } = this.settings;
    let body: unknown = this.#defaultBody(error);
    if (shapeBody) {
      try {
        body = shapeBody(errorAnswer(req, error, this.#message(error)));
      } catch (shapeErr) {
        this.#shapeFailed(req, res, shapeErr);
        return;
      }
    }
    if (error.status >= 500) reportFailure(this.logger, req, error);
    const status = errorStatus === 200 ? 200 : error.status;
    if (status === 401) {
      const invalid = error.code === 'WX_TOKEN_MISSING' ? '' : ', error="invalid_token"';
      res.setHeader('WWW-Authenticate', `Bearer realm="express-wx-login"${invalid}`);
    }
    send(res, status, body);
  }

  /** The app's shapeBody threw: a 500 in the package's own JSON, reported like any 5xx. */
  #shapeFailed(req: Request, res: Response, err: unknown): void {
    const error = new WxLoginError('WX_INTERNAL_ERROR', 'internal error', {
      cause: new Error('the shapeBody option threw', { cause: err }),
    });
    reportFailure(this.logger, req, error);
    send(res, error.status, this.#defaultBody(error));
  }

  #message(error: WxLoginError): string {
    return wxErrorMessage(error, this.settings.locale, this.settings.messages);
  }

  #defaultBody(error: WxLoginError): { error: { code: string; message: string } } {
    return { error: { code: error.code, message: this.#message(error) } };
  }
}

function errorAnswer(req: Request, error: WxLoginError, message: string): WxAnswer {
  return { ok: false, status: error.status, code: error.code, message, error, req };
}

function send(res: Response, status: number, body: unknown): void {
  if (body === undefined) res.status(status).end();
  else res.status(status).json(body);
}

/** The responder of requests that reached no wxLogin() at all (a misconfigured guard). */
export const DEFAULT_RESPONDER = new Responder(undefined);
