// wxLogin(): the Express middleware. Serves POST /wx/login, /wx/logout, /wx/phone (and /wx/refresh
// in renewal mode), reads their JSON bodies whatever parsers the app mounted, answers their
// errors, and records itself in the request context for requireWxSession().

import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { WxAuthOptions } from '../core/options.js';
import { WxAuth } from '../core/wx-auth.js';
import { WxLoginError } from '../errors.js';
import { failOption, omitUndefined, pathOption } from '../options-toolkit.js';
import { jsonBodyReader } from './json-body.js';
import { mountedLoginOf } from './mounted-login.js';
import { enterLogin } from './request-context.js';
import { requestToken, tokenMissing } from './request-token.js';
import { parseGuardOptions, type RequireWxSessionOptions } from './require-wx-session.js';
import {
  DEFAULT_RESPONSE_SETTINGS,
  mergeSettings,
  takeResponseOptions,
  type WxResponseOptions,
} from './response-options.js';
import { guardRequest } from './session-guard.js';
import { clearTokenCookieIfUsed } from './token-cookie.js';
import { summarizeUserAgent } from './user-agent.js';

export interface WxLoginRoutes {
  /** Defaults to `'/wx/login'`. */
  login?: string;
  /** Defaults to `'/wx/logout'`. */
  logout?: string;
  /** Defaults to `'/wx/phone'`. */
  phone?: string;
  /** Defaults to `'/wx/refresh'`; served only with the `refresh` option. */
  refresh?: string;
}

export interface WxLoginOptions extends WxAuthOptions<Request>, WxResponseOptions {
  /** Route paths, relative to where the middleware is mounted. */
  routes?: WxLoginRoutes;
  /** Largest JSON body accepted on the package's routes (bytes, or a size such as `'16kb'`). Defaults to `'16kb'`. */
  bodyLimit?: string | number;
}

/** What `wxLogin()` returns: `app.use()` takes it as is. */
export type WxLoginMiddleware = [RequestHandler, ErrorRequestHandler] & {
  /** The framework-free service: `auth.login()`, `auth.getAccessToken()`, ... */
  auth: WxAuth;
  /**
   * A route guard bound to this wxLogin(): like `requireWxSession()`, but accepts only this
   * app's tokens and needs no lookup of which wxLogin() the request passed through.
   */
  guard(options?: Omit<RequireWxSessionOptions, 'appId'>): RequestHandler;
};

type Route = (req: Request, res: Response, next: NextFunction, body: unknown) => Promise<void>;

/**
 * The WeChat Mini Program login for Express.
 *
 * @example
 * const app = express();
 * const wx = wxLogin({ appId: process.env.WX_APP_ID!, appSecret: process.env.WX_APP_SECRET!, tokenSecret: process.env.WX_TOKEN_SECRET! });
 * app.use(wx);
 * app.get('/me', wx.guard(), (req, res) => res.json(req.wxUser));
 */
