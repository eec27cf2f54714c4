// Phone numbers from a getPhoneNumber button code: one WeChat call with the shared access_token
// (refreshed once if WeChat refuses it), then the app's onPhoneNumber hook.

import type { PhoneInfo, PhoneNumberOptions, WeChatClient } from '../wechat/client.js';
import type { AccessTokenManager } from './access-token.js';
import { requireCode } from './codes.js';
import { runHook, withRequest } from './hooks.js';
import type { Configuration } from './options.js';
import type { WxSessionUser } from './wx-user.js';

/**
 * @example
 * const phones = new PhoneNumbers(config, wechat, accessTokens);
 * const phone = await phones.forUser(req.wxUser, req.body.code, req);
 */
export class PhoneNumbers {
  readonly #config: Pick<Configuration, 'onPhoneNumber' | 'logger' | 'phoneMaxAgeSeconds'>;
  readonly #wechat: WeChatClient;
  readonly #accessTokens: AccessTokenManager;

  constructor(
    config: Pick<Configuration, 'onPhoneNumber' | 'logger' | 'phoneMaxAgeSeconds'>,
    wechat: WeChatClient,
    accessTokens: AccessTokenManager,
  ) {
    this.#config = config;
    this.#wechat = wechat;
    this.#accessTokens = accessTokens;
  }

  async forUser(
    user: WxSessionUser,
    code: unknown,
    request: unknown,
    options: PhoneNumberOptions = {},
  ): Promise<PhoneInfo> {
    const valid = requireCode(code, 'code');
    const maxAgeSeconds = options.maxAgeSeconds ?? this.#config.phoneMaxAgeSeconds;
    const phone = await this.#accessTokens.withToken((accessToken) =>
      this.#wechat.getPhoneNumber(accessToken, valid, user.openid, { maxAgeSeconds }),
    );
    const hook = this.#config.onPhoneNumber;
    if (hook) {
      const event = withRequest(
        {
          openid: user.openid,
          appId: user.appId,
          phone,
          ...(user.unionid === undefined ? {} : { unionid: user.unionid }),
          ...(user.user === undefined ? {} : { user: user.user }),
        },
        request,
      );
      await runHook(this.#config.logger, 'onPhoneNumber', () => hook(event));
    }
    return phone;
  }
}
