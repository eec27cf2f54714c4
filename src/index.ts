// express-wx-login: the public entry. Everything a backend needs for the WeChat Mini Program
// login; the emulator and the store contract suite live in 'express-wx-login/testing'.
//
// Only what an app writes or reads is exported. Kept on purpose: `WxAuth` (the service without
// Express, for jobs and other frameworks), `LoginResult` (what auth.login() resolves to),
// `OAuthLogin` and its `OAuthStart`/`OAuthOutcome`/`OAuthCallback` (wxOAuth().oauth, for apps that
// drive web login themselves), `WxSessionUser` (the type of req.wxUser).

export type {
  LoginEvent,
  PhoneEvent,
  RefreshOptions,
  SigningKey,
  WxAppUser,
  WxAuthOptions,
  WxLoginTypes,
} from './core/options.js';
export type { LoginResult } from './core/session-issuer.js';
export type { RefreshFields } from './core/session-renewal.js';
export type { SessionInfo, UserRef } from './core/user-sessions.js';
export { WxAuth } from './core/wx-auth.js';
export type { DecryptOptions, WxSessionUser } from './core/wx-user.js';
export {
  type DecryptDataInput,
  decryptData,
  type OpenData,
  type OpenDataWatermark,
  sessionKeySignature,
  type VerifySignatureInput,
  verifySignature,
} from './crypto/index.js';
export { CHANNELS as wxChannels } from './diagnostics.js';
export {
  type AppErrorCode,
  isWxLoginError,
  type WeChatErrorInfo,
  type WxErrorCode,
  WxLoginError,
  type WxLoginErrorOptions,
} from './errors.js';
export { type WxErrorHandlerOptions, wxErrorHandler } from './express/error-handler.js';
export { type RequireWxSessionOptions, requireWxSession } from './express/require-wx-session.js';
export type {
  WxAnswer,
  WxErrorAnswer,
  WxResponseOptions,
  WxSuccessAnswer,
} from './express/response-options.js';
export { wxAsync } from './express/wx-async.js';
export {
  type WxLoginMiddleware,
  type WxLoginOptions,
  type WxLoginRoutes,
  wxLogin,
} from './express/wx-login.js';
export {
  type WxOAuthCookieOptions,
  type WxOAuthMiddleware,
  type WxOAuthOptions,
  type WxOAuthRoutes,
  wxOAuth,
} from './express/wx-oauth.js';
export type { WxLogger } from './logger.js';
export { type WxLocale, type WxMessages, wxErrorMessage } from './messages/index.js';
export {
  type OAuthCallback,
  OAuthLogin,
  type OAuthOutcome,
  type OAuthSettings,
  type OAuthStart,
} from './oauth/oauth-login.js';
export type { OAuthOptions, OAuthScope } from './oauth/options.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export type {
  IoRedisLike,
  NodeRedisClusterLike,
  NodeRedisLike,
  NodeRedisSentinelLike,
  RedisClientLike,
} from './stores/redis-client.js';
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js';
export type { Awaitable, SessionStore, StoredValue } from './stores/types.js';
export type { PhoneInfo, PhoneNumberOptions } from './wechat/client.js';
export type { OAuthUserTokens, WeChatUserInfo } from './wechat/oauth-client.js';
