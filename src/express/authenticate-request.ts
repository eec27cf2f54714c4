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
/** The request's token: from the Authorization header, else wxOAuth()'s cookie. Throws on a malformed one. */
export function requestToken(req: Request, auth: WxAuth): string | undefined {
  return readBearerToken(req) ?? readTokenCookie(req, auth);
}

/** The error for a request that carries no token at all. */
export function tokenMissing(): WxLoginError {
  return new WxLoginError('WX_TOKEN_MISSING', 'send "Authorization: Bearer <token>" from POST /wx/login');
}

export async function authenticateRequest(
  auth: WxAuth,
  req: Request,
  optional: boolean,
): Promise<WxUser | undefined> {
  const token = requestToken(req, auth);
  if (token === undefined) {
    if (optional) return undefined;
    throw tokenMissing();
  }
  return auth.authenticate(token);
}
