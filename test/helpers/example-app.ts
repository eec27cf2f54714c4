// Runs the example backend (example-app/app.ts) in the test's process on a free port, closed after
// the file, with its secrets in the suite's leak watch; plus a small JSON client for it.

import { randomBytes } from 'node:crypto';
import * as asInstalled from 'express-wx-login';
import { afterAll } from 'vitest';
import { type CreateExampleOptions, type RunningExample, startExample } from '../../example-app/app.js';
import type { User } from '../../example-app/db/index.js';
import * as src from '../../src/index.js';
import { record, secret } from './secret-watch.js';

// The example imports 'express-wx-login' like a user would. Unless vitest maps that name to src/
// (tsconfig paths), Node's self-reference would load dist/ instead: a stale or missing build.
if (asInstalled.WxLoginError !== src.WxLoginError) {
  throw new Error(
    "'express-wx-login' does not resolve to src/ in vitest: vitest.config.ts needs `resolve: { tsconfigPaths: true }`",
  );
}

/** Starts the example (emulator mode, SQLite in memory unless told otherwise). */
export async function startTestExample(options: CreateExampleOptions = {}): Promise<RunningExample> {
  const example = await startExample({
    tokenSecret: randomBytes(32).toString('base64url'),
    sqliteFile: ':memory:',
    ...options,
  });
  afterAll(() => example.close());
  if (example.emulator) secret(example.emulator.appSecret);
  return example;
}

export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  /** What the test expects the route to answer; assertions check it. */
  body: T;
}

/** The shapes the example's routes answer with. */
export interface ErrorBody {
  error: { code: string; message: string };
}
export interface LoginBody {
  token: string;
  tokenType: string;
  expiresIn: number;
  openid: string;
  unionid?: string;
  user?: { userId: number };
}
export interface MeBody {
  session: { openid: string; unionid?: string; appId: string; sessionId: string; user?: { userId: number } };
  user: User | null;
}
export interface WeRunBody {
  stepInfoList: Array<{ timestamp: number; step: number }>;
  totalSteps: number;
  days: number;
}
export interface PhoneBody {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}
export interface DevCodeBody {
  code: string;
  openid: string;
}
export interface SampleBody {
  encryptedData: string;
  iv: string;
}

/** One JSON request; every answer goes to the leak watch. */
export async function call<T = ErrorBody>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string | undefined } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  record(`${JSON.stringify([...res.headers])}\n${text}`);
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** The dev routes' login code, then POST /wx/login; the user's session_key joins the leak watch. */
export async function logIn(
  example: RunningExample,
  openid?: string,
): Promise<{ token: string; openid: string; body: LoginBody }> {
  const issued = await call<DevCodeBody>(example.url, 'POST', '/dev/login-code', {
    body: openid ? { openid } : {},
  });
  const res = await call<LoginBody>(example.url, 'POST', '/wx/login', { body: { code: issued.body.code } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  secret(example.emulator?.sessionKeyOf(res.body.openid));
  return { token: res.body.token, openid: res.body.openid, body: res.body };
}
