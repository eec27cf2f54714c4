// Bench server: bare Express 5, no authentication at all. The upper limit the other rows are
// compared to; it answers the same JSON as they do.

import express from 'express';
import { serve } from '../lib/serve.mjs';
import { benchOpenid } from '../lib/shared.mjs';

const app = express();
const openid = benchOpenid(0);
app.get('/hello', (_req, res) => res.json({ ok: true, openid }));
await serve(app);
