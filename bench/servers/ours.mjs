// Bench server: express-wx-login (the ESM build) with MemoryStore (BENCH_STORE=memory), RedisStore
// on ioredis (=redis, at BENCH_REDIS_PORT or 6379) or on an ioredis Cluster (=cluster, seed nodes
// at BENCH_CLUSTER_PORTS). Uses its own emulator, or the one at BENCH_EMULATOR_URL.
// BENCH_SUBSCRIBE=1 subscribes a listener to every diagnostics channel (bench/diagnostics.mjs).
// BENCH_GUARD=1 guards /hello with wx.guard(), =none leaves it unguarded (the control row).
// BENCH_DIST: the build to load (see below).

import diagnostics_channel from 'node:diagnostics_channel';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { Cluster, Redis } from 'ioredis';
import { serve } from '../lib/serve.mjs';
import { benchOpenid, JWT_SECRET } from '../lib/shared.mjs';

// BENCH_DIST: another build's dist/ (an absolute path), to compare two builds side by side in one
// run of bench/compare.mjs (`ours-memory:10000:BENCH_DIST=/tmp/other/dist`).
const distUrl = process.env.BENCH_DIST
  ? pathToFileURL(process.env.BENCH_DIST).href
  : new URL('../../dist', import.meta.url).href;
const { MemoryStore, RedisStore, requireWxSession, wxChannels, wxLogin } = await import(
  `${distUrl}/index.js`
);
const { startWeChatEmulator } = await import(`${distUrl}/testing/index.js`);

// The bench points every server of ours at one emulator process (bench/servers/emulator.mjs), as
// a production server talks to WeChat: no emulated users' state in the measured heap, and the
// emulator's CPU not counted as ours. Alone (no BENCH_EMULATOR_URL), it starts one in-process.
const external = process.env.BENCH_EMULATOR_URL;
const emulator = external ? undefined : await startWeChatEmulator();
// The emulator keeps a call log for tests; under 100,000 logins it would only grow.
if (emulator) setInterval(() => emulator.resetCalls(), 1000).unref();
const wechat = external
  ? { url: external, appId: process.env.BENCH_APP_ID, appSecret: process.env.BENCH_APP_SECRET }
  : emulator;

// Commands of one tick in one write, as node-redis (connect-redis's client) does by default; the
// README recommends it for ioredis. BENCH_AUTOPIPELINE=0 measures without.
const enableAutoPipelining = process.env.BENCH_AUTOPIPELINE !== '0';

function redisClient(kind) {
  if (kind === 'cluster') {
    const ports = process.env.BENCH_CLUSTER_PORTS.split(',').map(Number);
    return new Cluster(
      ports.map((port) => ({ host: '127.0.0.1', port })),
      { enableAutoPipelining },
    );
  }
  const port = Number(process.env.BENCH_REDIS_PORT ?? 6379);
  return new Redis({ host: '127.0.0.1', port, enableAutoPipelining });
}

async function storeFor(kind) {
  if (kind !== 'redis' && kind !== 'cluster') {
    // BENCH_MEMORY_USERS: a store sized for that many users (three entries each).
    const users = Number(process.env.BENCH_MEMORY_USERS ?? 0);
    return users ? new MemoryStore({ max: 3 * users }) : new MemoryStore();
  }
  const client = redisClient(kind);
  client.on('error', (err) => console.error('redis', err.message));
  // RedisStore refuses commands while the client is still connecting (503): wait for it.
  await new Promise((resolve) => client.once('ready', resolve));
  return new RedisStore({ client, prefix: process.env.BENCH_PREFIX ?? 'bench:wxl:' });
}

/** BENCH_TOKEN_CACHE_BYTES, BENCH_SESSION_CACHE_BYTES: the cache bounds, for bench/compare.mjs. */
function cacheOptions() {
  const given = {
    tokenCacheBytes: process.env.BENCH_TOKEN_CACHE_BYTES,
    sessionCacheBytes: process.env.BENCH_SESSION_CACHE_BYTES,
  };
  return Object.fromEntries(
    Object.entries(given)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Number(v)]),
  );
}

const app = express();
// BENCH_GUARD=none: the control row. The same server, store and logged-in users, but /hello is
// served before wxLogin() and unguarded, as bare Express serves it: what the row costs beyond
// this is the package's per-request work; what this costs beyond bare is the heap the users take.
if (process.env.BENCH_GUARD === 'none') {
  const openid = benchOpenid(0);
  app.get('/hello', (_req, res) => res.json({ ok: true, openid }));
}
const wx = wxLogin({
  appId: wechat.appId,
  appSecret: wechat.appSecret,
  tokenSecret: JWT_SECRET,
  apiBaseUrl: wechat.url,
  store: await storeFor(process.env.BENCH_STORE),
  ...cacheOptions(),
});
app.use(wx);
if (process.env.BENCH_SUBSCRIBE === '1') {
  // What an APM agent or metrics recipe does: one listener on every channel.
  let events = 0;
  for (const name of Object.values(wxChannels)) diagnostics_channel.subscribe(name, () => events++);
}
// BENCH_GUARD=1: the route guard bound to this wxLogin() (wx.guard()), where the build has it.
const guard = process.env.BENCH_GUARD === '1' ? wx.guard?.() : requireWxSession();
if (!guard) {
  // Not an error of the bench: the row stays a placeholder (bench/lib/rotation.mjs).
  console.error('bench: this build has no wx.guard(); its row is left as a placeholder');
  process.exit(3);
}
// The control row answers /hello above, before wxLogin(); nothing here would ever be reached.
if (process.env.BENCH_GUARD !== 'none') {
  app.get('/hello', guard, (req, res) => res.json({ ok: true, openid: req.wxUser.openid }));
}

await serve(app, {
  // What wx.login() gives each mini program: one fresh code per user (in-process emulator only).
  codes: ({ n }) => Array.from({ length: n }, () => emulator.issueLoginCode()),
});
