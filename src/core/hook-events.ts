// What the app's hooks receive (onLogin, onPhoneNumber), and the declaration-merging interface
// through which an app types what onLogin returns and req.wxUser.user holds.

import type { StoredValue } from '../stores/types.js';
import type { PhoneInfo } from '../wechat/client.js';
import type { WeChatUserInfo } from '../wechat/oauth-client.js';

/**
 * Augment this interface to type what `onLogin` returns and `req.wxUser.user` holds:
 *
 * @example
 * declare module 'express-wx-login' {
 *   interface WxLoginTypes { user: { userId: number; role: 'member' | 'admin' } }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the app's declaration merging
export interface WxLoginTypes {}

/** What `onLogin` returns and the session keeps as `user`: `WxLoginTypes['user']` when the app declared it. */
export type WxAppUser = WxLoginTypes extends { user: infer U } ? U : StoredValue;

/** What `onLogin` receives. `Req` is the framework's request (Express's `Request` through `wxLogin()`). */
export interface LoginEvent<Req = unknown> {
  openid: string;
  unionid?: string;
  /** The app the user logged in through: the mini program, or for web logins the official account or website app. */
  appId: string;
  /**
   * True when this store held no session_key for the user: a first login, or the last one expired.
   * Always true for web logins, which have no session_key.
   */
  isNewSession: boolean;
  /** Where the login came from. */
  source: 'miniprogram' | 'web';
  /** The user's WeChat profile: web logins with `snsapi_userinfo` or `snsapi_login` only. */
  profile?: WeChatUserInfo;
  /**
   * The request that asked for the login (its body, headers, query); `undefined` when `auth.login()`
   * was called directly. Not enumerable: `{ ...event }` and `JSON.stringify(event)` leave it out.
   */
  req: Req | undefined;
  /**
   * Web logins only: the user's OAuth tokens, for apps that call user APIs later (keep them
   * yourself, encrypted; renew with `webLogin.refreshUserToken()`, check with `checkUserToken()`).
   * The package never stores or logs them.
   */
  oauth?: {
    accessToken: string;
    refreshToken: string;
    /** Seconds the access_token lives. */
    expiresIn: number;
    scope: string;
  };
}

/** What `onPhoneNumber` receives. */
export interface PhoneEvent<Req = unknown> {
  openid: string;
  unionid?: string;
  appId: string;
  phone: PhoneInfo;
  /** What `onLogin` returned for this session. */
  user?: WxAppUser;
  /** The request of `POST /wx/phone`; `undefined` when called without one. */
  req: Req | undefined;
}
