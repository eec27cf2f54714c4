// The diagnostics events of one WeChat call (start, then end or error, with its attempts and
// duration), published only while someone subscribes: an unobserved call pays three lookups.

import { CHANNELS, observed, publish } from '../diagnostics.js';
import { WxLoginError } from '../errors.js';

/** How far a call got: the attempt under way (from 1), read by the end and error events. */
export interface CallProgress {
  attempts: number;
}

/** Numbers the observed calls, so that a subscriber can pair a call's start with its end. */
let callCount = 0;

/**
 * Runs one call of `api` and publishes its events; `run` counts its attempts in the progress.
 *
 * @example
 * const body = await observeCall('jscode2session', (progress) => callWithRetries(request, progress));
 */
export async function observeCall<T>(api: string, run: (progress: CallProgress) => Promise<T>): Promise<T> {
  if (!observed(CHANNELS.wechatStart) && !observed(CHANNELS.wechatEnd) && !observed(CHANNELS.wechatError)) {
    return run({ attempts: 0 });
  }
  const id = ++callCount;
  const startedAt = performance.now();
  const progress: CallProgress = { attempts: 0 };
  publish(CHANNELS.wechatStart, () => ({ id, api }));
  try {
    const result = await run(progress);
    publish(CHANNELS.wechatEnd, () => ({
      id,
      api,
      attempts: progress.attempts,
      durationMs: performance.now() - startedAt,
    }));
    return result;
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
