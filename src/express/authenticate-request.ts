// Authenticates one Express request: the bearer token, then the session behind it.
// Shared by requireWxSession() and the package's own token-protected routes.

import type { Request } from 'express';
import type { WxAuth } from '../core/wx-auth.js';
import type { WxUser } from '../core/wx-user.js';
import { WxLoginError } from '../errors.js';
import { readBearerToken } from './bearer.js';
import { readTokenCookie } from './token-cookie.js';

/**
 * The request's user; `undefined` only when `optional` and no token was sent. The token is the
 * Authorization header's or, when there is none and a wxOAuth() delivers cookies, the token cookie's.
 * Throws WX_TOKEN_MISSING, WX_TOKEN_INVALID, WX_TOKEN_EXPIRED, WX_SESSION_REVOKED or WX_STORE_UNAVAILABLE.
 *
 * @example
 * const user = await authenticateRequest(auth, req, false);
 */
export async function authenticateRequest(
  auth: WxAuth,
  req: Request,
  optional: boolean,
): Promise<WxUser | undefined> {
  const token = readBearerToken(req) ?? readTokenCookie(req, auth);
  if (token === undefined) {
    if (optional) return undefined;
    throw new WxLoginError('WX_TOKEN_MISSING', 'send "Authorization: Bearer <token>" from POST /wx/login');
  }
  return auth.authenticate(token);
}
