// The web OAuth server APIs: /sns/oauth2/access_token (code -> user access_token, openid,
// unionid), /sns/oauth2/refresh_token, /sns/userinfo (the profile) and /sns/auth (token check).

import { checkCredentials, type EndpointHandler } from '../endpoint.js';
import { ok, type Reply, wxError } from '../replies.js';

/** Where the made-up profile lives, in the language asked for. */
const PLACES: Readonly<Record<string, { province: string; city: string; country: string }>> = {
  zh_CN: { province: '广东', city: '广州', country: '中国' },
  zh_TW: { province: '廣東', city: '廣州', country: '中國' },
  en: { province: 'Guangdong', city: 'Guangzhou', country: 'China' },
};

/**
 * `GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`: the credential
 * errors, 41008 no code, 40029 unknown, other app's or expired code, 40163 used. The unionid
 * comes only with `snsapi_userinfo`/`snsapi_login`, and only for a user who has one.
 *
 * @example
 * oauthAccessToken({ method: 'GET', query, rawQuery: '', rawBody: '' }, ctx);
 */
export const oauthAccessToken: EndpointHandler = (req, ctx) => plainText(exchange(req, ctx));

/** WeChat answers this endpoint as `text/plain` (JSON inside); clients must not rely on the type. */
function plainText(reply: Reply): Reply {
  return { ...reply, contentType: 'text/plain' };
}

const exchange: EndpointHandler = (req, ctx) => {
  const refused = checkCredentials(ctx, req.query, 'authorization_code');
  if (refused) return refused;
  const appId = req.query.appid!;
  if (!req.query.code) return wxError(41008);
  const redeemed = ctx.oauth.codes.redeem(appId, req.query.code);
  if (!redeemed.ok) return wxError(redeemed.errcode);
  const { openid, scope, snapshotUnionid } = redeemed.value;
  if (snapshotUnionid !== undefined) {
    // Snapshot mode: a virtual user, flagged; its token gets 48001 from /sns/userinfo.
    return ok({
      ...ctx.oauth.tokens.issue({ appId, openid, scope, snapshot: true }),
      is_snapshotuser: 1,
      unionid: snapshotUnionid,
    });
  }
  const unionid = scope === 'snsapi_base' ? undefined : ctx.state.findUser(openid, appId)?.unionid;
  return ok({
    ...ctx.oauth.tokens.issue({ appId, openid, scope }),
    ...(unionid === undefined ? {} : { unionid }),
  });
};

/**
 * `GET /sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token` (no secret, as
 * WeChat documents): 41002, 40013, 40002, 40030 unknown refresh_token, 42002 expired (30 days).
 * An unexpired access_token comes back unchanged with a new `expires_in`; an expired one is replaced.
 *
 * @example
 * oauthRefreshToken({ method: 'GET', query, rawQuery: '', rawBody: '' }, ctx);
 */
export const oauthRefreshToken: EndpointHandler = (req, ctx) => {
  const { appid, grant_type, refresh_token } = req.query;
  if (!appid) return wxError(41002);
  if (ctx.state.secretOf(appid) === undefined) return wxError(40013);
  if (grant_type !== 'refresh_token') return wxError(40002);
  const checked = ctx.oauth.tokens.checkRefreshToken(appid, refresh_token);
  if (!checked.ok) return wxError(checked.errcode);
  return ok(ctx.oauth.tokens.refresh(refresh_token!, checked.value));
};

/**
 * `GET /sns/userinfo?access_token&openid&lang`: 41001, 40014, 42001, 40003 another user's token,
 * 48001 a token of `snsapi_base` or of a snapshot-mode (virtual) user.
 *
 * @example
 * userInfo({ method: 'GET', query: { access_token, openid, lang: 'en' }, rawQuery: '', rawBody: '' }, ctx);
 */
export const userInfo: EndpointHandler = (req, ctx) => {
  const checked = ctx.oauth.tokens.checkAccessToken(req.query.access_token, req.query.openid);
  if (!checked.ok) return wxError(checked.errcode);
  const { appId, openid, scope, snapshot } = checked.value;
  if (scope === 'snsapi_base' || snapshot) return wxError(48001);
  const profile = ctx.oauth.person.profileOf(appId, openid);
  const unionid = ctx.state.findUser(openid, appId)?.unionid;
  return ok({
    openid,
    nickname: profile?.nickname ?? '微信用户',
    sex: profile?.sex ?? 0,
    ...(PLACES[req.query.lang ?? 'zh_CN'] ?? PLACES.zh_CN),
    headimgurl: profile?.headimgurl ?? '',
    privilege: [],
    ...(unionid === undefined ? {} : { unionid }),
  });
};

/**
 * `GET /sns/auth?access_token&openid`: `{"errcode":0,"errmsg":"ok"}` while the token is valid for
 * that user; 41001, 40014, 42001, 40003 otherwise.
 *
 * @example
 * snsAuth({ method: 'GET', query: { access_token, openid }, rawQuery: '', rawBody: '' }, ctx);
 */
export const snsAuth: EndpointHandler = (req, ctx) => {
  const checked = ctx.oauth.tokens.checkAccessToken(req.query.access_token, req.query.openid);
  return checked.ok ? ok({ errcode: 0, errmsg: 'ok' }) : wxError(checked.errcode);
};
