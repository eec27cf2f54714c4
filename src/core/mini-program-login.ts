// The mini-program login: a wx.login() code, exchanged once (per process and across instances
// sharing the store) through code2Session, becomes a session and a token.

import type { WeChatClient } from '../wechat/client.js';
import type { CodeExchanges } from './code-exchange.js';
import { requireCode } from './codes.js';
import type { LoginResult, SessionIssuer } from './session-issuer.js';
import { SingleFlight } from './single-flight.js';

/** Extra time a waiter gives an exchange beyond the WeChat call itself (store writes, onLogin). */
const EXCHANGE_SLACK_MS = 5000;

/**
 * @example
 * const login = new MiniProgramLogin(wechat, exchanges, issuer);
 * const { token } = await login.login(code, req);
 */
export class MiniProgramLogin {
  readonly #wechat: WeChatClient;
  readonly #exchanges: CodeExchanges;
  readonly #issuer: SessionIssuer;
  readonly #flights = new SingleFlight<string, LoginResult>();

  constructor(wechat: WeChatClient, exchanges: CodeExchanges, issuer: SessionIssuer) {
    this.#wechat = wechat;
    this.#exchanges = exchanges;
    this.#issuer = issuer;
  }

  /**
   * Exchanges a wx.login() code for a session and a token. Concurrent calls with the same code
   * share one code2Session call and one answer (a double tap must not burn the code twice).
   */
  login(code: unknown, request: unknown): Promise<LoginResult> {
    const valid = requireCode(code, 'code');
    return this.#flights.run(valid, () =>
      this.#exchanges.once(valid, this.#wechat.worstCaseMs + EXCHANGE_SLACK_MS, async () => {
        const identity = await this.#wechat.code2Session(valid);
        return this.#issuer.createSession({ ...identity, source: 'miniprogram' }, request);
      }),
    );
  }
}
