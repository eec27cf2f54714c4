// `node --import tsx bench/guard-path.ts [users] [more logins]`: CPU microseconds per request of
// what the package itself does on a protected route, without HTTP or Express's router: wxLogin()'s
// middleware, then requireWxSession() (or wx.guard()), on request objects shaped as Express makes
// them, for `users` users whose tokens and sessions are cached. Measured again after `more logins`
// logins of other users in the same process, to see whether logins leave the guard slower.

import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import express, { type NextFunction, type RequestHandler } from 'express';
import { MemoryStore, requireWxSession, wxLogin } from '../src/index.js';
import { startWeChatEmulator } from '../src/testing/index.js';

const USERS = Number(process.argv[2] ?? 1_000);
const MORE_LOGINS = Number(process.argv[3] ?? 20_000);
const REQUESTS = 100_000;

const emulator = await startWeChatEmulator();
const app = express();
const wx = wxLogin({
  appId: emulator.appId,
  appSecret: emulator.appSecret,
  tokenSecret: 'bench-guard-path-token-secret-0123456789',
  apiBaseUrl: emulator.url,
  store: new MemoryStore(),
});
const login = async () => (await wx.auth.login(emulator.issueLoginCode())).token;
const tokens: string[] = [];
for (let i = 0; i < USERS; i++) tokens.push(await login());

const [middleware] = wx;
const socket = new Socket();
// Express 5 gives every request its app's request prototype, and req.app and req.baseUrl.
const prototype = (app as unknown as { request: object }).request;

function requestFor(token: string): IncomingMessage {
  const req = new IncomingMessage(socket) as IncomingMessage & Record<string, unknown>;
  // A copy per request, as a parsed header is.
  const authorization = Buffer.from(`Bearer ${token}`).toString();
  req.method = 'GET';
  req.url = '/hello';
  req.rawHeaders = ['Host', '127.0.0.1', 'Authorization', authorization];
  req.headers = { host: '127.0.0.1', authorization };
  Object.setPrototypeOf(req, prototype);
  req.app = app;
  req.baseUrl = '';
  return req;
}

/** CPU us per request of middleware + guard over `count` requests rotating over the users. */
function perRequest(guard: RequestHandler, count: number): number {
  const requests = Array.from({ length: count }, (_, i) => requestFor(tokens[i % USERS] as string));
  const response = { locals: {} } as never;
  let admitted = 0;
  const next: NextFunction = (err?: unknown) => {
    if (err) throw err;
  };
  const admit: NextFunction = (err?: unknown) => {
    if (err) throw err;
    admitted++;
  };
  const before = process.cpuUsage();
  for (const req of requests) {
    middleware(req as never, response, next);
    guard(req as never, response, admit);
  }
  const used = process.cpuUsage(before);
  if (admitted !== count) throw new Error(`${count - admitted} requests were not admitted synchronously`);
  return (used.user + used.system) / count;
}

const guards: [string, RequestHandler][] = [
  ['requireWxSession()', requireWxSession()],
  ['wx.guard()', wx.guard()],
];
/** The median of 5 runs per guard, after one to warm the caches and the JIT. */
function measureAll(): string[] {
  return guards.map(([name, guard]) => {
    perRequest(guard, REQUESTS / 5);
    const runs = Array.from({ length: 5 }, () => perRequest(guard, REQUESTS / 5)).sort((a, b) => a - b);
    return `${(runs[2] as number).toFixed(1).padStart(6)} us  ${name}`;
  });
}

console.log(`after ${USERS.toLocaleString('en')} logins, ${USERS.toLocaleString('en')} users rotating:`);
for (const line of measureAll()) console.log(line);
for (let i = 0; i < MORE_LOGINS; i++) await login();
console.log(`after ${MORE_LOGINS.toLocaleString('en')} more logins in this process, the same users:`);
for (const line of measureAll()) console.log(line);
await emulator.close();
process.exit(0);
