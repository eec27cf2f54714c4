// Open data through req.wxUser: decryption with the user's newest session_key, rotation, the
// stale-key code, watermark and input errors, rawData signatures, and checkSessionKey and reset
// with what they send WeChat and how often.

import { createHash } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { requireWxSession } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { leaksIn, secret } from '../helpers/secret-watch.js';
import { sign } from '../helpers/wechat-http.js';

const emulator = await startEmulator();

function routes(app: Express): void {
  app.post('/open/verify', async (req, res, next) => {
    try {
      res.json({ valid: await req.wxUser!.verifySignature(req.body.rawData, req.body.signature) });
    } catch (err) {
      next(err);
    }
  });
  app.post('/open/assert', async (req, res, next) => {
    try {
      await req.wxUser!.assertSignature(req.body.rawData, req.body.signature);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });
  app.post('/open/check', async (req, res, next) => {
    try {
      res.json({ valid: await req.wxUser!.checkSessionKey() });
    } catch (err) {
      next(err);
    }
  });
  app.post('/open/reset', async (req, res, next) => {
    try {
      await req.wxUser!.resetSessionKey();
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });
}

const { app } = buildApp(
  emulator,
  {},
  {
    routes: (a) => {
      a.use('/open', requireWxSession());
      routes(a);
    },
  },
);

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

async function login(openid: string): Promise<string> {
  const res = await request(app)
    .post('/wx/login')
    .send({ code: emulator.issueLoginCode(openid) });
  expect(res.status).toBe(200);
  secret(emulator.sessionKeyOf(openid));
  return res.body.token;
}

function post(path: string, token: string, body: object) {
  return request(app).post(path).set('Authorization', `Bearer ${token}`).send(body);
}

describe('req.wxUser.decrypt()', () => {
  it('decrypts WeRun data with the session key and keeps the watermark', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const steps = { stepInfoList: [{ timestamp: 1700000000, step: 8123 }] };
    const res = await post('/werun', token, emulator.encrypt(user.openid, steps));
    expect(res.status).toBe(200);
    expect(res.body.stepInfoList).toEqual(steps.stepInfoList);
    expect(res.body.watermark.appid).toBe(emulator.appId);
  });

  it('decrypts with the newest key even for a request carrying an older token', async () => {
    const user = emulator.createUser();
    const oldToken = await login(user.openid);
    const oldKey = emulator.sessionKeyOf(user.openid);
    await login(user.openid); // a later wx.login + login rotated the key
    expect(emulator.sessionKeyOf(user.openid)).not.toBe(oldKey);
    const res = await post('/werun', oldToken, emulator.encrypt(user.openid, { n: 1 }));
    expect(res.status).toBe(200);
    expect(res.body.n).toBe(1);
  });

  it('answers data encrypted with a key the server never saw with WX_SESSION_KEY_STALE', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const res = await post(
      '/werun',
      token,
      emulator.encrypt(user.openid, { n: 1 }, { sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_SESSION_KEY_STALE');
    expect(res.body.error.message).toMatch(/wx\.login\(\)/);
  });

  it('answers the watermark of another app with WX_WATERMARK_MISMATCH', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const res = await post(
      '/werun',
      token,
      emulator.encrypt(user.openid, { n: 1 }, { watermarkAppId: 'wx_other_app' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_WATERMARK_MISMATCH');
  });

  it.each([
    ['no encryptedData', (d: { iv: string }) => ({ iv: d.iv })],
    ['a non-base64 iv', (d: { encryptedData: string }) => ({ encryptedData: d.encryptedData, iv: '***' })],
    ['a short iv', (d: { encryptedData: string }) => ({ encryptedData: d.encryptedData, iv: 'AAAA' })],
    [
      'a truncated ciphertext',
      (d: { encryptedData: string; iv: string }) => ({
        encryptedData: d.encryptedData.slice(0, 10),
        iv: d.iv,
      }),
    ],
    ['a number', (d: { iv: string }) => ({ encryptedData: 12, iv: d.iv })],
  ])('answers %s with 400 WX_DATA_INVALID', async (_n, mangle) => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const res = await post('/werun', token, mangle(emulator.encrypt(user.openid, { n: 1 })));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_DATA_INVALID');
    expect(leaksIn(JSON.stringify(res.body))).toEqual([]);
  });

  it('restores "+" turned into spaces by form encoding', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    let data = emulator.encrypt(user.openid, { n: 2 });
    while (!`${data.encryptedData}${data.iv}`.includes('+')) data = emulator.encrypt(user.openid, { n: 2 });
    const res = await post('/werun', token, {
      encryptedData: data.encryptedData.replaceAll('+', ' '),
      iv: data.iv.replaceAll('+', ' '),
    });
    expect(res.status).toBe(200);
    expect(res.body.n).toBe(2);
  });
});

describe('req.wxUser.verifySignature()', () => {
  it('checks sha1(rawData + session_key)', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const rawData = JSON.stringify({ nickName: 'Band', gender: 1 });
    const signature = createHash('sha1')
      .update(rawData + emulator.sessionKeyOf(user.openid))
      .digest('hex');
    expect((await post('/open/verify', token, { rawData, signature })).body).toEqual({ valid: true });
    expect((await post('/open/verify', token, { rawData: `${rawData} `, signature })).body).toEqual({
      valid: false,
    });
    expect((await post('/open/assert', token, { rawData, signature })).status).toBe(204);
    const mismatch = await post('/open/assert', token, { rawData: `${rawData} `, signature });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.code).toBe('WX_SIGNATURE_MISMATCH');
    const bad = await post('/open/verify', token, { rawData: 1, signature });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('WX_INVALID_REQUEST');
  });
});

describe('checkSessionKey() and resetSessionKey()', () => {
  it('reports the server’s key valid, then invalid once WeChat rotated it elsewhere, and a reset repairs it', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const key = emulator.sessionKeyOf(user.openid)!;
    expect((await post('/open/check', token, {})).body).toEqual({ valid: true });
    const checks = emulator.callsTo('checksession');
    expect(checks).toHaveLength(1);
    expect(checks[0]!.query).toEqual({
      access_token: expect.any(String),
      openid: user.openid,
      signature: sign(key),
      sig_method: 'hmac_sha256',
    });
    expect(checks[0]!.errcode).toBe(0);

    // Another exchange straight at WeChat rotates the key without this server seeing it.
    const code = emulator.issueLoginCode(user.openid);
    await fetch(
      `${emulator.url}/sns/jscode2session?appid=${emulator.appId}&secret=${emulator.appSecret}&js_code=${code}&grant_type=authorization_code`,
    );
    secret(emulator.sessionKeyOf(user.openid));
    expect((await post('/open/check', token, {})).body).toEqual({ valid: false });
    // Once more signed with the key the server holds, which WeChat now refuses: no retry.
    const after = emulator.callsTo('checksession').slice(1);
    expect(after.map((call) => [call.query.signature, call.errcode])).toEqual([[sign(key), 87009]]);
    expect((await post('/werun', token, emulator.encrypt(user.openid, { n: 3 }))).body.error.code).toBe(
      'WX_SESSION_KEY_STALE',
    );
  });

  it('resets the key at WeChat and keeps the new one', async () => {
    const user = emulator.createUser();
    const token = await login(user.openid);
    const before = emulator.sessionKeyOf(user.openid)!;
    const reset = await post('/open/reset', token, {});
    expect(reset.status).toBe(204);
    const fresh = emulator.sessionKeyOf(user.openid)!;
    secret(fresh);
    expect(fresh).not.toBe(before);
    const resets = emulator.callsTo('resetusersessionkey');
    expect(resets).toHaveLength(1);
    expect(resets[0]).toMatchObject({
      query: { openid: user.openid, signature: sign(before), sig_method: 'hmac_sha256' },
      errcode: 0,
    });
    // The server keeps the key the reset gave: its next check is signed with it.
    expect((await post('/open/check', token, {})).body).toEqual({ valid: true });
    expect(emulator.callsTo('checksession').map((call) => call.query.signature)).toEqual([sign(fresh)]);
    const res = await post('/werun', token, emulator.encrypt(user.openid, { n: 4 }));
    expect(res.status).toBe(200);
    expect(res.body.n).toBe(4);
  });
});
