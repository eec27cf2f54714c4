// Every call into the SessionStore goes through here, so that any failure of the store becomes
// one WX_STORE_UNAVAILABLE (503) whose cause is a safe summary, logged without keys or values.

import { CHANNELS, publish } from '../diagnostics.js';
import { isWxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import { storeUnavailable, summarizeError } from '../stores/store-error.js';

/**
 * Runs one store operation; a failure is logged and rethrown as `WX_STORE_UNAVAILABLE` with only
 * a summary of what went wrong (a store's own error may carry the values it was given).
 *
 * @example
 * const record = await callStore(logger, 'get session', () => store.get(key));
 */
export async function callStore<T>(
  logger: WxLogger | undefined,
  op: string,
  run: () => T | Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // A store error of ours already carries a summary; anything else (a custom store, a client
    // error passed through) is summarised here and never kept.
    const summary =
      isWxLoginError(err) && err.code === 'WX_STORE_UNAVAILABLE' && typeof err.cause === 'string'
        ? err.cause
        : summarizeError(err);
    log(logger, 'error', { op, error: summary }, 'session store unavailable');
    publish(CHANNELS.storeError, () => ({ op, code: 'WX_STORE_UNAVAILABLE' }));
    throw storeUnavailable(summary);
  }
}
