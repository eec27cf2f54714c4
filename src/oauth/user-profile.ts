// The profile of a web login's user (snsapi_userinfo, snsapi_login), with one refresh of the
// user's access_token when WeChat refuses it as stale.

import { WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import type {
  OAuthGrant,
  OAuthUserTokens,
  WeChatOAuthClient,
  WeChatUserInfo,
} from '../wechat/oauth-client.js';

/** /sns/userinfo's answers for a user access_token that a refresh may revive. */
const USER_TOKEN_STALE = new Set([40001, 42001, 42003]);

/**
 * The profile for `grant`, and the tokens it was fetched with: the grant's, or the refreshed ones
 * after WeChat refused the grant's access_token (40001/42001/42003) once.
 *
 * @example
 * const { tokens, profile } = await fetchProfile(client, grant, { lang: 'zh_CN', webAppId, logger });
 */
export async function fetchProfile(
  client: WeChatOAuthClient,
  grant: OAuthGrant,
  context: { lang: string; webAppId: string; logger: WxLogger | undefined },
): Promise<{ tokens: OAuthUserTokens; profile: WeChatUserInfo }> {
  try {
    return { tokens: grant, profile: await client.userInfo(grant, context.lang) };
  } catch (err) {
    if (!(err instanceof WxLoginError) || err.errcode === undefined || !USER_TOKEN_STALE.has(err.errcode)) {
      throw err;
    }
    log(
      context.logger,
      'info',
      { appId: context.webAppId, errcode: err.errcode },
      "the user's OAuth access_token was refused; refreshing once",
    );
    const tokens = await client.refresh(grant.refreshToken);
    if (tokens.openid !== grant.openid)
      throw new WxLoginError('WX_UPSTREAM_ERROR', "WeChat's refresh named another user");
    return { tokens, profile: await client.userInfo(tokens, context.lang) };
  }
}
