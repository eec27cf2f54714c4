// One WeChat API call over axios: keep-alive, a timeout per attempt, retries with jittered backoff
// for transient faults only, lenient errcode parsing, and errors scrubbed of the appSecret.

import type http from 'node:http';
import type https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance } from 'axios';
import { CHANNELS, observed, publish } from '../diagnostics.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { ABORT_MARGIN_MS, worstCaseMs } from './call-budget.js';
import {
  CODE_SPENT,
  configHint,
  errorFromWeChat,
  parseErrcode,
  type WeChatCallKind,
  wechatErrorInfo,
} from './errcode.js';
import { describeNetworkError, NEVER_SENT, parseJsonObject } from './network-errors.js';
import { agentsFor, type WeChatTransport } from './transport.js';

export { worstCaseMs } from './call-budget.js';
export type { WeChatTransport } from './transport.js';

export interface WeChatHttpOptions extends WeChatTransport {
  /** Defaults to `https://api.weixin.qq.com`. */
  baseUrl: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Extra attempts after the first, for transient faults only. */
  retries: number;
  /** First backoff step; doubles per attempt, with ±50 % jitter. */
  retryDelayMs: number;
  /** Removed from anything that is logged or kept on an error. */
  secrets: readonly string[];
  logger?: WxLogger | undefined;
}

export interface WeChatRequest {
  kind: WeChatCallKind;
  /** For logs: which API, e.g. 'jscode2session'. */
  name: string;
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  /**
   * The call redeems a single-use code (login, phone, OAuth): a 40163/40029 after an attempt that
   * got no answer means that attempt probably used it, which is WeChat's failure, not the client's.
   */
  redeemsCode?: 'login' | 'phone' | 'oauth';
}

/** A successful WeChat answer: the parsed JSON object, errcode absent or 0. */
export type WeChatBody = Record<string, unknown>;

/** Numbers the observed calls, so that a subscriber can pair a call's start with its end. */
let callCount = 0;

/** Why an attempt failed in a way worth retrying. Never holds a URL (URLs carry `secret=`). */
class TransientFault {
  /** `ambiguous`: the request may have reached WeChat and been acted on (timeout, reset, 5xx, cut body). */
  constructor(
    readonly reason: string,
    readonly ambiguous: boolean,
  ) {}
}

const SPENT_ADVICE = {
  login: 'call wx.login() for a new code and log in again',
  phone: 'ask the user for the phone number again (a new getPhoneNumber code)',
  oauth: 'log in again',
} as const;

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
    if (!observed(CHANNELS.wechatStart) && !observed(CHANNELS.wechatEnd) && !observed(CHANNELS.wechatError)) {
      return this.#callWithRetries(request, { attempts: 0 });
    }
    const api = request.name;
    const id = ++callCount;
    const startedAt = performance.now();
    const progress = { attempts: 0 };
    publish(CHANNELS.wechatStart, () => ({ id, api }));
    try {
      const body = await this.#callWithRetries(request, progress);
      publish(CHANNELS.wechatEnd, () => ({
        id,
        api,
        attempts: progress.attempts,
        durationMs: performance.now() - startedAt,
      }));
      return body;
    } catch (err) {
      publish(CHANNELS.wechatError, () => ({
        id,
        api,
        attempts: progress.attempts,
        durationMs: performance.now() - startedAt,
        code: err instanceof WxLoginError ? err.code : 'WX_INTERNAL_ERROR',
        ...(err instanceof WxLoginError && err.errcode !== undefined ? { errcode: err.errcode } : {}),
      }));
      throw err;
    }
  }

  async #callWithRetries(request: WeChatRequest, progress: { attempts: number }): Promise<WeChatBody> {
    const attempts = 1 + this.#options.retries;
    let lastFault = 'no attempt made';
    let ambiguous = false;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      progress.attempts = attempt;
      let outcome: WeChatBody | TransientFault;
      try {
        outcome = await this.#attempt(request);
      } catch (err) {
        throw ambiguous ? this.#spentCode(request, err, attempt) : err;
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

  /**
   * A code refused as used or invalid after an attempt that got no answer: that attempt most
   * likely reached WeChat and used the code, so the client is not at fault. Other errors pass as is.
   */
  #spentCode(request: WeChatRequest, err: unknown, attempt: number): unknown {
    const kind = request.redeemsCode;
    if (!kind || !isWxLoginError(err) || err.errcode === undefined || !CODE_SPENT.has(err.errcode))
      return err;
    log(
      this.#options.logger,
      'warn',
      { api: request.name, attempt, errcode: err.errcode, rid: err.rid },
      'WeChat refused a retried code that an unanswered earlier attempt probably used',
    );
    return new WxLoginError(
      'WX_UPSTREAM_ERROR',
      `WeChat did not answer in time and has probably used the code; ${SPENT_ADVICE[kind]}`,
      { wechat: { errcode: err.errcode, errmsg: '', ...(err.rid === undefined ? {} : { rid: err.rid }) } },
    );
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
    if (status >= 500) return new TransientFault(`HTTP ${status}`, true);
    if (status === 407) {
      // Our forward proxy, not WeChat, refused: its credentials (the `proxy` option) are wrong.
      log(
        this.#options.logger,
        'error',
        { api: request.name, status, setting: 'proxy', code: 'WX_CONFIG_REJECTED' },
        'the outbound proxy refused our credentials (HTTP 407): check the proxy option',
      );
      throw new WxLoginError('WX_CONFIG_REJECTED', 'the server is misconfigured for WeChat');
    }
    const body = parseJsonObject(text);
    if (status >= 300) {
      throw new WxLoginError('WX_UPSTREAM_ERROR', `WeChat answered HTTP ${status}`);
    }
    if (body === undefined) return new TransientFault('unreadable body', true);
    const errcode = parseErrcode(body.errcode);
    if (errcode === undefined) return body;
    const info = wechatErrorInfo(errcode, this.#scrub(String(body.errmsg ?? '')));
    // -1 is WeChat saying it did not do the work: retrying it is safe, and not ambiguous.
    if (errcode === -1) return new TransientFault(`errcode -1${info.rid ? ` (rid ${info.rid})` : ''}`, false);
    const error = errorFromWeChat(request.kind, info);
    const hint =
      error.code === 'WX_CONFIG_REJECTED' ? configHint(request.kind, errcode, info.errmsg) : undefined;
    log(
      this.#options.logger,
      error.status >= 500 ? 'error' : 'info',
      {
        api: request.name,
        errcode: info.errcode,
        errmsg: info.errmsg,
        rid: info.rid,
        code: error.code,
        ...(hint === undefined ? {} : { setting: hint.setting, hint: hint.hint, egressIp: hint.egressIp }),
      },
      hint === undefined ? 'WeChat refused the call' : `WeChat refused our configuration: ${hint.hint}`,
    );
    throw error;
  }

  #backoff(attempt: number): number {
    const base = this.#options.retryDelayMs * 2 ** (attempt - 1);
    return Math.round(base * (0.5 + Math.random()));
  }

  #scrub(text: string): string {
    let out = text;
    for (const secret of this.#options.secrets) {
      if (secret) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}
