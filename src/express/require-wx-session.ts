// requireWxSession(): the route guard. Verifies the bearer token, loads its session, sets
// req.wxUser; answers 401 (and 503 when the store is down) itself in the package's JSON format.

import type { RequestHandler } from 'express';
import type { WxSessionUser } from '../core/wx-user.js';
import { WxLoginError } from '../errors.js';
import { requestToken, tokenMissing } from './authenticate-request.js';
import { sendError } from './error-handler.js';
import { authOf } from './request-context.js';

// req.wxUser, typed for apps by declaration merging on Express's Request. It lives here, in the
// file that sets it, so that the published .d.ts carries it.
declare global {
  namespace Express {
    interface Request {
      /** Set by `requireWxSession()`: the authenticated WeChat user. Never holds the session_key. */
      wxUser?: WxSessionUser;
    }
  }
}

export interface RequireWxSessionOptions {
  /** Let requests without any token (no Authorization header, no wxOAuth() token cookie) through, without `req.wxUser`. A bad token is still 401. Defaults to `false`. */
  optional?: boolean;
}

/**
 * Protects a route: only requests with a valid token of a live session reach it.
 *
 * @example
 * app.get('/me', requireWxSession(), (req, res) => res.json(req.wxUser));
 * app.get('/feed', requireWxSession({ optional: true }), (req, res) => res.json(feedFor(req.wxUser?.openid)));
 */
export function requireWxSession(options: RequireWxSessionOptions = {}): RequestHandler {
  const optional = options.optional === true;
  return (req, res, next) => {
    const auth = authOf(req);
    if (!auth) {
      sendError(
        res,
        new WxLoginError('WX_MISCONFIGURED', 'requireWxSession() needs app.use(wxLogin(options)) before it'),
      );
      return;
    }
    let token: string | undefined;
    try {
      token = requestToken(req, auth);
    } catch (err) {
      sendError(res, err, auth.config.logger);
      return;
    }
    if (token === undefined) {
      if (optional) next();
      else sendError(res, tokenMissing());
      return;
    }
    // Most requests carry a token verified moments ago: no promise, no store round trip.
    const cached = auth.authenticateCached(token);
    if (cached) {
      req.wxUser = cached;
      next();
      return;
    }
    auth.authenticate(token).then(
      (user) => {
        req.wxUser = user;
        next();
      },
      (err: unknown) => sendError(res, err, auth.config.logger),
    );
  };
}
