// The GET /hello rows: each server in its own process, 1,000 users logged in first and spread
// over the 50 connections, then a warm-up and a measured autocannon run.

import { startServer } from './children.mjs';
import { dummyTokens, ourTokens, peerCookies, peerTokens } from './credentials.mjs';
import { measure, spreadOver } from './load.mjs';

// Ordered so that each of ours runs next to the peer it is compared with: a busy moment of the
// machine then shifts both. Bare Express runs first and again last (see run.mjs).
export const ROWS = [
  { name: 'bare Express 5 (no auth)', server: 'bare', credentials: () => dummyTokens(), baseline: true },
  {
    name: 'express-wx-login + MemoryStore',
    server: 'ours',
    env: { BENCH_STORE: 'memory' },
    credentials: ourTokens,
    ours: 'memory',
  },
  { name: 'express-jwt 8 (HS256, KeyObject)', server: 'express-jwt', credentials: peerTokens },
  {
    name: 'express-wx-login + RedisStore (ioredis)',
    server: 'ours',
    env: { BENCH_STORE: 'redis' },
    credentials: ourTokens,
    ours: 'redis',
  },
  {
    name: 'express-session + connect-redis',
    server: 'express-session',
    env: { BENCH_SESSION_STORE: 'redis' },
    credentials: peerCookies,
  },
  { name: 'passport-jwt 4 (HS256, session: false)', server: 'passport-jwt', credentials: peerTokens },
  {
    name: 'express-session + MemoryStore',
    server: 'express-session',
    env: { BENCH_SESSION_STORE: 'memory' },
    credentials: peerCookies,
  },
];

/** Measures one row; `execArgv` lets the profiler start the same server under --cpu-prof. */
export async function measureRow(row, { execArgv = [], duration } = {}) {
  const server = await startServer(row.server, { env: row.env, execArgv });
  try {
    const headers = await row.credentials(server);
    await checkHello(server, headers[0]);
    const stats = await measure(
      server,
      () => ({ setupClient: spreadOver(headers) }),
      duration ? { duration } : {},
    );
    return { name: row.name, ...stats };
  } finally {
    await server.stop();
  }
}

/** One request by hand first: a row that answers 401 would otherwise measure error pages. */
async function checkHello(server, headers) {
  const res = await fetch(`${server.url}/hello`, { headers });
  const body = await res.json();
  if (res.status !== 200 || body.ok !== true || typeof body.openid !== 'string') {
    throw new Error(`${server.name}: GET /hello answered ${res.status} ${JSON.stringify(body)}`);
  }
}
