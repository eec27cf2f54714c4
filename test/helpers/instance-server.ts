// One app instance in its own process, for the many-instances tests: wxLogin() on a RedisStore,
// configured by environment variables, with admin routes over the user-sessions API, printing
// "listening <port>" once it serves.

import express from 'express';
import { Redis } from 'ioredis';
import { RedisStore, requireWxSession, wxLogin } from '../../src/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const client = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: 1 });
client.on('error', () => undefined);
// RedisStore refuses commands until the client is ready (a quick 503 rather than a queue), so a
// real app, like this one, starts serving once it is.
await new Promise<void>((resolve) => client.once('ready', () => resolve()));

const app = express();
app.use(express.json());
const wx = wxLogin({
  appId: env('WX_APP_ID'),
  appSecret: env('WX_APP_SECRET'),
  tokenSecret: env('WX_TOKEN_SECRET'),
  apiBaseUrl: env('WX_API_BASE_URL'),
  store: new RedisStore({ client, prefix: env('STORE_PREFIX') }),
  // REFRESH_ACCESS_TTL set: short access tokens renewed through POST /wx/refresh.
  ...(process.env.REFRESH_ACCESS_TTL
    ? { refresh: { accessTokenTtl: Number(process.env.REFRESH_ACCESS_TTL), absoluteTtl: 3600 } }
    : {}),
  onLogin: () => ({ role: 'member' }),
});
app.use(wx);
app.get('/me', requireWxSession(), (req, res) => {
  res.json(req.wxUser);
});
// What an admin back office would call: the user-sessions API of the service.
app.post('/admin/revoke-user', async (req, res) => {
  res.json({ ended: await wx.auth.revokeUser(req.body.openid) });
});
app.get('/admin/sessions/:openid', async (req, res) => {
  res.json(await wx.auth.listSessions(req.params.openid));
});
app.post('/admin/update-user', async (req, res) => {
  res.json({ updated: await wx.auth.updateUser(req.body.openid, req.body.patch) });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  client.disconnect();
  process.exit(0);
});
