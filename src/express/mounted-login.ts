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
  /**
   * Where requests met its middleware: per Express app (`req.app`), the mount paths (`req.baseUrl`,
   * '' for the app's root), a few per app. Only read to explain a misconfigured guard.
   */
  readonly seenAt: WeakMap<object, Set<string>>;
  /** The same mount paths for messages, the first few of all apps. */
  readonly seenPaths: Set<string>;
  /** Requests its middleware met, to look at the mount paths of only some (request-context.ts). */
  requestsMet: number;
}

const mounted = new WeakMap<WxAuth, MountedLogin>();
// Every wxLogin() made in this process, weakly: a guard that finds none on its request says which
// exist and where they were met, instead of guessing.
const made = new Set<WeakRef<MountedLogin>>();

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
    login = {
      auth,
      port,
      responder: new Responder(port.logger, settings),
      seenAt: new WeakMap(),
      seenPaths: new Set(),
      requestsMet: 0,
    };
    mounted.set(auth, login);
    made.add(new WeakRef(login));
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

/**
 * The wxLogin()s made in this process that are still alive, oldest first.
 *
 * @example
 * const appIds = madeLogins().map((login) => login.port.appId);
 */
export function madeLogins(): MountedLogin[] {
  const alive: MountedLogin[] = [];
  for (const ref of made) {
    const login = ref.deref();
    if (login) alive.push(login);
    else made.delete(ref);
  }
  return alive;
}
