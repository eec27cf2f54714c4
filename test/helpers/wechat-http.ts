// Helpers for the emulator's own tests: plain fetch calls to its WeChat paths, and the signature
// WeChat's session-key endpoints expect, computed here independently of the package.

import { createHmac } from 'node:crypto';
import type { WeChatEmulator } from '../../src/testing/index.js';

export interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  /** The parsed JSON body (empty when the body is not JSON). */
  json: Record<string, unknown>;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, contentType: res.headers.get('content-type'), text, json };
}

/** GET `path?query` on the emulator. */
export async function get(
  emulator: WeChatEmulator,
  path: string,
  query: Record<string, string> = {},
  init: RequestInit = {},
): Promise<Answer> {
  return answer(await fetch(`${emulator.url}${path}?${new URLSearchParams(query)}`, init));
}

/** POST `path?query` with a JSON body (or the string given as is). */
export async function post(
  emulator: WeChatEmulator,
  path: string,
  body: unknown,
  query: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${emulator.url}${path}?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return answer(res);
}

/** code2Session for the emulator's first app. */
export function code2Session(emulator: WeChatEmulator, code: string): Promise<Answer> {
  return get(emulator, '/sns/jscode2session', {
    appid: emulator.appId,
    secret: emulator.appSecret,
    js_code: code,
    grant_type: 'authorization_code',
  });
}

/** A stable_token of the first app (or of `app`). */
export async function stableToken(
  emulator: WeChatEmulator,
  force = false,
  app = { appId: emulator.appId, appSecret: emulator.appSecret },
): Promise<Answer> {
  return post(emulator, '/cgi-bin/stable_token', {
    grant_type: 'client_credential',
    appid: app.appId,
    secret: app.appSecret,
    force_refresh: force,
  });
}

/** A /cgi-bin/token access_token of the first app. */
export function classicToken(emulator: WeChatEmulator): Promise<Answer> {
  return get(emulator, '/cgi-bin/token', {
    grant_type: 'client_credential',
    appid: emulator.appId,
    secret: emulator.appSecret,
  });
}

/** hex hmac_sha256(key = session_key text as UTF-8, message), as WeChat documents it. */
export function sign(sessionKey: string, message = ''): string {
  return createHmac('sha256', Buffer.from(sessionKey, 'utf8')).update(message).digest('hex');
}

/** /wxa/checksession (or `path`) for a user with a signature of `sessionKey`. */
export function sessionCall(
  emulator: WeChatEmulator,
  accessToken: string,
  openid: string,
  sessionKey: string,
  path = '/wxa/checksession',
): Promise<Answer> {
  return get(emulator, path, {
    access_token: accessToken,
    openid,
    signature: sign(sessionKey),
    sig_method: 'hmac_sha256',
  });
}

/** The errcode that an API taking `accessToken` answers: 0 when WeChat accepts the token. */
export async function tokenErrcode(emulator: WeChatEmulator, accessToken: string): Promise<unknown> {
  const user = emulator.createUser({ openid: 'o_token_probe_user' });
  return (await sessionCall(emulator, accessToken, user.openid, emulator.sessionKeyOf(user.openid)!)).json
    .errcode;
}

/** WeChat's errmsg shape: a message, then " rid: " and three groups of 8 hex digits. */
export const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
