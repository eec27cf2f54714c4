// Nothing silent: every 5xx the package answers is reported once, with its stack and its causes',
// through the app's logger, or to stderr when the app gave none. Never a secret, never a body.

import type { Request } from 'express';
import type { WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';

/** How many causes deep a report follows `err.cause`. */
const CAUSE_DEPTH = 3;
/** Bounds each stack in a report: a runaway message must not flood the log. */
const STACK_CHARS = 4000;

/**
 * Reports a 5xx answered to `req`: one `error` line ('request failed') through `logger`, or,
 * when the app gave no logger, one write to stderr. A logger without an `error` method stays
 * silent (that is how an app turns the report off: `logger: {}`).
 *
 * Only stacks are printed (name, message, frames), never `util.inspect` of an error: the
 * package's messages hold no secret, while properties of a foreign cause (a Redis client's
 * command arguments) might.
 *
 * @example
 * if (error.status >= 500) reportFailure(responder.logger, req, error);
 */
export function reportFailure(logger: WxLogger | undefined, req: Request, error: WxLoginError): void {
  const where = `${req.method} ${pathOf(req)}`;
  const wechat = error.errcode === undefined ? {} : { errcode: error.errcode, rid: error.rid };
  if (logger !== undefined) {
    log(
      logger,
      'error',
      { code: error.code, status: error.status, request: where, ...wechat, err: stackChain(error) },
      'request failed',
    );
    return;
  }
  const upstream =
    error.errcode === undefined
      ? ''
      : ` (WeChat errcode ${error.errcode}${error.rid ? `, rid ${error.rid}` : ''})`;
  const text = `${new Date().toISOString()} express-wx-login: ${error.status} ${error.code} on ${where}${upstream}\n${stackChain(error)}\n`;
  try {
    process.stderr.write(text);
  } catch {
    // A closed stderr must not turn an answer into a crash.
  }
}

/**
 * The stack of `err` followed by those of its causes ("Caused by: ..."), each bounded.
 *
 * @example
 * stackChain(new WxLoginError('WX_INTERNAL_ERROR', 'x', { cause: hookError }));
 */
export function stackChain(err: unknown, depth = 0): string {
  const own = stackOf(err).slice(0, STACK_CHARS);
  const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  if (cause === undefined || depth >= CAUSE_DEPTH) return own;
  return `${own}\nCaused by: ${stackChain(cause, depth + 1)}`;
}

function stackOf(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { stack, name, message } = err as { stack?: unknown; name?: unknown; message?: unknown };
    if (typeof stack === 'string') return stack;
    if (typeof message === 'string') return `${typeof name === 'string' ? name : 'Error'}: ${message}`;
    return `a thrown ${Array.isArray(err) ? 'array' : 'object'} (not an Error)`;
  }
  // A thrown string or number: its type only, since any value could be data.
  return `a thrown ${typeof err} (not an Error)`;
}

/** The path without its query: a callback's query carries codes and state. */
function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url ?? '';
  const i = url.indexOf('?');
  return (i < 0 ? url : url.slice(0, i)).slice(0, 200);
}
