// The route guard's work, shared by requireWxSession() (which finds the wxLogin()s the request
// passed through) and wxLogin(...).guard() (bound to one): token, service, session, req.wxUser.

import type { NextFunction, Request, Response } from 'express';
import type { WxSessionUser } from '../core/wx-user.js';
import { CHANNELS, publish } from '../diagnostics.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import type { MountedLogin } from './mounted-login.js';
import { loginForToken, requestToken, tokenMissing } from './request-token.js';
import type { Responder } from './responder.js';
import type { ResponseSettings } from './response-options.js';

/** What a guard accepts. */
export interface GuardPolicy {
  /** Let requests without any token through, without `req.wxUser`. */
  optional: boolean;
  /** Accept only sessions of this app (`req.wxUser.appId`). */
  appId: string | undefined;
  /** The guard's own response options, laid over its wxLogin()'s. */
  response?: Partial<ResponseSettings>;
}

/**
 * Authenticates `req` against `logins` and calls `next()` with `req.wxUser` set, or answers the
 * error through `responder`. Synchronous (no promise) when the token and session were checked
 * within `sessionCacheMs`.
 *
 * @example
 * guardRequest(req, res, next, [login], { optional: false, appId: undefined }, login.responder);
 */
export function guardRequest(
  req: Request,
  res: Response,
  next: NextFunction,
  logins: readonly MountedLogin[],
  policy: GuardPolicy,
  base: Responder,
): void {
  const responder = policy.response ? base.with(policy.response) : base;
  let token: string | undefined;
  try {
    token = requestToken(req, logins);
  } catch (err) {
    refuse(req, res, next, responder, logins, err);
    return;
  }
  if (token === undefined) {
    if (policy.optional) next();
    else refuse(req, res, next, responder, logins, tokenMissing());
    return;
  }
  const login = loginForToken(token, logins);
  if (!login) {
    refuse(req, res, next, responder, logins, new WxLoginError('WX_TOKEN_INVALID', 'the token is invalid'));
    return;
  }
  // Most requests carry a token verified moments ago, or use a store that answers at once: no
  // promise, no store round trip.
  let outcome: WxSessionUser | Promise<WxSessionUser>;
  try {
    outcome = login.auth.authenticateCached(token, req) ?? login.auth.authenticateNow(token, req);
  } catch (err) {
    login.responder.fail(req, res, next, err);
    return;
  }
  if (outcome instanceof Promise) {
    outcome.then(
      (user) => admit(req, res, next, user, policy, login.responder),
      (err: unknown) => login.responder.fail(req, res, next, err),
    );
    return;
  }
  admit(req, res, next, outcome, policy, login.responder);
}

function admit(
  req: Request,
  res: Response,
  next: NextFunction,
  user: WxSessionUser,
  policy: GuardPolicy,
  responder: Responder,
): void {
  if (policy.appId !== undefined && user.appId !== policy.appId) {
    const error = new WxLoginError('WX_TOKEN_INVALID', 'the token belongs to another app');
    publish(CHANNELS.tokenRefused, () => ({ appId: policy.appId, code: error.code }));
    responder.fail(req, res, next, error);
    return;
  }
  // Express gives each request its app's prototype (Object.setPrototypeOf), after which V8 gives
  // each request a hidden class of its own: adding this property copies it (about 1.3 KB), and
  // every read of a request's property misses V8's inline caches. An accessor over a WeakMap
  // instead made young collections longer than what it saved (bench/README.md, "tried").
  req.wxUser = user;
  next();
}

/** Refuses before any service saw the token (none, malformed, of no mounted app): publishes it too. */
function refuse(
  req: Request,
  res: Response,
  next: NextFunction,
  responder: Responder,
  logins: readonly MountedLogin[],
  err: unknown,
): void {
  publish(CHANNELS.tokenRefused, () => ({
    appId: logins.length === 1 ? logins[0]?.port.appId : undefined,
    code: isWxLoginError(err) ? err.code : 'WX_INTERNAL_ERROR',
  }));
  responder.fail(req, res, next, err);
}
