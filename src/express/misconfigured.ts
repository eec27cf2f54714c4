// The WX_MISCONFIGURED error of a guard whose request passed through no wxLogin(): what exists,
// where its requests were met, and so the one likely cause, instead of a list of guesses.

import type { Request } from 'express';
import { WxLoginError } from '../errors.js';
import { type MountedLogin, madeLogins } from './mounted-login.js';

/**
 * The error for `req`, which reached `requireWxSession()` without passing through any wxLogin().
 *
 * @example
 * if (loginsOf(req).length === 0) throw noLoginOnRequest(req);
 */
export function noLoginOnRequest(req: Request): WxLoginError {
  const path = pathOf(req);
  const here = `requireWxSession() at ${req.method} ${path} found no wxLogin() on this request`;
  return new WxLoginError('WX_MISCONFIGURED', `${here}: ${cause(req, path)}`);
}

function cause(req: Request, path: string): string {
  const logins = madeLogins();
  if (logins.length === 0) {
    return (
      'no wxLogin() was created in this process. Mount one before this route: app.use(wxLogin(options)). ' +
      '(If you did, the app loads express-wx-login twice, by import and by require: use one of them.)'
    );
  }
  // Met on this request's way (its app or a parent app, a mount path over this path): only after the route.
  const apps = appChain(req);
  const onTheWay = logins.flatMap((login) =>
    apps.flatMap((app) =>
      [...(login.seenAt.get(app) ?? [])].filter((at) => isUnder(path, at)).map((at) => place(login, at)),
    ),
  );
  if (onTheWay.length > 0) {
    return (
      `wxLogin() (${[...new Set(onTheWay)].join(', ')}) is on this request's path but after this route. ` +
      'Move app.use(wx) above the routes it protects.'
    );
  }
  const elsewhere = [
    ...new Set(logins.flatMap((login) => [...login.seenPaths].map((at) => place(login, at)))),
  ];
  const elsewhereNote =
    elsewhere.length === 0
      ? ''
      : `wxLogin() met requests only where this request does not pass (${elsewhere.join(', ')}): on a sibling router, another path or another Express app.`;
  const unmet = [
    ...new Set(logins.filter((login) => login.seenPaths.size === 0).map((login) => login.port.appId)),
  ];
  if (unmet.length > 0) {
    return (
      `wxLogin() for ${unmet.join(', ')} has not met any request yet: app.use(wx) is missing, or comes after this route. ` +
      `Mount it before the routes it protects.${elsewhereNote ? ` (${elsewhereNote})` : ''}`
    );
  }
  return `${elsewhereNote} Mount it on this app, or on a router that holds this route, before the route.`;
}

function place(login: MountedLogin, at: string): string {
  return `${login.port.appId} at ${at || '/'}`;
}

/** The Express app handling `req` and the apps it is mounted in (sub-apps know their `parent`). */
function appChain(req: Request): object[] {
  const chain: object[] = [];
  let app: unknown = req.app;
  while ((typeof app === 'function' || typeof app === 'object') && app !== null && !chain.includes(app)) {
    chain.push(app);
    app = (app as { parent?: unknown }).parent;
  }
  return chain;
}

/** The request's path as the client sent it, without the query. */
function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** Whether a middleware mounted at `mount` (a baseUrl) sees requests for `path`. */
function isUnder(path: string, mount: string): boolean {
  return mount === '' || path === mount || path.startsWith(`${mount}/`);
}
