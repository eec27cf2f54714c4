// The one shape of a store failure: WX_STORE_UNAVAILABLE with a short, safe summary as its cause,
// never the client's error object (ioredis attaches the command's arguments, values included).

import { WxLoginError } from '../errors.js';

const SUMMARY_MAX = 160;

/**
 * The name and the first line of an error's message, at most 160 characters: enough to tell an
 * operator what happened (`ReplyError: OOM command not allowed…`), never a property that may hold
 * the command's arguments (ioredis `err.command.args`), a stack, or a nested cause.
 *
 * @example
 * summarizeError(new Error('Connection is closed.')); // 'Error: Connection is closed.'
 */
export function summarizeError(err: unknown): string {
  if (typeof err === 'string') return firstLine(err);
  if (!(err instanceof Error)) return typeof err;
  const name = typeof err.name === 'string' ? err.name : 'Error';
  const message = typeof err.message === 'string' ? err.message : '';
  return firstLine(message === '' ? name : `${name}: ${message}`);
}

/**
 * The error every store failure becomes: 503 `WX_STORE_UNAVAILABLE`, with a fixed message and,
 * as `cause`, only a summary string (see `summarizeError`), so that `util.inspect(err)` or
 * `console.error(err)` can print it whole.
 *
 * @example
 * throw storeUnavailable('Redis did not answer within 1000 ms');
 */
export function storeUnavailable(summary: string): WxLoginError {
  return new WxLoginError('WX_STORE_UNAVAILABLE', 'the session store is unavailable; retry later', {
    cause: firstLine(summary),
  });
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}
