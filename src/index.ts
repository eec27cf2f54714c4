// express-wx-login: the public entry. Everything a backend needs for the WeChat Mini Program
// login; the emulator and the store contract suite live in 'express-wx-login/testing'.

export { wxLogin, type WxLoginOptions, type WxLoginMiddleware, type WxLoginRoutes } from './express/wx-login.js';
export { requireWxSession, type RequireWxSessionOptions } from './express/require-wx-session.js';
export { wxErrorHandler } from './express/error-handler.js';
export { WxAuth, type LoginResult, type VerifiedIdentity } from './core/wx-auth.js';
export { WxUser, type DecryptOptions } from './core/wx-user.js';
export type { WxAuthOptions, LoginEvent, PhoneEvent, SigningKey } from './core/options.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export type { SessionStore, StoredValue, Awaitable } from './stores/types.js';
export { WxLoginError, isWxLoginError, ERROR_STATUS, type WxErrorCode, type WeChatErrorInfo } from './errors.js';
export { decryptData, verifySignature, sessionKeySignature, type OpenData } from './crypto/index.js';
export type { PhoneInfo } from './wechat/client.js';
export type { WxLogger } from './logger.js';
