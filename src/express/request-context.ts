// How a request carries the WxAuth service from wxLogin() to requireWxSession(), and how
// req.wxUser is typed for apps (declaration merging on Express's Request).

import type { Request } from 'express';
import type { WxAuth } from '../core/wx-auth.js';
import type { WxUser } from '../core/wx-user.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by `requireWxSession()`: the authenticated WeChat user. Never holds the session_key. */
      wxUser?: WxUser;
    }
  }
}

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
