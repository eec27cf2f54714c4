// Reads the bearer token of a request, strictly by RFC 6750: exactly one Authorization header,
// scheme "Bearer" in any case, one b64token. Anything else is refused, never guessed at.

import type { IncomingMessage } from 'node:http';
import { WxLoginError } from '../errors.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token, `undefined` when there is no Authorization header, or a WX_TOKEN_* error.
 *
 * @example
 * readBearerToken(req); // 'eyJhbGciOi...' for "Authorization: Bearer eyJhbGciOi..."
 */
export function readBearerToken(req: IncomingMessage): string | undefined {
  // Node keeps only the first of several Authorization headers in req.headers: count the raw ones.
  let count = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.length === 13 && raw[i]?.toLowerCase() === 'authorization') count++;
  }
  if (count === 0) return undefined;
  if (count > 1) throw new WxLoginError('WX_TOKEN_INVALID', 'send exactly one Authorization header');
  const header = req.headers.authorization ?? '';
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new WxLoginError('WX_TOKEN_INVALID', 'the Authorization header must be "Bearer <token>"');
  }
  return match[1];
}
