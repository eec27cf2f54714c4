// Every call into the SessionStore goes through here, so that any failure of the store becomes
// one WX_STORE_UNAVAILABLE (503), logged without keys or values.

import { CHANNELS, publish } from '../diagnostics.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';

/**
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
    const already = isWxLoginError(err) && err.code === 'WX_STORE_UNAVAILABLE';
    log(logger, 'error', { op, error: already ? undefined : describe(err) }, 'session store unavailable');
    publish(CHANNELS.storeError, () => ({ op, code: 'WX_STORE_UNAVAILABLE' }));
    if (already) throw err;
    throw new WxLoginError('WX_STORE_UNAVAILABLE', 'the session store is unavailable; retry later');
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 200) : typeof err;
}
