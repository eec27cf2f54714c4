// Async routes that use the session_key, safe on Express 4 and 5: wxAsync() hands what decrypt()
// or verifySignature() throw to next(err), so wxErrorHandler() answers it and nothing is left
// unhandled (the suite-wide watch fails the file on any unhandled rejection).

import { createHash } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requireWxSession, wxAsync, wxErrorHandler, wxLogin } from '../../src/index.js';
import { emulatorOptions, loggedInUser, recordingApp, startEmulator } from '../helpers/app.js';
import { EXPRESS_MAJORS, type ExpressMajor } from '../helpers/express-majors.js';

const emulator = await startEmulator();

function build(e: ExpressMajor['express']): Express {
  const app = recordingApp(e);
  app.use(e.json());
  app.use(wxLogin(emulatorOptions(emulator)));
  // The README's open-data routes, as written there.
  app.post(
    '/werun',
    requireWxSession(),
    wxAsync(async (req, res) => {
      const { encryptedData, iv } = req.body;
      const data = await req.wxUser!.decrypt<{ stepInfoList: Array<{ step: number }> }>(encryptedData, iv);
      res.json({ steps: data.stepInfoList.map((day) => day.step) });
    }),
  );
  app.post(
    '/profile',
    requireWxSession(),
    wxAsync(async (req, res) => {
      const { rawData, signature } = req.body;
      await req.wxUser!.assertSignature(rawData, signature);
      res.json(JSON.parse(rawData));
    }),
  );
  app.get(
    '/sync-throw',
    wxAsync(() => {
      throw new Error('thrown before any await');
    }),
  );
  app.get(
    '/reject-nothing',
    wxAsync(() => Promise.reject()),
  );
  app.get(
    '/not-async',
    wxAsync((_req, res) => {
      res.json({ plain: true });
    }),
  );
  app.use(wxErrorHandler());
  // The app's last resort, for errors that are not the package's: JSON, so the test can read them.
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ appError: err.message });
  });
  return app;
}

async function login(app: Express) {
  const { openid, token } = await loggedInUser(app, emulator);
  return { openid, auth: `Bearer ${token}` };
}

describe.each(EXPRESS_MAJORS)('Express $major', ({ express: e }) => {
  const app = build(e);

  it('decrypts in an async route: decrypt<T>() returns the data', async () => {
    const { openid, auth } = await login(app);
    const { encryptedData, iv } = emulator.encrypt(openid, { stepInfoList: [{ timestamp: 1, step: 8000 }] });
    const res = await request(app).post('/werun').set('Authorization', auth).send({ encryptedData, iv });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ steps: [8000] });
  });

  it('a decrypt() that throws in an async route is the JSON error, and the app keeps serving', async () => {
    const { openid, auth } = await login(app);
    const bad = await request(app)
      .post('/werun')
      .set('Authorization', auth)
      .send({ encryptedData: 'x', iv: 'y' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('WX_DATA_INVALID');
    // Encrypted with a key the server never received (wx.login() without POST /wx/login).
    const stale = emulator.encrypt(
      openid,
      { stepInfoList: [] },
      { sessionKey: Buffer.alloc(16, 7).toString('base64') },
    );
    const res = await request(app).post('/werun').set('Authorization', auth).send(stale);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_SESSION_KEY_STALE');
    const fine = emulator.encrypt(openid, { stepInfoList: [{ timestamp: 1, step: 3 }] });
    expect((await request(app).post('/werun').set('Authorization', auth).send(fine)).body).toEqual({
      steps: [3],
    });
  });

  it('a signature check that throws in an async route is the JSON error', async () => {
    const { openid, auth } = await login(app);
    const missing = await request(app).post('/profile').set('Authorization', auth).send({ rawData: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('WX_INVALID_REQUEST');
    const rawData = JSON.stringify({ nickName: '韩梅梅' });
    const wrong = await request(app)
      .post('/profile')
      .set('Authorization', auth)
      .send({ rawData, signature: '0'.repeat(40) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('WX_SIGNATURE_MISMATCH');
    const sessionKey = emulator.sessionKeyOf(openid)!;
    const signature = createHash('sha1')
      .update(rawData + sessionKey)
      .digest('hex');
    const ok = await request(app).post('/profile').set('Authorization', auth).send({ rawData, signature });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ nickName: '韩梅梅' });
  });

  it('a handler that throws before any await, or rejects with nothing, reaches the error handlers', async () => {
    const thrown = await request(app).get('/sync-throw');
    expect(thrown.status).toBe(500);
    expect(thrown.body).toEqual({ appError: 'thrown before any await' });
    const nothing = await request(app).get('/reject-nothing');
    expect(nothing.status).toBe(500);
    expect(nothing.body).toEqual({ appError: 'Rejected promise' });
  });

  it('a handler that returns no promise runs as is', async () => {
    const res = await request(app).get('/not-async');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ plain: true });
  });
});
