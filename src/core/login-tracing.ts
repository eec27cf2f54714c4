// The login events of diagnostics_channel (start, end, error) around one login of either source,
// with its duration; nothing is measured or built when nobody subscribes.

import { CHANNELS, observed, publish } from '../diagnostics.js';
import { isWxLoginError } from '../errors.js';
import type { LoginResult } from './session-issuer.js';

/**
 * Runs `login`, publishing `login:start`, then `login:end` or `login:error`.
 *
 * @example
 * return traceLogin(appId, 'miniprogram', () => exchange(code));
 */
export async function traceLogin(
  appId: string,
  source: 'miniprogram' | 'web',
  login: () => Promise<LoginResult>,
): Promise<LoginResult> {
  if (!observed(CHANNELS.loginStart) && !observed(CHANNELS.loginEnd) && !observed(CHANNELS.loginError)) {
    return login();
  }
  const startedAt = performance.now();
  publish(CHANNELS.loginStart, () => ({ appId, source }));
  try {
    const result = await login();
    publish(CHANNELS.loginEnd, () => ({
      appId,
      source,
      openid: result.openid,
      durationMs: performance.now() - startedAt,
    }));
    return result;
  } catch (err) {
    publish(CHANNELS.loginError, () => ({
      appId,
      source,
      code: isWxLoginError(err) ? err.code : 'WX_INTERNAL_ERROR',
      status: isWxLoginError(err) ? err.status : 500,
      durationMs: performance.now() - startedAt,
    }));
    throw err;
  }
}
