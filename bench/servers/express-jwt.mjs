// Bench server: express-jwt 8 (HS256 pinned, the secret as a KeyObject, audience and issuer
// checked like ours). POST /login signs a token for a user; IPC `tokens` signs many the same way.

import { createSecretKey } from 'node:crypto';
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwt from 'jsonwebtoken';
import { serve } from '../lib/serve.mjs';
import { benchOpenid, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, TOKEN_TTL_SECONDS } from '../lib/shared.mjs';

const key = createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));
const app = express();
app.get(
  '/hello',
  expressjwt({ secret: key, algorithms: ['HS256'], audience: JWT_AUDIENCE, issuer: JWT_ISSUER }),
  (req, res) => res.json({ ok: true, openid: req.auth.sub }),
);
/** What POST /login signs for a user; also run in bulk over IPC for the rotation rows. */
const tokenFor = (openid) =>
  jwt.sign({ sid: openid }, key, {
    algorithm: 'HS256',
    subject: openid,
    audience: JWT_AUDIENCE,
    issuer: JWT_ISSUER,
    expiresIn: TOKEN_TTL_SECONDS,
  });
app.post('/login', express.json(), (req, res) => {
  res.json({ token: tokenFor(req.body.openid) });
});
await serve(app, {
  tokens: ({ from, n }) => Array.from({ length: n }, (_, i) => tokenFor(benchOpenid(from + i))),
});
