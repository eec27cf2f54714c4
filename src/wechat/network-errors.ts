// Reading what went wrong on the wire: which network errors mean the request never left (so
// WeChat cannot have acted on it), a secret-free reason for the log, and a tolerant JSON read.

import axios from 'axios';

/** Network errors raised before a request could be sent: WeChat cannot have acted on it. */
export const NEVER_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

/**
 * A network error as a short reason (never its message, which holds the URL and its secret).
 *
 * @example
 * describeNetworkError(err); // 'network error ECONNRESET'
 */
export function describeNetworkError(err: unknown): string {
  if (axios.isCancel(err)) return 'timeout';
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') return 'timeout';
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `network error ${code}`;
  return 'network error';
}

/**
 * The JSON object a WeChat answer holds, or `undefined` for anything else (HTML, a cut body).
 *
 * @example
 * parseJsonObject('{"errcode":0}'); // { errcode: 0 }
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
