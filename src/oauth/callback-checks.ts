// The checks of a web login's callback before WeChat is called at all: the state is present, well
// formed, bound to this browser, signed for this web app and unexpired, and its nonce claimed once.

import { CODE_PATTERN } from '../constants.js';
import { WxLoginError } from '../errors.js';
import { log, type WxLogger } from '../logger.js';
import type { OAuthCallback } from './flow-types.js';
import { type OAuthNonces, OAuthStateCodec } from './state.js';

/**
 * What the checks need of one web login: its state codec and nonces, and its settings.
 *
 * @example
 * const checks: CallbackChecks = { codec, nonces, webAppId: 'wxWeb', allowMissingStateCookie: false, logger };
 */
export interface CallbackChecks {
  codec: OAuthStateCodec;
  nonces: OAuthNonces;
  webAppId: string;
  /** Accept a callback without the state cookie (its `returnTo` is then lost). */
  allowMissingStateCookie: boolean;
  logger: WxLogger | undefined;
}

/**
 * Checks a callback and claims its state's nonce (the first write of the whole flow); resolves
 * the `returnTo` the state cookie carried (`'/'` without one). Throws WX_OAUTH_STATE_MISSING,
 * WX_OAUTH_STATE_INVALID, WX_OAUTH_STATE_MISMATCH, or WX_INVALID_REQUEST for a malformed code.
 *
 * @example
 * const returnTo = await checkCallback({ state, code, binding }, checks);
 */
export async function checkCallback(input: OAuthCallback, checks: CallbackChecks): Promise<string> {
  const { state, code, binding } = input;
  const { codec } = checks;
  if (state === undefined || state === '') {
    throw refuse(checks, 'WX_OAUTH_STATE_MISSING', 'the callback has no state; start the login again');
  }
  if (!OAuthStateCodec.wellFormed(state)) {
    throw refuse(checks, 'WX_OAUTH_STATE_INVALID', 'the login state is unknown, expired or already used');
  }
  // Without the cookie (allowMissingStateCookie), the state alone is checked and returnTo is lost.
  let returnTo = '/';
  if (binding === undefined) {
    if (!checks.allowMissingStateCookie) {
      throw refuse(
        checks,
        'WX_OAUTH_STATE_MISMATCH',
        'this browser did not start the login (no state cookie); start it again',
      );
    }
    log(checks.logger, 'info', { appId: checks.webAppId }, 'web login without state cookie');
  } else {
    const bound = codec.readCookie(binding, state);
    if (!bound) {
      throw refuse(checks, 'WX_OAUTH_STATE_MISMATCH', 'this browser did not start the login; start it again');
    }
    returnTo = bound.returnTo;
  }
  const signed = codec.readState(state);
  if (!signed || codec.expired(signed.expiresAt)) {
    throw refuse(checks, 'WX_OAUTH_STATE_INVALID', 'the login state is unknown, expired or already used');
  }
  if (code !== undefined && !CODE_PATTERN.test(code)) {
    throw new WxLoginError('WX_INVALID_REQUEST', '"code" must be 1-128 visible ASCII characters');
  }
  // The first write of the whole flow, for a state signed here minutes ago and not yet expired.
  if (!(await checks.nonces.claim(signed))) {
    throw refuse(checks, 'WX_OAUTH_STATE_INVALID', 'the login state is unknown, expired or already used');
  }
  return returnTo;
}

function refuse(
  checks: CallbackChecks,
  code: 'WX_OAUTH_STATE_MISSING' | 'WX_OAUTH_STATE_INVALID' | 'WX_OAUTH_STATE_MISMATCH',
  message: string,
): WxLoginError {
  log(checks.logger, 'info', { appId: checks.webAppId, code }, 'web login refused');
  return new WxLoginError(code, message);
}
