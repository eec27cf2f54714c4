// wxOAuth(): the Express middleware of WeChat web login (official-account H5 pages, website QR
// login). GET start redirects to WeChat with a signed state, storing nothing; GET callback logs in.

import type { Request, RequestHandler, Response } from 'express';
import type { WxAuth } from '../core/wx-auth.js';
import { isWxLoginError, WxLoginError } from '../errors.js';
import { log } from '../logger.js';
import { OAuthLogin, type OAuthOutcome } from '../oauth/oauth-login.js';
import type { OAuthOptions } from '../oauth/options.js';
import { booleanOption, failOption as fail, omitUndefined, oneOf, pathOption } from '../options-toolkit.js';
import { mountedLoginOf } from './mounted-login.js';
import { navigateTop, redirect, withParam } from './navigation.js';
import { parseCookie, stateCookieNameFor, type WxOAuthCookieOptions } from './oauth-cookies.js';
import { enterLogin } from './request-context.js';
import { cookieValues, registerTokenCookie, serializeCookie } from './token-cookie.js';

export type { WxOAuthCookieOptions } from './oauth-cookies.js';

export interface WxOAuthRoutes {
  /**
   * Defaults to `'/wx/web/login'`. Accepts `?returnTo=/a/local/path`. Redirects to WeChat; with
   * `Accept: application/json` answers `{ url, appid, scope, redirectUri, state }` instead.
   */
  start?: string;
  /** Defaults to `'/wx/web/callback'`: the path of `redirectUri` as this middleware sees it. */
  callback?: string;
}

export interface WxOAuthOptions extends OAuthOptions {
  /** The service of the `wxLogin()` whose sessions and tokens web users get: `wxLogin(...).auth`. Required. */
  auth: WxAuth;
  /** Route paths, relative to where the middleware is mounted. */
  routes?: WxOAuthRoutes;
  /**
   * `'cookie'` (default): the token in an HttpOnly, SameSite=Lax cookie, then a redirect to
   * `returnTo`. `'json'`: the callback answers the body of `POST /wx/login`.
   */
  deliver?: 'cookie' | 'json';
  /** The cookies' attributes. */
  cookie?: WxOAuthCookieOptions;
  /**
   * Website QR login embedded with wxLogin.js and `self_redirect: true`: the callback runs inside
   * the QR iframe, so it answers a tiny page that takes the top window to `returnTo` instead of a
   * redirect. Callbacks that a browser marks `Sec-Fetch-Dest: iframe` get that page anyway.
   * Defaults to `false`.
   */
  selfRedirect?: boolean;
}

/** What `wxOAuth()` returns: `app.use()` takes it as is. */
export type WxOAuthMiddleware = RequestHandler & {
  /** The framework-free service behind it: `authorizeUrl()`, `begin()`, `complete()`, `refreshUserToken()`. */
  oauth: OAuthLogin;
  /** @deprecated The same object as `oauth` (its name before 0.2). */
  webLogin: OAuthLogin;
  /** Releases keep-alive sockets to WeChat. */
  close(): void;
};

/** Cookie names starting so are the state cookies' (one per web app): never the token cookie's. */
/**
 * WeChat web login, sharing the sessions of a `wxLogin()`: `requireWxSession()` accepts web users
 * (by the token cookie when there is no Authorization header) like mini-program users.
 *
 * @example
 * const wx = wxLogin({ appId: MINI_APP_ID, appSecret: MINI_SECRET, tokenSecret });
 * app.use(wx);
 * app.use(wxOAuth({ auth: wx.auth, appId: MP_APP_ID, appSecret: MP_SECRET, scope: 'snsapi_userinfo', redirectUri: 'https://example.com/wx/web/callback' }));
 * // <a href="/wx/web/login?returnTo=/account">Log in with WeChat</a>
 * app.get('/account', requireWxSession(), (req, res) => res.json(req.wxUser));
 */
