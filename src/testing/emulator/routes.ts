// Which path is which WeChat endpoint, and the handler that answers it.

import type { EndpointHandler } from './endpoint.js';
import { classicToken, stableToken } from './endpoints/access-token.js';
import { code2Session } from './endpoints/code2session.js';
import { phoneNumber } from './endpoints/phone-number.js';
import { checkSession, resetSessionKey } from './endpoints/session-key.js';
import type { EmulatorEndpoint } from './types.js';

/**
 * The WeChat paths the emulator serves. Any other path is answered 404.
 *
 * @example
 * ROUTES.get('/sns/jscode2session'); // { endpoint: 'jscode2session', handler: code2Session }
 */
export const ROUTES: ReadonlyMap<string, { endpoint: EmulatorEndpoint; handler: EndpointHandler }> = new Map([
  ['/sns/jscode2session', { endpoint: 'jscode2session', handler: code2Session }],
  ['/cgi-bin/token', { endpoint: 'token', handler: classicToken }],
  ['/cgi-bin/stable_token', { endpoint: 'stable_token', handler: stableToken }],
  ['/wxa/business/getuserphonenumber', { endpoint: 'getuserphonenumber', handler: phoneNumber }],
  ['/wxa/checksession', { endpoint: 'checksession', handler: checkSession }],
  ['/wxa/resetusersessionkey', { endpoint: 'resetusersessionkey', handler: resetSessionKey }],
]);
