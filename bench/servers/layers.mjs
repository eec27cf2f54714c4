// Bench server for bench/compare.mjs: bare Express 5 plus the layers a login package adds, doing
// nothing (an app.use() pair of handler and error handler, and a guard on the route that sets
// req.wxUser). What Express itself charges for them, apart from any package's own work.

import express from 'express';
import { serve } from '../lib/serve.mjs';
import { benchOpenid } from '../lib/shared.mjs';

const app = express();
const openid = benchOpenid(0);
app.use([(_req, _res, next) => next(), (err, _req, _res, next) => next(err)]);
const guard = (req, _res, next) => {
  req.wxUser = { openid };
  next();
};
app.get('/hello', guard, (_req, res) => res.json({ ok: true, openid }));
await serve(app);
