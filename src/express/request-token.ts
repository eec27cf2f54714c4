// Which token a request carries and which wxLogin() issued it: the Authorization header, else the
// token cookie a wxOAuth() delivers; with several wxLogin()s, the one named by the token's `aud`.

import type { Request } from 'express';
import { WxLoginError } from '../errors.js';
import { readBearerToken } from './bearer.js';
import type { MountedLogin } from './mounted-login.js';
import { readTokenCookie } from './token-cookie.js';

/**
 * The request's token, `undefined` when it carries none. Throws WX_TOKEN_INVALID for a
 * malformed header or cookie.
 *
 * @example
 * const token = requestToken(req, loginsOf(req));
 */
export function requestToken(req: Request, logins: readonly MountedLogin[]): string | undefined {
  const bearer = readBearerToken(req);
  if (bearer !== undefined) return bearer;
  for (const login of logins) {
    const token = readTokenCookie(req, login.auth);
    if (token !== undefined) return token;
  }
  return undefined;
}

/**
 * The wxLogin() whose tokens `token` claims to be of (its `aud`). The claim only picks which
 * service verifies the token; that service checks the signature and the audience itself.
 *
 * @example
 * const login = loginForToken(token, logins); // undefined: no mounted app issued it
 */
export function loginForToken(token: string, logins: readonly MountedLogin[]): MountedLogin | undefined {
  if (logins.length === 1) return logins[0];
  const audience = audienceOf(token);
  return logins.find((login) => login.port.appId === audience);
}

/**
 * The error for a request that carries no token at all.
 *
 * @example
 * throw tokenMissing();
 */
export function tokenMissing(): WxLoginError {
  return new WxLoginError('WX_TOKEN_MISSING', 'send "Authorization: Bearer <token>" from POST /wx/login');
}

/** The unverified `aud` claim of a JWT, or `undefined`. */
function audienceOf(token: string): string | undefined {
  const start = token.indexOf('.');
  const end = token.indexOf('.', start + 1);
  if (start < 0 || end < 0) return undefined;
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(token.slice(start + 1, end), 'base64url').toString('utf8'),
    );
    const aud = (payload as { aud?: unknown } | null)?.aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}
