// One WeChat API call over axios: keep-alive, a timeout per attempt, retries with jittered backoff
// for transient faults only, lenient errcode parsing, and errors scrubbed of the appSecret.

import type http from 'node:http';
import type https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance } from 'axios';
import { WxLoginError } from '../errors.js';
import { log } from '../logger.js';
import { ABORT_MARGIN_MS, worstCaseMs } from './call-budget.js';
import { type CallProgress, observeCall } from './call-events.js';
import { describeNetworkError, NEVER_SENT } from './network-errors.js';
import { readAnswer, TransientFault } from './read-answer.js';
import type { WeChatBody, WeChatHttpOptions, WeChatRequest } from './request-types.js';
import { spentCodeError } from './spent-code.js';
import { agentsFor } from './transport.js';

export { worstCaseMs } from './call-budget.js';
export type { WeChatBody, WeChatHttpOptions, WeChatRequest } from './request-types.js';
export type { WeChatTransport } from './transport.js';

/**
 * Calls WeChat. Retries (at most `1 + retries` attempts) only for errcode -1, network errors,
 * timeouts, HTTP 5xx and unreadable bodies; every other errcode is thrown at once as a
 * WxLoginError mapped for `request.kind`.
 *
 * @example
 * const http = new WeChatHttp({ baseUrl, timeoutMs: 5000, retries: 2, retryDelayMs: 100, secrets: [appSecret] });
 * const body = await http.call({ kind: 'login', name: 'jscode2session', method: 'GET', path: '/sns/jscode2session', query });
 */
export class WeChatHttp {
  readonly #axios: AxiosInstance;
  readonly #options: WeChatHttpOptions;
  readonly #agents: { http: http.Agent; https: https.Agent };
  /** The agents this instance created, and so closes; an app's own agents stay the app's. */
  readonly #ownAgents: http.Agent[] = [];

  constructor(options: WeChatHttpOptions) {
    this.#options = options;
    const { agents, own } = agentsFor(options);
    this.#agents = agents;
    this.#ownAgents.push(...own);
    this.#axios = axios.create({
      baseURL: options.baseUrl,
      httpAgent: this.#agents.http,
      httpsAgent: this.#agents.https,
      timeout: options.timeoutMs,
      // We read the text ourselves: WeChat may answer HTML or a cut JSON, which must count as a fault.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      maxContentLength: 1024 * 1024,
      // Never axios's own proxy handling (nor HTTP_PROXY from the environment): `proxy` goes
      // through the agents above, which tunnel https with CONNECT as proxies expect.
      proxy: false,
    });
  }

  /**
   * How long one `call()` may take at most: every attempt's timeout plus the longest jittered
   * backoff between attempts. Callers size their waits and locks from it.
   */
  get worstCaseMs(): number {
    return worstCaseMs(this.#options);
  }

  async call(request: WeChatRequest): Promise<WeChatBody> {
    return observeCall(request.name, (progress) => this.#callWithRetries(request, progress));
  }

  async #callWithRetries(request: WeChatRequest, progress: CallProgress): Promise<WeChatBody> {
    const attempts = 1 + this.#options.retries;
    let lastFault = 'no attempt made';
    let ambiguous = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      progress.attempts = attempt;
      let outcome: WeChatBody | TransientFault;
      try {
        outcome = await this.#attempt(request);
      } catch (err) {
        throw ambiguous ? spentCodeError(request, err, attempt, this.#options.logger) : err;
      }
      if (!(outcome instanceof TransientFault)) return outcome;
      lastFault = outcome.reason;
      ambiguous ||= outcome.ambiguous;
      log(
        this.#options.logger,
        'warn',
        { api: request.name, attempt, attempts, reason: outcome.reason },
        'WeChat call failed',
      );
      if (attempt < attempts) await sleep(this.#backoff(attempt));
    }
    throw new WxLoginError('WX_UPSTREAM_UNAVAILABLE', 'WeChat did not answer in time; retry later', {
      cause: new Error(`${request.name}: ${lastFault} after ${attempts} attempt(s)`),
    });
  }

  /** Releases the keep-alive sockets of the agents it created. */
  close(): void {
    for (const agent of this.#ownAgents) agent.destroy();
  }

  async #attempt(request: WeChatRequest): Promise<WeChatBody | TransientFault> {
    let status: number;
    let text: string;
    try {
      const response = await this.#axios.request<string>({
        method: request.method,
        url: request.path,
        params: request.query,
        data: request.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs + ABORT_MARGIN_MS),
      });
      status = response.status;
      text = typeof response.data === 'string' ? response.data : '';
    } catch (err) {
      // Only the error's code goes further: its message and config carry the URL with the secret.
      const reason = describeNetworkError(err);
      return new TransientFault(reason, !NEVER_SENT.test(reason));
    }
    return readAnswer(request, status, text, this.#options);
  }

  #backoff(attempt: number): number {
    const base = this.#options.retryDelayMs * 2 ** (attempt - 1);
    return Math.round(base * (0.5 + Math.random()));
  }
}
