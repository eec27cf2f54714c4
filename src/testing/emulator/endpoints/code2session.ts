// GET /sns/jscode2session: a login code from wx.login() exchanged for the user's openid, unionid
// (only when the user has one) and current session_key. Needs appid and secret, no access_token.

import { checkCredentials, type EndpointHandler } from '../endpoint.js';
import { ok, wxError } from '../replies.js';

/**
 * Answers `{"session_key","openid"}` (+ `"unionid"`), or 41002/40013/41004/40125/40002, 41008 no
 * code, 40029 unknown, foreign or expired code, 40163 a code already used.
 *
 * @example
 * code2Session({ method: 'GET', query, rawBody: '' }, ctx);
 */
export const code2Session: EndpointHandler = (req, ctx) => {
  const refused = checkCredentials(ctx, req.query, 'authorization_code');
  if (refused) return refused;
  const code = req.query.js_code;
  if (!code) return wxError(41008);
  const redeemed = ctx.state.redeemLoginCode(req.query.appid!, code);
  if (!redeemed.ok) return wxError(redeemed.errcode, redeemed.errmsg);
  const user = redeemed.value;
  return ok({
    session_key: user.sessionKey,
    openid: user.openid,
    ...(user.unionid === undefined ? {} : { unionid: user.unionid }),
  });
};
