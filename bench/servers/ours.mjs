// Bench server: express-wx-login (the ESM build) with MemoryStore (BENCH_STORE=memory) or
// RedisStore on ioredis (=redis). Uses its own emulator, or the one at BENCH_EMULATOR_URL.

import express from 'express';
import { Redis } from 'ioredis';
import { MemoryStore, RedisStore, requireWxSession, wxLogin } from '../../dist/index.js';
import { startWeChatEmulator } from '../../dist/testing/index.js';
import { serve } from '../lib/serve.mjs';
import { JWT_SECRET } from '../lib/shared.mjs';

// The throughput rows need codes from an emulator in this process; the login row points the app
// at the emulator process instead, so that the emulator's CPU is not counted as ours.
const external = process.env.BENCH_EMULATOR_URL;
const emulator = external ? undefined : await startWeChatEmulator();
// The emulator keeps a call log for tests; under 100,000 logins it would only grow.
if (emulator) setInterval(() => emulator.resetCalls(), 1000).unref();
const wechat = external
  ? { url: external, appId: process.env.BENCH_APP_ID, appSecret: process.env.BENCH_APP_SECRET }
  : emulator;

async function storeFor(kind) {
  if (kind !== 'redis') return new MemoryStore();
  const client = new Redis({ host: '127.0.0.1', port: 6379 });
  client.on('error', (err) => console.error('redis', err.message));
  // RedisStore refuses commands while the client is still connecting (503): wait for it.
  await new Promise((resolve) => client.once('ready', resolve));
  return new RedisStore({ client, prefix: process.env.BENCH_PREFIX ?? 'bench:wxl:' });
}

const app = express();
const wx = wxLogin({
  appId: wechat.appId,
  appSecret: wechat.appSecret,
  tokenSecret: JWT_SECRET,
  apiBaseUrl: wechat.url,
  store: await storeFor(process.env.BENCH_STORE),
});
app.use(wx);
// BENCH_GUARD=1: the route guard bound to this wxLogin() (wx.guard()), where the build has it.
const guard = process.env.BENCH_GUARD === '1' ? wx.guard?.() : requireWxSession();
if (!guard) {
  // Not an error of the bench: the row stays a placeholder (bench/lib/rotation.mjs).
  console.error('bench: this build has no wx.guard(); its row is left as a placeholder');
  process.exit(3);
}
app.get('/hello', guard, (req, res) => res.json({ ok: true, openid: req.wxUser.openid }));

await serve(app, {
  // What wx.login() gives each mini program: one fresh code per user.
  codes: ({ n }) => Array.from({ length: n }, () => emulator.issueLoginCode()),
});
