// The shapes of a WeChat call: the settings of the HTTP layer, one request as the clients describe
// it, and a successful answer.

import type { WxLogger } from '../logger.js';
import type { WeChatCallKind } from './errcode.js';
import type { WeChatTransport } from './transport.js';

/**
 * The settings of `WeChatHttp`, fixed at construction.
 *
 * @example
 * const options: WeChatHttpOptions = { baseUrl, timeoutMs: 5000, retries: 2, retryDelayMs: 100, secrets: [appSecret] };
 */
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

/**
 * One WeChat API call: which errcode table applies, where it goes and what it sends.
 *
 * @example
 * const request: WeChatRequest = { kind: 'login', name: 'jscode2session', method: 'GET', path: '/sns/jscode2session', query, redeemsCode: 'login' };
 */
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
