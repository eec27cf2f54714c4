// How a request carries the WxAuth service from wxLogin() to requireWxSession(), without any
// enumerable property that could be serialized.

import type { Request } from 'express';
import type { WxAuth } from '../core/wx-auth.js';

const AUTH = Symbol.for('express-wx-login.auth');

type Holder = { [AUTH]?: WxAuth };

/**
 * Marks the request as served by `auth`. It goes on `res.locals`, a fresh null-prototype object
 * per request: a new property on `req` itself changes its hidden class and slows every later
 * property lookup of Express and Node on it. Non-enumerable, so that nothing serializes it and
 * res.render() never hands it to a template.
 */
export function attachAuth(req: Request, auth: WxAuth): void {
  const holder = req.res?.locals ?? req;
  Object.defineProperty(holder, AUTH, { value: auth, enumerable: false, configurable: true, writable: true });
}

/** The WxAuth that `wxLogin()` attached, if the request passed through it. */
export function authOf(req: Request): WxAuth | undefined {
  return ((req.res?.locals as Holder | undefined) ?? (req as Holder))[AUTH];
}
