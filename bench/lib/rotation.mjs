// The rotation rows: every server started once, credentials for N users made once per server,
// then rounds in which each row runs at each N, in an order that rotates from round to round.

import { startServer } from './children.mjs';
import { dummyTokens, ourLogins, peerCookies, peerTokens } from './credentials.mjs';
import { measure, QUICK } from './load.mjs';

/** N users rotating: two steady sizes (caches warmed first) and one where every token is new. */
export const SIZES = QUICK ? [200, 1_000, 5_000] : [1_000, 10_000, 100_000];
export const ROUNDS = QUICK ? 2 : 3;
/** A per-run prefix, so that the keys this bench writes to the shared Redis can be removed after. */
export const REDIS_PREFIX = `bench:${process.pid}:`;

export const KINDS = [
  { key: 'bare', name: 'bare Express 5 (no auth)', server: 'bare', baseline: true },
  {
    key: 'ours-memory',
    name: 'express-wx-login + MemoryStore',
    server: 'ours',
    env: { BENCH_STORE: 'memory' },
  },
  {
    // The control of the MemoryStore row: the same server with the same users logged in, but
    // /hello served before wxLogin() and unguarded. Its gap to bare is what holding the users in
    // the heap costs every request (the collector); the MemoryStore row's gap to it, our own work.
    key: 'ours-memory-open',
    name: 'control: the MemoryStore server, /hello unguarded',
    server: 'ours',
    env: { BENCH_STORE: 'memory', BENCH_GUARD: 'none' },
  },
  {
    key: 'ours-redis',
    name: 'express-wx-login + RedisStore (ioredis)',
    server: 'ours',
    env: { BENCH_STORE: 'redis', BENCH_PREFIX: `${REDIS_PREFIX}wxl:` },
    // Its users log in through another instance sharing the Redis: tokens new to this one.
    loginInstance: true,
  },
  {
    key: 'ours-guard',
    name: 'express-wx-login, wx.guard() bound to one wxLogin()',
    server: 'ours',
    env: { BENCH_STORE: 'memory', BENCH_GUARD: '1' },
    // Filled in by builds that have wx.guard(); a placeholder row otherwise.
    optional: true,
  },
  { key: 'express-jwt', name: 'express-jwt 8 (HS256, KeyObject)', server: 'express-jwt' },
  { key: 'passport-jwt', name: 'passport-jwt 4 (HS256, session: false)', server: 'passport-jwt' },
  {
    key: 'es-memory',
    name: 'express-session + MemoryStore',
    server: 'express-session',
    env: { BENCH_SESSION_STORE: 'memory' },
  },
  {
    key: 'es-redis',
    name: 'express-session + connect-redis',
    server: 'express-session',
    env: { BENCH_SESSION_STORE: 'redis', BENCH_PREFIX: `${REDIS_PREFIX}es:` },
  },
];

const users = () => SIZES.at(-1);
/** Users of the steady rows (the largest steady N); the rest are only ever used once, cold. */
const warmUsers = () => SIZES.at(-2);

let emulator;
/**
 * The WeChat emulator, in a process of its own shared by our rows: like WeChat in production, it
 * is not in the measured server, whose heap then holds what a real one does (its store and
 * caches), not 100,000 emulated users' state.
 */
async function wechat() {
  emulator ??= startServer('emulator').then(async (server) => ({ server, ...(await server.call('wechat')) }));
  return emulator;
}

/** The environment of a server of ours that uses the shared emulator. */
async function wechatEnv() {
  const { url, appId, appSecret } = await wechat();
  return { BENCH_EMULATOR_URL: url, BENCH_APP_ID: appId, BENCH_APP_SECRET: appSecret };
}

/** Stops the shared emulator, once every row is prepared. */
export async function stopWechat() {
  if (emulator) await (await emulator).server.stop();
  emulator = undefined;
}

/**
 * Starts a row's server and makes its users' credentials; `null` for an optional row whose
 * server cannot start (a build without wx.guard()). `execArgv` lets the profiler use it.
 */
export async function prepare(kind, { step = () => {}, execArgv = [], count = users() } = {}) {
  const ours = kind.server === 'ours';
  const env = ours ? { ...kind.env, ...(await wechatEnv()) } : kind.env;
  let server;
  try {
    server = await startServer(kind.server, { env, execArgv });
  } catch (err) {
    if (kind.optional) return null;
    throw err;
  }
  const prepared = { kind, server };
  const t0 = performance.now();
  if (kind.key === 'bare') prepared.headers = dummyTokens(count);
  else if (kind.server === 'express-jwt' || kind.server === 'passport-jwt')
    prepared.headers = await peerTokens(server, count);
  else if (kind.server === 'express-session') prepared.headers = await peerCookies(server, count);
  else {
    const loginServer = kind.loginInstance ? await startServer('ours', { env }) : server;
    const progress = (done) =>
      done % 20_000 === 0 && step(`  ${kind.key}: ${done.toLocaleString('en')} logins`);
    const codeSource = (await wechat()).server;
    const { headers, seconds } = await ourLogins(loginServer, count, { codeSource, onProgress: progress });
    if (loginServer !== server) await loginServer.stop();
    prepared.headers = headers;
    prepared.login = { users: count, seconds, perSecond: count / seconds };
  }
  prepared.setupSeconds = (performance.now() - t0) / 1000;
  step(`${kind.key}: ${count.toLocaleString('en')} users ready in ${prepared.setupSeconds.toFixed(0)} s`);
  await checkHello(server, prepared.headers[0]);
  return prepared;
}

/** One request by hand first: a row that answers 401 would otherwise measure error pages. */
async function checkHello(server, headers) {
  const res = await fetch(`${server.url}/hello`, { headers });
  const body = await res.json();
  if (res.status !== 200 || body.ok !== true || typeof body.openid !== 'string') {
    throw new Error(`${server.name}: GET /hello answered ${res.status} ${JSON.stringify(body)}`);
  }
}

/**
 * One measured run of a prepared row at `n` users in round `round`. Steady sizes: one pass over
 * the n users first (every token verified), then a timed run. Our caches admit a token or an
 * in-process session on its second use, so in the first round the timed run's first pass fills
 * them; later rounds find them warm. The largest size: a slice of tokens this server has never
 * seen, each sent once.
 */
export async function runAt(prepared, n, round) {
  const warm = warmUsers();
  if (n <= warm) {
    const headers = prepared.headers.slice(0, n);
    await measure(prepared.server, headers, { passes: 1 });
    return measure(prepared.server, headers);
  }
  const cold = prepared.headers.slice(warm);
  const per = Math.floor(cold.length / ROUNDS);
  return measure(prepared.server, cold.slice(round * per, (round + 1) * per), { passes: 1 });
}

/** Every row at every size for ROUNDS rounds; the order of rows rotates each round. */
export async function rotate(prepared, step) {
  const results = new Map(prepared.map((p) => [p.kind.key, new Map(SIZES.map((n) => [n, []]))]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of SIZES) {
      const order = prepared.map((_, i) => prepared[(i + round) % prepared.length]);
      for (const p of order) {
        const stats = await runAt(p, n, round);
        results.get(p.kind.key).get(n).push(stats);
        step(
          `round ${round + 1}/${ROUNDS} N=${n.toLocaleString('en')} ${p.kind.key}: ${stats.requestsPerSecond.toFixed(0)} req/s, ` +
            `${stats.serverCpuUsPerRequest.toFixed(0)} us CPU/req${stats.non2xx + stats.errors ? `, ${stats.non2xx + stats.errors} non-2xx/errors` : ''}`,
        );
      }
    }
  }
  return results;
}
