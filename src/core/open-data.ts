// Everything that needs the user's session_key, which never leaves this file's callers' server:
// open-data decryption and rawData signatures, and WeChat's check and reset of the key.

import { decryptData, type OpenData, sessionKeySignature, verifySignature } from '../crypto/index.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import type { WeChatClient } from '../wechat/client.js';
import type { AccessTokenManager } from './access-token.js';
import { recordTtlMs } from './session-lifetime.js';
import type { SessionRepository } from './sessions.js';
import type { DecryptOptions } from './wx-user.js';

/**
 * @example
 * const openData = new OpenDataService({ appId, tokenTtl, logger }, sessions, wechat, accessTokens);
 * const data = await openData.decrypt(openid, encryptedData, iv);
 */
export class OpenDataService {
  readonly #config: { appId: string; tokenTtl: number; logger: WxLogger | undefined };
  readonly #sessions: SessionRepository;
  readonly #wechat: WeChatClient;
  readonly #accessTokens: AccessTokenManager;

  constructor(
    config: { appId: string; tokenTtl: number; logger: WxLogger | undefined },
    sessions: SessionRepository,
    wechat: WeChatClient,
    accessTokens: AccessTokenManager,
  ) {
    this.#config = config;
    this.#sessions = sessions;
    this.#wechat = wechat;
    this.#accessTokens = accessTokens;
  }

  /** Decrypts with the user's newest session_key; a key that no longer fits is WX_SESSION_KEY_STALE. */
  async decrypt(
    openid: string,
    encryptedData: unknown,
    iv: unknown,
    options: DecryptOptions = {},
  ): Promise<OpenData> {
    const key = await this.#requireSessionKey(openid);
    try {
      return decryptData({
        sessionKey: key,
        encryptedData: encryptedData as string,
        iv: iv as string,
        appId: this.#config.appId,
        ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
      });
    } catch (err) {
      if (isWxLoginError(err) && err.code === 'WX_DECRYPT_FAILED') {
        // We hold the newest key we were given: the client rotated it with a wx.login we never saw.
        throw new WxLoginError(
          'WX_SESSION_KEY_STALE',
          'the session key changed; call wx.login(), log in again and retry',
        );
      }
      throw err;
    }
  }

  async verifySignature(openid: string, rawData: unknown, signature: unknown): Promise<boolean> {
    if (typeof rawData !== 'string' || typeof signature !== 'string') {
      throw new WxLoginError('WX_INVALID_REQUEST', 'rawData and signature must be strings');
    }
    const key = await this.#requireSessionKey(openid);
    return verifySignature({ rawData, signature, sessionKey: key });
  }

  /** Asks WeChat whether the key we hold is still valid; `false` when we hold none. */
  async checkSessionKey(openid: string): Promise<boolean> {
    const key = await this.#sessions.loadSessionKey(openid);
    if (!key) return false;
    return this.#accessTokens.withToken((accessToken) =>
      this.#wechat.checkSessionKey(accessToken, openid, sessionKeySignature(key.sessionKey)),
    );
  }

  /** Has WeChat issue a new session_key and keeps it in place of the old one. */
  async resetSessionKey(openid: string): Promise<void> {
    const key = await this.#requireSessionKey(openid);
    const fresh = await this.#accessTokens.withToken((accessToken) =>
      this.#wechat.resetSessionKey(accessToken, openid, sessionKeySignature(key)),
    );
    // WeChat keeps the old key's expiry for the new one; so do we, roughly, with the session TTL.
    await this.#sessions.saveSessionKey(
      openid,
      { sessionKey: fresh, updatedAt: Date.now() },
      recordTtlMs(this.#config.tokenTtl),
    );
    log(this.#config.logger, 'info', { openid }, 'session key reset');
  }

  async #requireSessionKey(openid: string): Promise<string> {
    const key = await this.#sessions.loadSessionKey(openid);
    if (!key) {
      throw new WxLoginError(
        'WX_SESSION_KEY_STALE',
        'no session key is held for this user; call wx.login() and log in again',
      );
    }
    return key.sessionKey;
  }
}
