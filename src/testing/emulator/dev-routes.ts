// The emulator's /dev routes (with `devRoutes: true`, as the CLI dev server runs it): over HTTP,
// what the mini program gets from WeChat on the device: login codes, phone codes, open data.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WeChatEmulator } from './emulator.js';
import { sendReply, text } from './replies.js';
import { readBody } from './request-body.js';

const MAX_BODY_BYTES = 64 * 1024;

/** A refusal of a /dev route: status and message, sent as `{ error: { code, message } }`. */
class DevError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

function optionalString(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > 128) {
    throw new DevError(400, 'DEV_BAD_REQUEST', `${name} must be a string of 1-128 characters`);
  }
  return value;
}

function requiredString(body: Body, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined) throw new DevError(400, 'DEV_BAD_REQUEST', `${name} is required`);
  return value;
}

function knownUser(emulator: WeChatEmulator, openid: string, appId: string | undefined): void {
  if (emulator.sessionKeyOf(openid, appId) === undefined) {
    throw new DevError(404, 'DEV_UNKNOWN_USER', 'no such user: mint a login code for it first');
  }
}

/** What each route does with a JSON body; `GET /dev` lists them. */
const ROUTES: Record<string, { summary: string; run: (emulator: WeChatEmulator, body: Body) => unknown }> = {
  '/dev/login-code': {
    summary:
      '{ openid?, unionid?, withUnionid?, appId? } -> { code, openid, unionid?, appId }: what wx.login() gives',
    run: (emulator, body) => {
      const appId = optionalString(body, 'appId');
      const openid = optionalString(body, 'openid');
      const unionid = optionalString(body, 'unionid');
      if (body.withUnionid !== undefined && typeof body.withUnionid !== 'boolean') {
        throw new DevError(400, 'DEV_BAD_REQUEST', 'withUnionid must be a boolean');
      }
      // Without an openid: a new user, with a unionid unless told otherwise (most apps have one).
      const user = emulator.createUser({
        ...(appId ? { appId } : {}),
        ...(openid ? { openid } : {}),
        ...(unionid ? { unionid } : {}),
        withUnionid: (body.withUnionid as boolean | undefined) ?? openid === undefined,
      });
      const code = emulator.issueLoginCode({ appId: user.appId, openid: user.openid });
      return {
        code,
        openid: user.openid,
        ...(user.unionid ? { unionid: user.unionid } : {}),
        appId: user.appId,
      };
    },
  },
  '/dev/phone-code': {
    summary:
      '{ openid, purePhoneNumber?, phoneNumber?, countryCode?, appId? } -> { code }: what the getPhoneNumber button gives',
    run: (emulator, body) => {
      const appId = optionalString(body, 'appId');
      const openid = requiredString(body, 'openid');
      knownUser(emulator, openid, appId);
      const phone = {
        ...(optionalString(body, 'purePhoneNumber')
          ? { purePhoneNumber: body.purePhoneNumber as string }
          : {}),
        ...(optionalString(body, 'phoneNumber') ? { phoneNumber: body.phoneNumber as string } : {}),
        ...(optionalString(body, 'countryCode') ? { countryCode: body.countryCode as string } : {}),
      };
      return { code: emulator.issuePhoneCode(openid, phone, appId) };
    },
  },
  '/dev/open-data': {
    summary:
      "{ openid, data, appId? } -> { encryptedData, iv }: data encrypted with the user's current session_key, as wx.getWeRunData() & co. give it",
    run: (emulator, body) => {
      const appId = optionalString(body, 'appId');
      const openid = requiredString(body, 'openid');
      const data = body.data ?? {};
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new DevError(400, 'DEV_BAD_REQUEST', 'data must be a JSON object');
      }
      knownUser(emulator, openid, appId);
      return emulator.encrypt(openid, data as Body, appId ? { appId } : {});
    },
  },
};

function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const reply = text(status, JSON.stringify(body), 'application/json; charset=utf-8');
  sendReply(res, headers ? { ...reply, headers } : reply);
}

function parse(raw: string): Body {
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DevError(400, 'DEV_BAD_REQUEST', 'the body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DevError(400, 'DEV_BAD_REQUEST', 'the body must be a JSON object');
  }
  return value as Body;
}

/**
 * The request listener of the /dev routes: answers and returns true for a path under `/dev`,
 * returns false (and touches nothing) for any other, which WeChat's endpoints then answer.
 *
 * @example
 * const dev = createDevRoutes(emulator);
 * createServer((req, res) => dev(req, res) || dispatch(req, res));
 */
export function createDevRoutes(
  emulator: WeChatEmulator,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname.replace(/\/$/, '');
    if (path !== '/dev' && !path.startsWith('/dev/')) return false;
    if (path === '/dev' && req.method === 'GET') {
      const routes = Object.fromEntries(Object.entries(ROUTES).map(([p, r]) => [`POST ${p}`, r.summary]));
      send(res, 200, { routes });
      return true;
    }
    const route = ROUTES[path];
    if (!route) {
      send(res, 404, { error: { code: 'DEV_NOT_FOUND', message: `no route ${path}: GET /dev lists them` } });
      return true;
    }
    if (req.method !== 'POST') {
      const error = { code: 'DEV_METHOD_NOT_ALLOWED', message: `${path} takes POST` };
      send(res, 405, { error }, { Allow: 'POST' });
      return true;
    }
    readBody(req, MAX_BODY_BYTES, (raw) => {
      try {
        if (raw === undefined) throw new DevError(413, 'DEV_BODY_TOO_LARGE', 'the body is over 64 KB');
        send(res, 200, route.run(emulator, parse(raw)));
      } catch (err) {
        // The emulator's own TypeErrors (an unknown appId, say) are the caller's mistakes too.
        if (err instanceof DevError)
          send(res, err.status, { error: { code: err.code, message: err.message } });
        else send(res, 400, { error: { code: 'DEV_BAD_REQUEST', message: (err as Error).message } });
      }
    });
    return true;
  };
}
