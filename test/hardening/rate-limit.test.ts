// express-rate-limit in front of POST /wx/login, per IP and per code, as the README recipe shows:
// a flood of logins is refused before it can burn the app's WeChat quota.

import type { Express, Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildApp, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();

beforeEach(() => {
  emulator.resetCalls();
});

/** Answers in the package's own error format, so clients handle one shape. */
function tooMany(_req: Request, res: Response): void {
  res
    .status(429)
    .json({ error: { code: 'WX_RATE_LIMITED', message: 'too many login attempts; retry later' } });
}

function limited(app: Express): void {
  app.use(
    '/wx/login',
    rateLimit({
      windowMs: 60_000,
      limit: 5,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: tooMany,
    }),
    rateLimit({
      windowMs: 5 * 60_000,
      limit: 1,
      // A code is single use: a second try of the same code can only fail at WeChat.
      keyGenerator: (req) => `code:${typeof req.body?.code === 'string' ? req.body.code : ''}`,
      standardHeaders: false,
      legacyHeaders: false,
      handler: tooMany,
    }),
  );
}

describe('express-rate-limit on POST /wx/login', () => {
  it('refuses the 6th login of one IP in a minute without calling WeChat', async () => {
    const { app } = buildApp(emulator, {}, { before: limited });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(emulator.callsTo('jscode2session')).toHaveLength(5);
    const refused = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(refused.body.error.code).toBe('WX_RATE_LIMITED');
    expect(refused.headers.ratelimit).toMatch(/^"5-in-1min"; r=0; t=\d+$/);
  });

  it('lets one code reach WeChat once, however often the client retries it', async () => {
    const { app } = buildApp(emulator, {}, { before: limited });
    const code = emulator.issueLoginCode();
    const first = await request(app).post('/wx/login').send({ code });
    const retries = [
      await request(app).post('/wx/login').send({ code }),
      await request(app).post('/wx/login').send({ code }),
    ];
    expect(first.status).toBe(200);
    expect(retries.map((r) => r.status)).toEqual([429, 429]);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });
});
