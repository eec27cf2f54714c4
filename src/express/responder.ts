// How one wxLogin() writes its answers: a success body, or an error, in the package's JSON by
// default. The one seam through which every answer of the Express layer goes.

import type { NextFunction, Request, Response } from 'express';
import type { WxLogger } from '../logger.js';
import { sendError } from './error-handler.js';

/**
 * Writes the answers of one wxLogin() (its routes and its guards).
 *
 * @example
 * const responder = new Responder(logger);
 * responder.ok(req, res, 200, result);
 * responder.fail(req, res, next, err);
 */
export class Responder {
  readonly logger: WxLogger | undefined;

  constructor(logger: WxLogger | undefined) {
    this.logger = logger;
  }

  /** A successful answer with a JSON body. */
  ok(_req: Request, res: Response, status: number, body: object): void {
    res.status(status).json(body);
  }

  /** An error: answered as `{ error: { code, message } }` with its status. */
  fail(_req: Request, res: Response, _next: NextFunction, err: unknown): void {
    sendError(res, err, this.logger);
  }
}

/** The responder of requests that reached no wxLogin() at all (a misconfigured guard). */
export const DEFAULT_RESPONDER = new Responder(undefined);
