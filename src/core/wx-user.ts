// The authenticated user of a request (`req.wxUser`): plain, JSON-safe fields plus methods that
// use the session_key on the server. The key is never a property, so res.json() cannot leak it.

import type { OpenData } from '../crypto/index.js';
import { WxLoginError } from '../errors.js';
import type { PhoneInfo, PhoneNumberOptions } from '../wechat/client.js';
import type { WxAppUser } from './options.js';

/** Options of `decrypt()`. */
export interface DecryptOptions {
  /** Refuse data whose watermark is older than this many seconds. Off by default. */
  maxAgeSeconds?: number;
}

/** What WxUser's methods need from the core (open data and phone numbers). Internal. */
export interface WxUserActions {
  decrypt(openid: string, encryptedData: unknown, iv: unknown, options?: DecryptOptions): Promise<OpenData>;
  verifySignature(openid: string, rawData: unknown, signature: unknown): Promise<boolean>;
  checkSessionKey(openid: string): Promise<boolean>;
  resetSessionKey(openid: string): Promise<void>;
  phoneNumber(
    user: WxSessionUser,
    code: unknown,
    request: unknown,
    options?: PhoneNumberOptions,
  ): Promise<PhoneInfo>;
  update(user: WxSessionUser, patch: Record<string, unknown>): Promise<WxAppUser | undefined>;
}

/**
 * What `req.wxUser` offers, as an interface: the published ESM and CommonJS typings each declare
 * it, and only a type without private members stays identical across the two.
 */
export interface WxSessionUser {
  readonly openid: string;
  readonly unionid?: string;
  /** The app the openid belongs to: the mini program, or the web app of a wxOAuth() login. */
  readonly appId: string;
  readonly sessionId: string;
  /** What `onLogin` returned at login (typed by `WxLoginTypes['user']` when the app declares it). */
  readonly user?: WxAppUser;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** Decrypts open data; `T` names the shape the app expects (defaults to `OpenData`). */
  decrypt<T extends object = OpenData>(
    encryptedData: unknown,
    iv: unknown,
    options?: DecryptOptions,
  ): Promise<T>;
  verifySignature(rawData: unknown, signature: unknown): Promise<boolean>;
  assertSignature(rawData: unknown, signature: unknown): Promise<void>;
  checkSessionKey(): Promise<boolean>;
  resetSessionKey(): Promise<void>;
  getPhoneNumber(code: unknown, options?: PhoneNumberOptions): Promise<PhoneInfo>;
  /**
   * Changes `user` for every session of this user (JSON merge patch: `null` removes a key);
   * resolves this session's new `user`, which `this.user` holds from now on. WX_SESSION_REVOKED
   * when this session ended meanwhile.
   */
  update(patch: Record<string, unknown>): Promise<WxAppUser>;
}

/**
 * The user of an authenticated request. `JSON.stringify(wxUser)` gives exactly the fields below.
 *
 * @example
 * app.get('/me', requireWxSession(), (req, res) => res.json(req.wxUser));
 * app.post('/werun', requireWxSession(), wxAsync(async (req, res) => {
 *   const data = await req.wxUser!.decrypt<{ stepInfoList: WeRunDay[] }>(req.body.encryptedData, req.body.iv);
 *   res.json({ steps: data.stepInfoList });
 * })); // wxAsync: a throw goes to next(err), on Express 4 too
 */
export class WxUser implements WxSessionUser {
  readonly openid: string;
  readonly unionid?: string;
  readonly appId: string;
  readonly sessionId: string;
  /** What `onLogin` returned at login, as changed since by `update()`. */
  user?: WxAppUser;
  /** Unix seconds. */
  readonly expiresAt: number;
  readonly #actions: WxUserActions;
  /** The request this user was authenticated for, handed to `onPhoneNumber`. */
  readonly #request: unknown;

  constructor(
    fields: {
      openid: string;
      unionid?: string | undefined;
      appId: string;
      sessionId: string;
      user?: WxAppUser | undefined;
      expiresAt: number;
    },
    actions: WxUserActions,
    request?: unknown,
  ) {
    this.openid = fields.openid;
    if (fields.unionid !== undefined) this.unionid = fields.unionid;
    this.appId = fields.appId;
    this.sessionId = fields.sessionId;
    if (fields.user !== undefined) this.user = fields.user;
    this.expiresAt = fields.expiresAt;
    this.#actions = actions;
    this.#request = request;
  }

  /**
   * Decrypts open data (`encryptedData` + `iv` from wx.getWeRunData, getShareInfo, ...) with the
   * user's newest session_key and checks the watermark. Throws `WX_SESSION_KEY_STALE` when the
   * key no longer fits: the mini program must call wx.login() again, then retry.
   */
  decrypt<T extends object = OpenData>(
    encryptedData: unknown,
    iv: unknown,
    options?: DecryptOptions,
  ): Promise<T> {
    return this.#actions.decrypt(this.openid, encryptedData, iv, options) as Promise<T>;
  }

  /** Checks `signature == sha1(rawData + session_key)` (wx.getUserInfo and the like). */
  verifySignature(rawData: unknown, signature: unknown): Promise<boolean> {
    return this.#actions.verifySignature(this.openid, rawData, signature);
  }

  /** Like `verifySignature()`, but throws `WX_SIGNATURE_MISMATCH` (400) on a mismatch: handy before `next(err)`. */
  async assertSignature(rawData: unknown, signature: unknown): Promise<void> {
    if (!(await this.verifySignature(rawData, signature))) {
      throw new WxLoginError('WX_SIGNATURE_MISMATCH', 'the rawData signature does not match the session key');
    }
  }

  /** Asks WeChat whether the session_key the server holds is still valid. */
  checkSessionKey(): Promise<boolean> {
    return this.#actions.checkSessionKey(this.openid);
  }

  /** Has WeChat issue a new session_key and keeps it; the old one stops working. */
  resetSessionKey(): Promise<void> {
    return this.#actions.resetSessionKey(this.openid);
  }

  /**
   * Exchanges a getPhoneNumber button code for the user's phone number. The answer's watermark
   * must name this app; `maxAgeSeconds` (default: the `phoneMaxAgeSeconds` option) also refuses an
   * old one (400 `WX_DATA_EXPIRED`).
   */
  getPhoneNumber(code: unknown, options?: PhoneNumberOptions): Promise<PhoneInfo> {
    return this.#actions.phoneNumber(this, code, this.#request, options);
  }

  /**
   * Changes `user` for every session of this user (by openid, and by unionid when known), seen by
   * every instance within `sessionCacheMs`. A JSON merge patch: keys set, `null` removes one.
   *
   * @example
   * await req.wxUser!.update({ phoneBound: true, role: 'member' });
   */
  async update(patch: Record<string, unknown>): Promise<WxAppUser> {
    const user = await this.#actions.update(this, patch);
    if (user === undefined)
      throw new WxLoginError('WX_SESSION_REVOKED', 'the session has ended; log in again');
    this.user = user;
    return user;
  }
}
