// express-wx-login: the public entry. Everything a backend needs for the WeChat Mini Program
// login; the emulator and the store contract suite live in 'express-wx-login/testing'.

export type { Configuration, LoginEvent, PhoneEvent, SigningKey, WxAuthOptions } from './core/options.js';
export {
  WebLogin,
  type WebLoginCallback,
  type WebLoginOutcome,
  type WebLoginStart,
} from './core/web-login.js';
export type { WebLoginConfig, WebLoginOptions, WebLoginScope } from './core/web-login-options.js';
export { type LoginResult, type VerifiedIdentity, WxAuth } from './core/wx-auth.js';
export { type DecryptOptions, type WxSessionUser, WxUser, type WxUserActions } from './core/wx-user.js';
export {
  type DecryptDataInput,
  decryptData,
  type OpenData,
  type OpenDataWatermark,
  sessionKeySignature,
  type VerifySignatureInput,
  verifySignature,
} from './crypto/index.js';
export {
  ERROR_STATUS,
  isWxLoginError,
  type WeChatErrorInfo,
  type WxErrorCode,
  WxLoginError,
  type WxLoginErrorOptions,
} from './errors.js';
export { wxErrorHandler } from './express/error-handler.js';
export { type RequireWxSessionOptions, requireWxSession } from './express/require-wx-session.js';
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
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './stores/redis-client.js';
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js';
export type { Awaitable, SessionStore, StoredValue } from './stores/types.js';
export type { PhoneInfo, PhoneNumberOptions } from './wechat/client.js';
export type { WeChatUserInfo } from './wechat/oauth-client.js';