export function wxOAuth(options: WxOAuthOptions): WxOAuthMiddleware {
  const all = omitUndefined(options);
  const {
    auth,
    routes: routeOptions,
    cookie = {},
    selfRedirect: _selfRedirect,
    ...webOptions
  } = all as WxOAuthOptions;
  const login = mountedLoginOf(auth, 'auth');
  const deliver = oneOf(all, 'deliver', ['cookie', 'json'] as const, 'cookie');
  const selfRedirect = booleanOption(all, 'selfRedirect', false);
  const settings = parseCookie(cookie);
  const routes = parseRoutes(routeOptions);
  const web = new OAuthLogin(login.port, webOptions);
  const stateCookieName = stateCookieNameFor(web.config.appId, settings.secure);
  const { logger, tokenTtl } = login.port;
  if (!web.config.callbackPath.endsWith(routes.callback)) {
    log(
      logger,
      'warn',
      { redirectUri: web.config.redirectUri, callback: routes.callback },
      'the path of redirectUri does not end with routes.callback: is the callback route reachable?',
    );
  }
  if (deliver === 'cookie') registerTokenCookie(auth, settings);
  // Host-only and Path=/, as `__Host-` requires (a sibling subdomain cannot toss one in). It reaches
  // the app's other routes too, which only carry an HttpOnly, signed value for at most stateTtlSeconds.
  const stateCookie = (value: string, maxAgeSeconds: number) =>
    serializeCookie(stateCookieName, value, { maxAgeSeconds, path: '/', secure: settings.secure });

  const start = async (req: Request, res: Response) => {
    const returnTo = new URLSearchParams(queryOf(req)).getAll('returnTo');
    const started = await web.begin(returnTo.length === 1 ? returnTo[0] : undefined);
    res.setHeader('Cache-Control', 'no-store');
    res.append('Set-Cookie', stateCookie(started.binding, web.config.stateTtlSeconds));
    if (req.accepts(['html', 'json']) === 'json') {
      // For pages that build the link themselves, as wxLogin.js's embedded QR code does.
      res.status(200).json({
        url: started.url,
        appid: web.config.appId,
        scope: web.config.scope,
        redirectUri: web.config.redirectUri,
        state: started.state,
      });
      return;
    }
    redirect(res, started.url);
  };

  const callback = async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    // The callback URL holds the code: keep it out of Referer headers of whatever comes next.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const query = new URLSearchParams(queryOf(req));
    let outcome: OAuthOutcome;
    try {
      outcome = await web.complete(
        {
          state: single(query, 'state'),
          code: single(query, 'code'),
          binding: cookieValues(req, stateCookieName)[0],
        },
        req,
      );
    } catch (err) {
      // A state cookie of a foreign flow may belong to a login this browser has under way: keep it.
      if (!(isWxLoginError(err) && err.code === 'WX_OAUTH_STATE_MISMATCH')) {
        res.append('Set-Cookie', stateCookie('', 0));
      }
      throw err;
    }
    res.append('Set-Cookie', stateCookie('', 0));
    // Inside wxLogin.js's QR iframe a redirect would load the site in the iframe: move the top window.
    const go =
      selfRedirect || req.get('sec-fetch-dest') === 'iframe'
        ? (path: string) => navigateTop(res, path)
        : (path: string) => redirect(res, path);
    if (outcome.kind === 'denied') {
      if (deliver === 'json')
        throw new WxLoginError('WX_OAUTH_DENIED', 'the user did not authorize the login');
      go(withParam(outcome.returnTo, 'wx_login', 'denied'));
      return;
    }
    if (outcome.kind === 'snapshot') {
      if (deliver === 'json') {
        throw new WxLoginError(
          'WX_OAUTH_SNAPSHOT_USER',
          'WeChat opened the page in snapshot mode (快照页): tap "使用完整服务" (use the full service), then log in again',
        );
      }
      go(withParam(outcome.returnTo, 'wx_login', 'snapshot'));
      return;
    }
    if (deliver === 'json') {
      login.responder.ok(req, res, 200, outcome.result);
      return;
    }
    res.append(
      'Set-Cookie',
      serializeCookie(settings.name, outcome.result.token, {
        maxAgeSeconds: tokenTtl,
        path: '/',
        secure: settings.secure,
        domain: settings.domain,
      }),
    );
    go(outcome.returnTo);
  };

  const handler: RequestHandler = (req, res, next) => {
    // requireWxSession() finds the sessions' wxLogin() through here too (once, if both are mounted).
    enterLogin(req, login);
    const route =
      req.method !== 'GET' && req.method !== 'HEAD'
        ? undefined
        : req.path === routes.start
          ? start
          : req.path === routes.callback
            ? callback
            : undefined;
    if (!route) {
      next();
      return;
    }
    route(req, res).catch((err: unknown) => login.responder.fail(req, res, next, err));
  };

  return Object.assign(handler, { oauth: web, webLogin: web, close: () => web.close() });
}

function parseRoutes(options: WxOAuthRoutes | undefined): Required<WxOAuthRoutes> {
  const routes = { start: '/wx/web/login', callback: '/wx/web/callback', ...omitUndefined(options ?? {}) };
  for (const name of ['start', 'callback'] as const) pathOption(routes[name], `routes.${name}`);
  if (routes.start === routes.callback) fail('routes.callback', 'must differ from routes.start');
  return routes;
}

/** The raw query string: parsed here, not by the app's query parser, so repeats are seen. */
function queryOf(req: Request): string {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new WxLoginError('WX_INVALID_REQUEST', `"${name}" must appear once`);
  return values[0];
}
