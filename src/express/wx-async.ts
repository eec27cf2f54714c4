// wxAsync(): an async route that is safe on Express 4 too. Express 5 passes a rejected promise of a
// handler to next(err); Express 4 ignores it, and the rejection crashes the process.

import type { NextFunction, Request, Response } from 'express';

/**
 * Wraps an async route handler so that what it throws or rejects with goes to `next(err)`, on
 * Express 4 as on Express 5, where `wxErrorHandler()` (or your error handler) answers it: for
 * example the 400 `WX_SESSION_KEY_STALE` of `req.wxUser.decrypt()`. Without it, an async route
 * that throws on Express 4 leaves the request hanging and the rejection unhandled, which ends the
 * Node process.
 *
 * @example
 * app.post('/werun', requireWxSession(), wxAsync(async (req, res) => {
 *   const data = await req.wxUser!.decrypt(req.body.encryptedData, req.body.iv);
 *   res.json({ steps: data.stepInfoList });
 * }));
 * app.use(wxErrorHandler());
 */
export function wxAsync<Req extends Request = Request, Res extends Response = Response>(
  handler: (req: Req, res: Res, next: NextFunction) => unknown,
): (req: Req, res: Res, next: NextFunction) => void {
  return (req, res, next) => {
    let result: unknown;
    try {
      result = handler(req, res, next);
    } catch (err) {
      next(err);
      return;
    }
    if (isThenable(result)) {
      // As Express 5 does: a promise rejected with nothing still becomes an error.
      result.then(undefined, (err: unknown) => next(err ?? new Error('Rejected promise')));
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
