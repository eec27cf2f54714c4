// One app instance in its own process, for the many-instances tests: wxLogin() on a RedisStore,
// configured by environment variables, printing "listening <port>" once it serves.

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
app.use(
  wxLogin({
    appId: env('WX_APP_ID'),
    appSecret: env('WX_APP_SECRET'),
    tokenSecret: env('WX_TOKEN_SECRET'),
    apiBaseUrl: env('WX_API_BASE_URL'),
    store: new RedisStore({ client, prefix: env('STORE_PREFIX') }),
  }),
);
app.get('/me', requireWxSession(), (req, res) => {
  res.json(req.wxUser);
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
