// One wxLogin() as the Express layer sees it: its service, the port's few settings, and how its
// answers are written. What guards and routes of that wxLogin() share.

import type { AuthPort } from '../core/auth-port.js';
import { portOf } from '../core/auth-port.js';
import type { WxAuth } from '../core/wx-auth.js';
import { failOption } from '../options-toolkit.js';
import { Responder } from './responder.js';
import { DEFAULT_RESPONSE_SETTINGS, type ResponseSettings } from './response-options.js';

/** A wxLogin() mounted on an Express app or router. */
export interface MountedLogin {
  readonly auth: WxAuth;
  readonly port: AuthPort;
  /** Writes this wxLogin()'s answers and errors (its response options). */
  readonly responder: Responder;
}

const mounted = new WeakMap<WxAuth, MountedLogin>();

/**
 * The one MountedLogin of `auth`, made on first use, so that a wxLogin() and the wxOAuth()s that
 * share its sessions appear once in a request's context. `settings` (wxLogin()'s response
 * options) apply when this call makes it.
 *
 * @example
 * const login = mountedLoginOf(auth, 'auth');
 */
export function mountedLoginOf(
  auth: WxAuth,
  option: string,
  settings: ResponseSettings = DEFAULT_RESPONSE_SETTINGS,
): MountedLogin {
  let login = mounted.get(auth);
  if (!login) {
    const port = requirePort(auth, option);
    login = { auth, port, responder: new Responder(port.logger, settings) };
    mounted.set(auth, login);
  }
  return login;
}

/**
 * The port of `auth`, or a TypeError naming `option` for anything that is not a WxAuth.
 *
 * @example
 * const port = requirePort(options.auth, 'auth');
 */
export function requirePort(auth: unknown, option: string): AuthPort {
  const port = portOf(auth);
  if (!port) failOption(option, 'is required: pass wxLogin(...).auth');
  return port;
}
