// Bench server: express-session 1.19 with its MemoryStore (BENCH_SESSION_STORE=memory) or with
// connect-redis 9 on the local Redis (=redis). POST /login starts a session; IPC `sessions` many.

import { randomBytes } from 'node:crypto';
import signature from 'cookie-signature';
import express from 'express';
import session from 'express-session';
import { serve } from '../lib/serve.mjs';
import { benchOpenid, SESSION_SECRET, TOKEN_TTL_SECONDS } from '../lib/shared.mjs';

async function redisStore() {
  const { createClient } = await import('redis');
  const { RedisStore } = await import('connect-redis');
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  client.on('error', (err) => console.error('redis', err.message));
  await client.connect();
  return new RedisStore({ client, prefix: process.env.BENCH_PREFIX ?? 'bench:express-session:' });
}

const store = process.env.BENCH_SESSION_STORE === 'redis' ? await redisStore() : new session.MemoryStore();
const cookie = { httpOnly: true, sameSite: 'lax', maxAge: TOKEN_TTL_SECONDS * 1000 };
const app = express();
app.use(
  session({
    secret: SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie,
    store,
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
/**
 * Many sessions at once, as POST /login would leave them: the session written through the store's
 * own set(), and the cookie express-session would send (`s:` + the signed id).
 */
async function sessions({ from, n }) {
  const cookies = [];
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, (_, j) => {
      const sid = randomBytes(24).toString('base64url');
      const data = {
        cookie: {
          originalMaxAge: cookie.maxAge,
          expires: new Date(Date.now() + cookie.maxAge),
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
        },
        openid: benchOpenid(from + i + j),
      };
      cookies.push(`connect.sid=${encodeURIComponent(`s:${signature.sign(sid, SESSION_SECRET)}`)}`);
      return new Promise((resolve, reject) => store.set(sid, data, (err) => (err ? reject(err) : resolve())));
    });
    await Promise.all(batch);
  }
  return cookies;
}

await serve(app, { sessions });
