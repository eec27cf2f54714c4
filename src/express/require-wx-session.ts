// requireWxSession(): the route guard. Verifies the token with the wxLogin() that issued it (of
// those the request passed through), loads its session, sets req.wxUser; answers 401/503 itself.

import type { RequestHandler } from 'express';
import type { WxSessionUser } from '../core/wx-user.js';
import { booleanOption, omitUndefined, stringOption } from '../options-toolkit.js';
import { noLoginOnRequest } from './misconfigured.js';
import { loginsOf } from './request-context.js';
import { DEFAULT_RESPONDER } from './responder.js';
import { takeResponseOptions, type WxResponseOptions } from './response-options.js';
import { type GuardPolicy, guardRequest } from './session-guard.js';

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

/**
 * The guard's options. Its response options (`shapeBody`, `errorStatus`, `errors`, `locale`,
 * `messages`) default to those of the request's wxLogin() and are laid over them.
 */
export interface RequireWxSessionOptions extends WxResponseOptions {
  /** Let requests without any token (no Authorization header, no wxOAuth() token cookie) through, without `req.wxUser`. A bad token is still 401. Defaults to `false`. */
  optional?: boolean;
  /**
   * Accept only sessions of this app (`req.wxUser.appId`: a mini program's, or the official
   * account's or website app's of a wxOAuth() login); others get 401 `WX_TOKEN_INVALID`.
   * Defaults to any app whose wxLogin() the request passed through.
   */
  appId?: string;
}

/**
 * The validated policy of a guard's options.
 *
 * @example
 * parseGuardOptions({ appId: 'wxA' }); // { optional: false, appId: 'wxA' }
 */
export function parseGuardOptions(input: RequireWxSessionOptions): GuardPolicy {
  const { settings, others: options } = takeResponseOptions(omitUndefined(input));
  // Any app unless set, so no default: the fallback below is never used.
  const appId = options.appId === undefined ? undefined : stringOption(options, 'appId', '');
  const response = Object.keys(settings).length > 0 ? settings : undefined;
  return { optional: booleanOption(options, 'optional', false), appId, response };
}

/**
 * Protects a route: only requests with a valid token of a live session reach it.
 *
 * @example
 * app.get('/me', requireWxSession(), (req, res) => res.json(req.wxUser));
 * app.get('/feed', requireWxSession({ optional: true }), (req, res) => res.json(feedFor(req.wxUser?.openid)));
 * app.get('/shop/orders', requireWxSession({ appId: SHOP_APP_ID }), listOrders); // one mini program of several
 */
export function requireWxSession(options: RequireWxSessionOptions = {}): RequestHandler {
  const policy = parseGuardOptions(options);
  return (req, res, next) => {
    const logins = loginsOf(req);
    if (logins.length === 0) {
      DEFAULT_RESPONDER.with(policy.response ?? {}).fail(req, res, next, noLoginOnRequest(req));
      return;
    }
    guardRequest(req, res, next, logins, policy, logins[0]!.responder);
  };
}
