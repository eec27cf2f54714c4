// Bench server: passport 0.7 + passport-jwt 4 (HS256 pinned, session: false, KeyObject, audience
// and issuer checked like ours). POST /login signs a token; IPC `tokens` signs many the same way.

import { createSecretKey } from 'node:crypto';
import express from 'express';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { serve } from '../lib/serve.mjs';
import { benchOpenid, JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, TOKEN_TTL_SECONDS } from '../lib/shared.mjs';

const key = createSecretKey(Buffer.from(JWT_SECRET, 'utf8'));
passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: key,
      algorithms: ['HS256'],
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
    },
    (payload, done) => done(null, { id: payload.sub }),
  ),
);

const app = express();
app.use(passport.initialize());
app.get('/hello', passport.authenticate('jwt', { session: false }), (req, res) =>
  res.json({ ok: true, openid: req.user.id }),
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
