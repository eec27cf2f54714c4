// Builds what web-login tests need: an emulator knowing a mini program, an official account and a
// website app, and the test app listening on a real loopback port (redirect_uri is absolute).

import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { afterAll, beforeEach } from 'vitest';
import {
  type LoginEvent,
  requireWxSession,
  type WxLoginMiddleware,
  type WxLoginOptions,
  type WxOAuthMiddleware,
  type WxOAuthOptions,
  wxOAuth,
} from '../../src/index.js';
import type { WeChatEmulator } from '../../src/testing/index.js';
import { buildApp, type LogLine, startEmulator } from './app.js';
import { secret } from './secret-watch.js';

export const MINI = { appId: 'wx_mini_program_01', appSecret: 'mini_secret_0123456789abcdef0000' };
export const OFFICIAL = {
  appId: 'wx_official_acct_1',
  appSecret: 'official_secret_0123456789abcdef',
  oauthScopes: ['snsapi_base' as const, 'snsapi_userinfo' as const],
};
export const WEBSITE = {
  appId: 'wx_website_app_001',
  appSecret: 'website_secret_0123456789abcdef0',
  oauthScopes: ['snsapi_login' as const],
};

/** An emulator with the three apps, closed after the test file. */
export function startWebEmulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<WeChatEmulator> {
  return startEmulator({ apps: [MINI, OFFICIAL, WEBSITE], ...options });
}

/**
 * The options of the official account's H5 login for an app at `base`: `snsapi_userinfo` against
 * the emulator, the token delivered as a cookie over plain http.
 */
export function officialOAuth(
  auth: WxOAuthOptions['auth'],
  emulator: WeChatEmulator,
  base: string,
): WxOAuthOptions {
  return {
    auth,
    appId: OFFICIAL.appId,
    appSecret: OFFICIAL.appSecret,
    scope: 'snsapi_userinfo',
    redirectUri: `${base}/wx/web/callback`,
    authorizeBaseUrl: emulator.url,
    cookie: { secure: false },
  };
}

/**
 * The web-login suites' fixture: the three-app emulator, the default web app on it, and before
 * each test a clean slate (no faults, no calls logged, users who consent, no logins seen).
 */
export async function startWebSuite(): Promise<{ emulator: WeChatEmulator; web: WebApp }> {
  const emulator = await startWebEmulator();
  const web = await startWebApp(emulator);
  beforeEach(() => {
    emulator.clearFaults();
    emulator.resetCalls();
    emulator.oauthUser({ consent: 'allow' });
    web.logins.length = 0;
  });
  return { emulator, web };
}

export interface WebApp {
  /** `http://127.0.0.1:PORT` */
  base: string;
  app: Express;
  wx: WxLoginMiddleware;
  /** The official account's H5 login unless `oauth` overrides it. */
  oauth: WxOAuthMiddleware;
  lines: LogLine[];
  /** Every onLogin event, in order. */
  logins: LoginEvent[];
}

/**
 * The test app: wxLogin for the mini program, one wxOAuth (official account, `snsapi_userinfo`,
 * cookie delivery over plain http unless overridden), `/me` and an HTML `/account` page.
 */
export async function startWebApp(
  emulator: WeChatEmulator,
  options: {
    oauth?: Partial<WxOAuthOptions>;
    login?: Partial<WxLoginOptions>;
    more?: (app: Express, wx: WxLoginMiddleware, base: string) => void;
    /** Serve over https with this key and certificate (browser tests with `__Host-` cookies). */
    tls?: { key: string; cert: string };
    /** The host name in `base` (still listening on 127.0.0.1); defaults to `127.0.0.1`. */
    hostname?: string;
  } = {},
): Promise<WebApp> {
  const server = options.tls ? createHttpsServer(options.tls) : createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = options.tls ? 'https' : 'http';
  const base = `${scheme}://${options.hostname ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.on('close', () => server.closeAllConnections());

  const logins: LoginEvent[] = [];
  const built = buildApp(emulator, {
    onLogin: (event) => {
      logins.push(event);
      // The user's OAuth tokens are the app's alone: no response or log line may carry them.
      secret(event.oauth?.accessToken);
      secret(event.oauth?.refreshToken);
      return { userId: `user-of-${event.unionid ?? event.openid}` };
    },
    ...options.login,
  });
  const oauth = wxOAuth({ ...officialOAuth(built.middleware.auth, emulator, base), ...options.oauth });
  afterAll(() => oauth.close());
  built.app.use(oauth);
  built.app.get('/account', requireWxSession({ optional: true }), (req, res) => {
    const who = req.wxUser
      ? `<p id="openid">${req.wxUser.openid}</p>`
      : '<p id="anonymous">not logged in</p>';
    res.type('html').send(`<!DOCTYPE html><html><body><h1>Account</h1>${who}</body></html>`);
  });
  options.more?.(built.app, built.middleware, base);
  server.on('request', built.app);
  return { base, app: built.app, wx: built.middleware, oauth, lines: built.lines, logins };
}
