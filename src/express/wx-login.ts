// wxLogin(): the Express middleware. Serves POST /wx/login, /wx/logout and /wx/phone (paths
// configurable), parses their JSON bodies itself when the app did not, answers every error of its
// routes as JSON, and attaches the service for requireWxSession() on every request.

import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { WxAuthOptions } from '../core/options.js';
import { WxAuth } from '../core/wx-auth.js';
import { WxLoginError } from '../errors.js';
import { failOption, requireOptionsObject } from '../option-errors.js';
import { authenticateRequest } from './authenticate-request.js';
import { sendError } from './error-handler.js';
import { attachAuth } from './request-context.js';
import { clearTokenCookieIfUsed } from './token-cookie.js';

export interface WxLoginRoutes {
  /** Defaults to `'/wx/login'`. */
  login?: string;
  /** Defaults to `'/wx/logout'`. */
  logout?: string;
  /** Defaults to `'/wx/phone'`. */
  phone?: string;
}

export interface WxLoginOptions extends WxAuthOptions {
  /** Route paths, relative to where the middleware is mounted. */
  routes?: WxLoginRoutes;
  /** Largest JSON body accepted on the package's routes. Defaults to `'16kb'`. */
  bodyLimit?: string | number;
}

/** What `wxLogin()` returns: `app.use()` takes it as is. `auth` is the framework-free service. */
export type WxLoginMiddleware = [RequestHandler, ErrorRequestHandler] & { auth: WxAuth };

type Route = (req: Request, res: Response, auth: WxAuth) => Promise<void>;

const loginRoute: Route = async (req, res, auth) => {
  res.status(200).json(await auth.login(field(req.body, 'code')));
};

const logoutRoute: Route = async (req, res, auth) => {
  clearTokenCookieIfUsed(auth, req, res);
  const user = await authenticateRequest(auth, req, false);
  if (user) await auth.revokeSession(user.sessionId);
  res.status(204).end();
};

const phoneRoute: Route = async (req, res, auth) => {
  const user = await authenticateRequest(auth, req, false);
  if (!user) return;
  const phone = await auth.phoneNumberFor(user, field(req.body, 'code'));
  res.status(200).json({
    phoneNumber: phone.phoneNumber,
    purePhoneNumber: phone.purePhoneNumber,
    countryCode: phone.countryCode,
  });
};

/**
 * The WeChat Mini Program login for Express.
 *
 * @example
 * const app = express();
 * app.use(express.json());
 * app.use(wxLogin({ appId: process.env.WX_APP_ID!, appSecret: process.env.WX_APP_SECRET!, tokenSecret: process.env.WX_TOKEN_SECRET! }));
 * app.get('/me', requireWxSession(), (req, res) => res.json(req.wxUser));
 */
export function wxLogin(options: WxLoginOptions): WxLoginMiddleware {
  requireOptionsObject(options);
  const { routes: routeOptions, bodyLimit, ...authOptions } = options;
  const auth = new WxAuth(authOptions);
  const logger = auth.config.logger;
  const routes = buildRoutes(routeOptions);
  const parseJson = express.json({ limit: bodyLimit ?? '16kb' });

  const handler: RequestHandler = (req, res, next) => {
    attachAuth(req, auth);
    const route = req.method === 'POST' ? routes.get(req.path) : undefined;
    if (!route) {
      next();
      return;
    }
    const run = () => route(req, res, auth).catch((err: unknown) => sendError(res, err, logger));
    if (req.body !== undefined) {
      void run();
      return;
    }
    parseJson(req, res, (err?: unknown) => {
      if (err) sendError(res, err, logger);
      else void run();
    });
  };

  // Errors raised before our handler on our routes, such as the app's own express.json()
  // refusing a body, arrive here; they are answered in our format. Others pass on.
  const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
    if (req.method === 'POST' && routes.has(req.path)) sendError(res, err, logger);
    else next(err);
  };

  return Object.assign([handler, errorHandler] as [RequestHandler, ErrorRequestHandler], { auth });
}

function buildRoutes(options: WxLoginRoutes | undefined): Map<string, Route> {
  const paths = { login: '/wx/login', logout: '/wx/logout', phone: '/wx/phone', ...options };
  const routes = new Map<string, Route>();
  for (const [name, route] of [
    ['login', loginRoute],
    ['logout', logoutRoute],
    ['phone', phoneRoute],
  ] as const) {
    const path = paths[name];
    if (typeof path !== 'string' || !path.startsWith('/')) {
      failOption(`routes.${name}`, 'must be a path starting with "/"');
    }
    if (routes.has(path)) failOption(`routes.${name}`, `repeats the path ${path}`);
    routes.set(path, route);
  }
  return routes;
}

/** An own property of a JSON object body; prototype keys such as `__proto__` never count. */
function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WxLoginError('WX_INVALID_REQUEST', 'the request body must be a JSON object');
  }
  return Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
}
