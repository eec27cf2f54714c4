// How a request carries the WxAuth service from wxLogin() to requireWxSession(), without any
// enumerable property that could be serialized.

import type { Request } from 'express';
import type { WxAuth } from '../core/wx-auth.js';

const AUTH = Symbol.for('express-wx-login.auth');

type WithAuth = Request & { [AUTH]?: WxAuth };

/** Marks the request as served by `auth` (non-enumerable, so nothing serializes it). */
export function attachAuth(req: Request, auth: WxAuth): void {
  Object.defineProperty(req, AUTH, { value: auth, enumerable: false, configurable: true, writable: true });
}

/** The WxAuth that `wxLogin()` attached, if the request passed through it. */
export function authOf(req: Request): WxAuth | undefined {
  return (req as WithAuth)[AUTH];
}
