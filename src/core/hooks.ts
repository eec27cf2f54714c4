// Runs the app's hooks (onLogin, onPhoneNumber): an error the app meant for the client passes
// through with its status and code; anything else is logged with its stack and answered 500.

import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { describeUnstorable } from './storable.js';

export type HookName = 'onLogin' | 'onPhoneNumber' | 'onWebLogin';

/**
 * Runs `run`, the call of hook `name`. A `WxLoginError`, or any error with a 4xx `status` and a
 * string `code` (http-errors and the like), refuses the request as the app asked; anything else
 * becomes a 500 `WX_INTERNAL_ERROR` and is logged with its stack.
 *
 * @example
 * const user = await runHook(logger, 'onLogin', () => onLogin(event));
 */
export async function runHook<T>(
  logger: WxLogger | undefined,
  name: HookName,
  run: () => T | Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isWxLoginError(err)) throw err;
    const refusal = asAppRefusal(err);
    if (refusal) throw refusal;
    log(logger, 'error', { hook: name, err: stackOf(err) }, `${name} hook failed`);
    throw new WxLoginError('WX_INTERNAL_ERROR', 'the request could not be completed', { cause: err });
  }
}

/**
 * What `onLogin` returned, checked to survive JSON unchanged (the session keeps it as JSON): a
 * BigInt, a Date, a Map, a class instance or a cycle is a 500 `WX_HOOK_INVALID` naming where.
 *
 * @example
 * const user = requireStorable('onLogin', await onLogin(event));
 */
export function requireStorable<T>(name: HookName, value: T): T {
  const problem = describeUnstorable(value, 'result');
  if (problem) {
    throw new WxLoginError(
      'WX_HOOK_INVALID',
      `${name} must return plain JSON (objects, arrays, strings, finite numbers, booleans, null): ${problem}`,
    );
  }
  return value;
}

/**
 * `event` with `req` added as a non-enumerable property: hooks read `event.req`, but logging or
 * serializing the event (or comparing it in a test) does not drag the whole request along.
 *
 * @example
 * await onLogin(withRequest({ openid, appId }, req)); // event.req === req, JSON.stringify(event) has no req
 */
export function withRequest<T extends object>(event: T, req: unknown): T & { req: unknown } {
  return Object.defineProperty(event, 'req', { value: req, enumerable: false }) as T & { req: unknown };
}

function asAppRefusal(err: unknown): WxLoginError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, code, message } = err as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499 || typeof code !== 'string')
    return undefined;
  return new WxLoginError(code, typeof message === 'string' ? message : code, { status, cause: err });
}

function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}
