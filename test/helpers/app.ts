// Builds what most tests need: a WeChat emulator on loopback and an Express app using the package
// against it, with a captured logger and every response recorded for the suite's leak watch; and
// a new user's login on such an app.

import { inspect } from 'node:util';
import express, { type Express } from 'express';
import request from 'supertest';
import { afterAll, expect } from 'vitest';
import {
  requireWxSession,
  type WxLoginMiddleware,
  type WxLoginOptions,
  wxErrorHandler,
  wxLogin,
} from '../../src/index.js';
import {
  startWeChatEmulator,
  type WeChatEmulator,
  type WeChatEmulatorOptions,
} from '../../src/testing/index.js';
import { record, secret } from './secret-watch.js';

export const TOKEN_SECRET = 'test-token-secret-0123456789-abcdefghijkl';
secret(TOKEN_SECRET);

export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A pino-style logger whose lines land in `lines` (and in the leak watch). */
export function captureLogger(): { logger: WxLoginOptions['logger'] & object; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const write = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    lines.push({ level, obj, msg });
    // inspect, not JSON: an Error in a log field (with its cause) is printed whole, as pino would.
    record(`${level} ${inspect(obj, { depth: Number.POSITIVE_INFINITY })} ${msg ?? ''}`);
  };
  return {
    logger: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
    lines,
  };
}

/** Starts an emulator that is closed after the test file; its secret joins the leak watch. */
export async function startEmulator(options?: WeChatEmulatorOptions): Promise<WeChatEmulator> {
  const emulator = await startWeChatEmulator(options);
  secret(emulator.appSecret);
  for (const app of options?.apps ?? []) secret(app.appSecret);
  afterAll(() => {
    // Runs before the leak check of secret-watch.ts (after-hooks run in reverse order).
    for (const key of emulator.issuedSessionKeys()) secret(key);
    return emulator.close();
  });
  return emulator;
}

/** What wxLogin() needs to talk to `emulator` as its first app, with the suite's token secret. */
export function emulatorOptions(
  emulator: WeChatEmulator,
): Pick<WxLoginOptions, 'appId' | 'appSecret' | 'tokenSecret' | 'apiBaseUrl'> {
  return {
    appId: emulator.appId,
    appSecret: emulator.appSecret,
    tokenSecret: TOKEN_SECRET,
    apiBaseUrl: emulator.url,
  };
}

/**
 * An empty app of `e` (Express 5 unless given, e.g. Express 4 from express-majors.ts) whose every
 * response is recorded for the leak watch, as apps of test/helpers are.
 */
export function recordingApp(e: typeof express = express): Express {
  const app = e();
  app.use((_req, res, next) => {
    recordResponse(res);
    next();
  });
  return app;
}

export interface TestApp {
  app: Express;
  middleware: WxLoginMiddleware;
  lines: LogLine[];
}

/**
 * An app with the package mounted against `emulator`: `/me` protected, `/maybe` optional,
 * `/werun` decrypting open data, plus `before` (ahead of the package) and `routes` (after it). `jsonParser: false` leaves body parsing to the package.
 */
export function buildApp(
  emulator: WeChatEmulator,
  overrides: Partial<WxLoginOptions> = {},
  options: { jsonParser?: boolean; before?: (app: Express) => void; routes?: (app: Express) => void } = {},
): TestApp {
  const { logger, lines } = captureLogger();
  const app = recordingApp();
  if (options.jsonParser !== false) app.use(express.json());
  options.before?.(app);
  const middleware = wxLogin({
    ...emulatorOptions(emulator),
    retryDelayMs: 5,
    // Long enough for a loaded two-core machine: a timed-out attempt may already have spent its
    // code at WeChat, so a short limit turns slowness into 401 WX_CODE_USED. Fault tests that
    // need a short limit set their own.
    timeoutMs: 10_000,
    logger,
    ...overrides,
  });
  afterAll(() => middleware.auth.close());
  app.use(middleware);
  app.get('/me', requireWxSession(), (req, res) => {
    res.json(req.wxUser);
  });
  app.get('/maybe', requireWxSession({ optional: true }), (req, res) => {
    res.json({ user: req.wxUser ?? null });
  });
  app.post('/werun', requireWxSession(), async (req, res, next) => {
    try {
      res.json(await req.wxUser!.decrypt(req.body?.encryptedData, req.body?.iv));
    } catch (err) {
      next(err);
    }
  });
  options.routes?.(app);
  app.use(wxErrorHandler());
  return { app, middleware, lines };
}

/**
 * Logs a new user of `emulator` in on `app` (POST /wx/login with a code of theirs); the user's
 * session_key joins the leak watch at once. The response is the test's to judge.
 */
export async function logInNewUser(
  app: Parameters<typeof request>[0],
  emulator: WeChatEmulator,
): Promise<{ res: request.Response; openid: string }> {
  const user = emulator.createUser();
  const res = await request(app)
    .post('/wx/login')
    .send({ code: emulator.issueLoginCode(user.openid) });
  secret(emulator.sessionKeyOf(user.openid));
  return { res, openid: user.openid };
}

/** logInNewUser(), expecting the login to answer 200; the user's openid and token. */
export async function loggedInUser(
  app: Parameters<typeof request>[0],
  emulator: WeChatEmulator,
): Promise<{ openid: string; token: string }> {
  const { res, openid } = await logInNewUser(app, emulator);
  expect(res.status).toBe(200);
  return { openid, token: res.body.token as string };
}

/** Records the headers and body of a response as it is sent. */
export function recordResponse(res: express.Response): void {
  const chunks: string[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => express.Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk) chunks.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') chunks.push(String(chunk));
    record(`${JSON.stringify(res.getHeaders())}\n${chunks.join('')}`);
    return end(chunk, ...rest);
  }) as typeof res.end;
}
