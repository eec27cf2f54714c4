// The package's own WeChat client pointed at an emulator, for tests of the core's parts that call
// WeChat (code exchanges, the access_token): no retries, so each call is one entry in the call log.

import type { WeChatEmulator } from '../../src/testing/index.js';
import { WeChatClient } from '../../src/wechat/client.js';

/**
 * A client for the emulator's first app, without retries: an injected fault fails the call at once.
 * The caller closes it (`close()`) when done.
 *
 * @example
 * const wechat = wechatClientFor(emulator);
 * afterAll(() => wechat.close());
 */
export function wechatClientFor(emulator: WeChatEmulator): WeChatClient {
  return new WeChatClient({
    appId: emulator.appId,
    appSecret: emulator.appSecret,
    baseUrl: emulator.url,
    timeoutMs: 10_000,
    retries: 0,
    retryDelayMs: 10,
  });
}
