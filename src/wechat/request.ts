// One WeChat API call over axios: keep-alive, a timeout per attempt, retries with jittered backoff
// for transient faults only, lenient errcode parsing, and errors scrubbed of the appSecret.

import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance } from 'axios';
import { CHANNELS, observed, publish } from '../diagnostics.js';
import { WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { errorFromWeChat, parseErrcode, type WeChatCallKind, wechatErrorInfo } from './errcode.js';

export interface WeChatHttpOptions {
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
}

/** A successful WeChat answer: the parsed JSON object, errcode absent or 0. */
export type WeChatBody = Record<string, unknown>;

/** Numbers the observed calls, so that a subscriber can pair a call's start with its end. */
let callCount = 0;

/** The abort signal fires this long after axios's own timeout, as a backstop. */
const ABORT_MARGIN_MS = 50;

/** Why an attempt failed in a way worth retrying. Never holds a URL (URLs carry `secret=`). */
class TransientFault {
  constructor(readonly reason: string) {}
}

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

  constructor(options: WeChatHttpOptions) {
    this.#options = options;
    this.#agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    };
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
    for (let attempt = 1; attempt <= attempts; attempt++) {
      progress.attempts = attempt;
      const outcome = await this.#attempt(request);
      if (!(outcome instanceof TransientFault)) return outcome;
      lastFault = outcome.reason;
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

  /** Releases the keep-alive sockets. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
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
      return new TransientFault(describeNetworkError(err));
    }
    if (status >= 500) return new TransientFault(`HTTP ${status}`);
    const body = parseJsonObject(text);
    if (status >= 300) {
      throw new WxLoginError('WX_UPSTREAM_ERROR', `WeChat answered HTTP ${status}`);
    }
    if (body === undefined) return new TransientFault('unreadable body');
    const errcode = parseErrcode(body.errcode);
    if (errcode === undefined) return body;
    const info = wechatErrorInfo(errcode, this.#scrub(String(body.errmsg ?? '')));
    if (errcode === -1) return new TransientFault(`errcode -1${info.rid ? ` (rid ${info.rid})` : ''}`);
    const error = errorFromWeChat(request.kind, info);
    log(
      this.#options.logger,
      error.status >= 500 ? 'error' : 'info',
      { api: request.name, errcode: info.errcode, errmsg: info.errmsg, rid: info.rid, code: error.code },
      'WeChat refused the call',
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

/**
 * The longest a call with these settings can take: each attempt's timeout (and the abort's margin)
 * plus each backoff at its most (+50 % jitter).
 *
 * @example
 * worstCaseMs({ timeoutMs: 5000, retries: 2, retryDelayMs: 100 }); // 15_600 = 3 × 5050 + 150 + 300
 */
export function worstCaseMs(
  options: Pick<WeChatHttpOptions, 'timeoutMs' | 'retries' | 'retryDelayMs'>,
): number {
  let total = 0;
  for (let attempt = 1; attempt <= 1 + options.retries; attempt++) {
    total += options.timeoutMs + ABORT_MARGIN_MS;
    if (attempt <= options.retries) total += Math.ceil(options.retryDelayMs * 2 ** (attempt - 1) * 1.5);
  }
  return total;
}

function describeNetworkError(err: unknown): string {
  if (axios.isCancel(err)) return 'timeout';
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') return 'timeout';
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `network error ${code}`;
  return 'network error';
}

function parseJsonObject(text: string): WeChatBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as WeChatBody)
      : undefined;
  } catch {
    return undefined;
  }
}
