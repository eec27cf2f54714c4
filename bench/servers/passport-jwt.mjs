// Bench server: passport 0.7 + passport-jwt 4 (HS256 pinned, session: false, the secret as a
// KeyObject, audience and issuer checked like ours). POST /login signs a token for the given user.

import { createSecretKey } from 'node:crypto';
import express from 'express';
import jwt from 'jsonwebtoken';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { serve } from '../lib/serve.mjs';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, TOKEN_TTL_SECONDS } from '../lib/shared.mjs';

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
