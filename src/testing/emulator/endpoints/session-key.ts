// GET /wxa/checksession and /wxa/resetusersessionkey: the server proves it holds the user's current
// session_key with hex hmac_sha256(key = the session_key text, message = the body, '' for GET).

import { createHmac, timingSafeEqual } from 'node:crypto';
import { authorize, type EmulatorRequest, type EndpointContext, type EndpointHandler } from '../endpoint.js';
import { ok, type Reply, wxError } from '../replies.js';
import type { EmulatedUser } from '../types.js';

/**
 * `{"errcode":0,"errmsg":"ok"}` when the signature is of the user's current key, else 87009; the
 * access_token errors, 87008 another sig_method, 40003 an openid the app does not have.
 *
 * @example
 * checkSession({ method: 'GET', query: { access_token, openid, signature, sig_method: 'hmac_sha256' }, rawBody: '' }, ctx);
 */
export const checkSession: EndpointHandler = (req, ctx) => {
  const verified = verify(req, ctx);
  return 'status' in verified ? verified : ok({ errcode: 0, errmsg: 'ok' });
};

/**
 * Like checkSession, then a new session_key replaces the current one, which stops working:
 * `{"errcode":0,"errmsg":"ok","openid","session_key"}`.
 *
 * @example
 * resetSessionKey({ method: 'GET', query, rawBody: '' }, ctx);
 */
export const resetSessionKey: EndpointHandler = (req, ctx) => {
  const verified = verify(req, ctx);
  if ('status' in verified) return verified;
  const sessionKey = ctx.state.rotateSessionKey(verified);
  return ok({ errcode: 0, errmsg: 'ok', openid: verified.openid, session_key: sessionKey });
};

function verify(req: EmulatorRequest, ctx: EndpointContext): EmulatedUser | Reply {
  const auth = authorize(ctx, req.query);
  if ('status' in auth) return auth;
  const { openid, signature, sig_method } = req.query;
  if (sig_method !== 'hmac_sha256') return wxError(87008);
  const user = openid ? ctx.state.findUser(openid, auth.appId) : undefined;
  if (!user) return wxError(40003);
  const message = req.method === 'POST' ? req.rawBody : '';
  const expected = createHmac('sha256', Buffer.from(user.sessionKey, 'utf8'))
    .update(message, 'utf8')
    .digest();
  const given = Buffer.from(signature ?? '', 'hex');
  // WeChat wants lowercase hex: Buffer.from(…, 'hex') alone would also take uppercase.
  const wellFormed = signature === given.toString('hex') && given.length === expected.length;
  if (!wellFormed || !timingSafeEqual(given, expected)) return wxError(87009);
  return user;
}
