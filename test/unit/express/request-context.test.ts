// Where wxLogin()'s middleware met requests (for WX_MISCONFIGURED's message): every request at
// first, then one in 256, so that a busy server does not read two request properties per request.

import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WxAuth } from '../../../src/core/wx-auth.js';
import { mountedLoginOf } from '../../../src/express/mounted-login.js';
import { enterLogin, loginsOf } from '../../../src/express/request-context.js';
import { MemoryStore } from '../../../src/index.js';

const socket = new Socket();

function requestAt(app: object, baseUrl: string): IncomingMessage {
  return Object.assign(new IncomingMessage(socket), { app, baseUrl });
}

function login() {
  const auth = new WxAuth({
    appId: 'wx_context_unit_01',
    appSecret: 'context_secret_0123456789abcdef0',
    tokenSecret: 'context_token_secret_0123456789ab',
    store: new MemoryStore(),
  });
  return mountedLoginOf(auth, 'auth');
}

describe('the request context', () => {
  it('records every wxLogin() a request passed, once each, in order', () => {
    const [a, b] = [login(), login()];
    const req = requestAt({}, '');
    enterLogin(req, a);
    enterLogin(req, b);
    enterLogin(req, a);
    expect(loginsOf(req)).toEqual([a, b]);
    expect(loginsOf(requestAt({}, ''))).toEqual([]);
  });

  it('notes the mount path of each of the first 10,000 requests, then of one in 256', () => {
    const mounted = login();
    const app = {};
    for (let i = 0; i < 10_000; i++) enterLogin(requestAt(app, ''), mounted);
    // Request 10,001 is not looked at; of the next 256, one is.
    enterLogin(requestAt(app, '/late'), mounted);
    expect([...(mounted.seenAt.get(app) ?? [])]).toEqual(['']);
    for (let i = 0; i < 256; i++) enterLogin(requestAt(app, '/late'), mounted);
    expect([...(mounted.seenAt.get(app) ?? [])]).toEqual(['', '/late']);
    expect([...mounted.seenPaths]).toEqual(['', '/late']);
  });
});
