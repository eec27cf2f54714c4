// Bench server: express-jwt 8 (HS256 pinned, the secret as a KeyObject, audience and issuer
// checked like ours). POST /login signs a token for the given user, as an app of this kind would.

import { createSecretKey } from 'node:crypto';
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwt from 'jsonwebtoken';
import { serve } from '../lib/serve.mjs';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, TOKEN_TTL_SECONDS } from '../lib/shared.mjs';

const key = createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));
const app = express();
app.get(
  '/hello',
  expressjwt({ secret: key, algorithms: ['HS256'], audience: JWT_AUDIENCE, issuer: JWT_ISSUER }),
  (req, res) => res.json({ ok: true, openid: req.auth.sub }),
);
app.post('/login', express.json(), (req, res) => {
  const token = jwt.sign({ sid: req.body.openid }, key, {
    algorithm: 'HS256',
    subject: req.body.openid,
    audience: JWT_AUDIENCE,
    issuer: JWT_ISSUER,
    expiresIn: TOKEN_TTL_SECONDS,
  });
  res.json({ token });
});
await serve(app);
