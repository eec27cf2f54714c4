// Bench server: express-session 1.19 with its MemoryStore (BENCH_SESSION_STORE=memory) or with
// connect-redis 9 on the local Redis (=redis, its own prefix). POST /login starts a session.

import express from 'express';
import session from 'express-session';
import { serve } from '../lib/serve.mjs';
import { SESSION_SECRET, TOKEN_TTL_SECONDS } from '../lib/shared.mjs';

async function redisStore() {
  const { createClient } = await import('redis');
  const { RedisStore } = await import('connect-redis');
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  client.on('error', (err) => console.error('redis', err.message));
  await client.connect();
  return new RedisStore({ client, prefix: 'bench:express-session:' });
}

const store = process.env.BENCH_SESSION_STORE === 'redis' ? await redisStore() : undefined;
const app = express();
app.use(
  session({
    secret: SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: TOKEN_TTL_SECONDS * 1000 },
    ...(store ? { store } : {}),
  }),
);
app.get('/hello', (req, res) => {
  if (!req.session.openid) return res.status(401).json({ error: 'no session' });
  res.json({ ok: true, openid: req.session.openid });
});
app.post('/login', express.json(), (req, res) => {
  req.session.openid = req.body.openid;
  res.json({ ok: true });
});
await serve(app);
