// Which path is which WeChat endpoint, and the handler that answers it.

import type { EndpointHandler } from './endpoint.js';
import { classicToken, stableToken } from './endpoints/access-token.js';
import { code2Session } from './endpoints/code2session.js';
import { oauthAccessToken, oauthRefreshToken, snsAuth, userInfo } from './endpoints/oauth-api.js';
import { oauthAuthorize, oauthConfirm, qrConnect } from './endpoints/oauth-authorize.js';
import { phoneNumber } from './endpoints/phone-number.js';
import { checkSession, resetSessionKey } from './endpoints/session-key.js';
import type { EmulatorEndpoint } from './types.js';

/**
 * The WeChat paths the emulator serves (api.weixin.qq.com's and open.weixin.qq.com's on one
 * server). Any other path is answered 404.
 *
 * @example
 * ROUTES.get('/sns/jscode2session'); // { endpoint: 'jscode2session', handler: code2Session }
 */
export const ROUTES: ReadonlyMap<string, { endpoint: EmulatorEndpoint; handler: EndpointHandler }> = new Map([
  ['/sns/jscode2session', { endpoint: 'jscode2session', handler: code2Session }],
  ['/cgi-bin/token', { endpoint: 'token', handler: classicToken }],
  ['/cgi-bin/stable_token', { endpoint: 'stable_token', handler: stableToken }],
  ['/wxa/business/getuserphonenumber', { endpoint: 'getuserphonenumber', handler: phoneNumber }],
  ['/wxa/checksession', { endpoint: 'checksession', handler: checkSession }],
  ['/wxa/resetusersessionkey', { endpoint: 'resetusersessionkey', handler: resetSessionKey }],
  // open.weixin.qq.com: the pages of web OAuth
  ['/connect/oauth2/authorize', { endpoint: 'oauth2_authorize', handler: oauthAuthorize }],
  ['/connect/qrconnect', { endpoint: 'qrconnect', handler: qrConnect }],
  ['/connect/confirm', { endpoint: 'oauth_confirm', handler: oauthConfirm }],
  // api.weixin.qq.com: the web OAuth APIs
  ['/sns/oauth2/access_token', { endpoint: 'oauth2_access_token', handler: oauthAccessToken }],
  ['/sns/oauth2/refresh_token', { endpoint: 'oauth2_refresh_token', handler: oauthRefreshToken }],
  ['/sns/userinfo', { endpoint: 'userinfo', handler: userInfo }],
  ['/sns/auth', { endpoint: 'sns_auth', handler: snsAuth }],
]);