export function wxLogin(options: WxLoginOptions): WxLoginMiddleware {
  const { routes: routeOptions, bodyLimit, ...rest } = omitUndefined(options) as WxLoginOptions;
  const limit = parseBodyLimit(bodyLimit);
  const { settings, others: authOptions } = takeResponseOptions(rest);
  const response = mergeSettings(DEFAULT_RESPONSE_SETTINGS, settings);
  const auth = new WxAuth({
    describeClient: (req?: Request) => summarizeUserAgent(req?.headers['user-agent']),
    ...authOptions,
  } as WxAuthOptions);
  const login = mountedLoginOf(auth, 'auth', response);
  const readJson = jsonBodyReader(limit);

  const authenticated = async (req: Request) => {
    const token = requestToken(req, [login]);
    if (token === undefined) throw tokenMissing();
    return auth.authenticate(token, req);
  };
  const routes = buildRoutes(routeOptions, {
    login: async (req, res, _next, body) => {
      login.responder.ok(req, res, 200, await auth.login(field(body, 'code'), req));
    },
    // `{ "all": true }` logs the user out everywhere: every session of their openid and unionid.
    logout: async (req, res, _next, body) => {
      const all = logoutAll(body);
      clearTokenCookieIfUsed(auth, req, res);
      const user = await authenticated(req);
      if (all) await auth.revokeUser({ openid: user.openid, unionid: user.unionid });
      else await auth.revokeSession(user.sessionId, user);
      login.responder.ok(req, res, 204, undefined);
    },
    phone: async (req, res, _next, body) => {
      const user = await authenticated(req);
      const phone = await user.getPhoneNumber(field(body, 'code'));
      login.responder.ok(req, res, 200, {
        phoneNumber: phone.phoneNumber,
        purePhoneNumber: phone.purePhoneNumber,
        countryCode: phone.countryCode,
      });
    },
    // Renewal mode only: `{ refreshToken }` in, a new token pair out; no Authorization needed, as
    // the access token has usually expired by then.
    ...(auth.renews && {
      refresh: async (req: Request, res: Response, _next: NextFunction, body: unknown) => {
        login.responder.ok(req, res, 200, await auth.renew(field(body, 'refreshToken')));
      },
    }),
  });

  const handler: RequestHandler = (req, res, next) => {
    enterLogin(req, login);
    const route = req.method === 'POST' ? routes.get(req.path) : undefined;
    if (!route) {
      next();
      return;
    }
    readJson(req, res, (err, body) => {
      if (err) {
        login.responder.fail(req, res, next, err);
        return;
      }
      route(req, res, next, body).catch((routeErr: unknown) =>
        login.responder.fail(req, res, next, routeErr),
      );
    });
  };

  // Errors raised before our handler on our routes, such as the app's own express.json()
  // refusing a body, arrive here; they are answered as ours. Others pass on.
  const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
    if (req.method === 'POST' && routes.has(req.path)) login.responder.fail(req, res, next, err);
    else next(err);
  };

  const guard = (guardOptions: Omit<RequireWxSessionOptions, 'appId'> = {}): RequestHandler => {
    const policy = parseGuardOptions(guardOptions);
    return (req, res, next) => guardRequest(req, res, next, [login], policy, login.responder);
  };

  return Object.assign([handler, errorHandler] as [RequestHandler, ErrorRequestHandler], { auth, guard });
}

function buildRoutes(
  options: WxLoginRoutes | undefined,
  handlers: Partial<Record<keyof WxLoginRoutes, Route>>,
): Map<string, Route> {
  const paths = {
    login: '/wx/login',
    logout: '/wx/logout',
    phone: '/wx/phone',
    refresh: '/wx/refresh',
    ...omitUndefined(options ?? {}),
  };
  const routes = new Map<string, Route>();
  for (const name of ['login', 'logout', 'phone', 'refresh'] as const) {
    const handler = handlers[name];
    if (!handler) continue;
    const path = pathOption(paths[name], `routes.${name}`);
    if (routes.has(path)) failOption(`routes.${name}`, `repeats the path ${path}`);
    routes.set(path, handler);
  }
  return routes;
}

const SIZE = /^\d+(?:\.\d+)?\s*(?:b|kb|mb)?$/i;

function parseBodyLimit(value: unknown): string | number {
  if (value === undefined) return '16kb';
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string' && SIZE.test(value.trim())) return value;
  failOption('bodyLimit', 'must be a positive number of bytes or a size such as "16kb"');
}

/** An own property of a JSON object body; prototype keys such as `__proto__` never count. */
function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WxLoginError('WX_INVALID_REQUEST', 'the request body must be a JSON object');
  }
  return Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}

/** Whether a logout body asks to end every session of the user; no JSON object means no. */
function logoutAll(body: unknown): boolean {
  // Logout never needed a body: whatever else a client sends along keeps meaning "this session".
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const all = field(body, 'all');
  if (all !== undefined && typeof all !== 'boolean') {
    throw new WxLoginError('WX_INVALID_REQUEST', '"all" must be true or false');
  }
  return all === true;
}
