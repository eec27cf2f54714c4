// requireWxSession() and POST /wx/logout: which tokens open a protected route and which are
// refused, how, and with what header. Attack tokens are crafted with jose or by hand.

import { createHmac } from 'node:crypto';
import express from 'express';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryStore, requireWxSession } from '../../src/index.js';
import { buildApp, startEmulator, TOKEN_SECRET } from '../helpers/app.js';

const emulator = await startEmulator();
const { app } = buildApp(emulator);

async function login(target = app): Promise<{ token: string; openid: string; sid: string }> {
  const res = await request(target).post('/wx/login').send({ code: emulator.issueLoginCode() });
  expect(res.status).toBe(200);
  return { token: res.body.token, openid: res.body.openid, sid: String(decodeJwt(res.body.token).sid) };
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Signs claims by hand with HS256, like the package would, with any key, header and claims. */
function forge(
  claims: Record<string, unknown>,
  options: { secret?: string; header?: Record<string, unknown> } = {},
): string {
  const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', ...options.header })}.${b64url(claims)}`;
  const signature = createHmac('sha256', options.secret ?? TOKEN_SECRET)
    .update(signingInput)
    .digest('base64url');
  return `${signingInput}.${signature}`;
}

/** Claims exactly like the package's own for a fresh session, then `change` applied. */
async function sessionClaims(change: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { openid, sid } = await login();
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: openid,
    sid,
    aud: emulator.appId,
    iss: 'express-wx-login',
    iat: now,
    exp: now + 60,
    ...change,
  };
}

async function me(token: string | undefined, extra: Record<string, string> = {}) {
  const req = request(app).get('/me');
  if (token !== undefined) req.set('Authorization', token);
  for (const [k, v] of Object.entries(extra)) req.set(k, v);
  return req;
}

function expectRefused(res: request.Response, code: string): void {
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe(code);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="express-wx-login"/);
}

describe('requireWxSession()', () => {
  it('lets a valid token through, with any case of the scheme', async () => {
    const { token, openid } = await login();
    expect((await me(`Bearer ${token}`)).body.openid).toBe(openid);
    expect((await me(`bearer ${token}`)).status).toBe(200);
    expect((await me(`BEARER ${token}`)).status).toBe(200);
  });

  it('refuses a request without a token with WX_TOKEN_MISSING', async () => {
    const res = await me(undefined);
    expectRefused(res, 'WX_TOKEN_MISSING');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="express-wx-login"');
  });

  it.each([
    ['another scheme', (t: string) => `Basic ${t}`],
    ['an empty value', () => ''],
    ['the scheme alone', () => 'Bearer'],
    ['two tokens', (t: string) => `Bearer ${t} ${t}`],
    ['a token with a quote', (t: string) => `Bearer "${t}"`],
  ])('refuses %s with WX_TOKEN_INVALID', async (_name, make) => {
    const { token } = await login();
    const res = await me(make(token));
    expectRefused(res, 'WX_TOKEN_INVALID');
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('refuses several Authorization headers even when each is valid', async () => {
    const { token } = await login();
    const res = await request(app)
      .get('/me')
      .set('Authorization', [`Bearer ${token}`, `Bearer ${token}`] as unknown as string);
    expectRefused(res, 'WX_TOKEN_INVALID');
  });

  it('refuses a tampered token', async () => {
    const { token } = await login();
    const [h, , s] = token.split('.');
    const payload = b64url({ ...decodeJwt(token), sub: 'someone-else' });
    expectRefused(await me(`Bearer ${h}.${payload}.${s}`), 'WX_TOKEN_INVALID');
  });

  it('refuses a token signed with another secret', async () => {
    const token = forge(await sessionClaims(), { secret: 'another-secret-of-at-least-32-bytes-long!' });
    expectRefused(await me(`Bearer ${token}`), 'WX_TOKEN_INVALID');
  });

  it('refuses alg "none"', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(await sessionClaims())}.`;
    expectRefused(await me(`Bearer ${token}`), 'WX_TOKEN_INVALID');
  });

  it.each([
    ['another audience (appId)', { aud: 'wx_other_app' }],
    ['another issuer', { iss: 'someone-else' }],
    ['no sid', { sid: undefined }],
  ])('refuses a token for %s', async (_name, change) => {
    const claims = await sessionClaims(change);
    expectRefused(await me(`Bearer ${forge(claims)}`), 'WX_TOKEN_INVALID');
  });

  it('refuses a crit header and an unknown kid', async () => {
    const claims = await sessionClaims();
    expectRefused(await me(`Bearer ${forge(claims, { header: { kid: 'nope' } })}`), 'WX_TOKEN_INVALID');
    // Correctly signed, so only the crit header can be the reason.
    expect((await me(`Bearer ${forge(claims)}`)).status).toBe(200);
    expectRefused(await me(`Bearer ${forge(claims, { header: { crit: ['exp'] } })}`), 'WX_TOKEN_INVALID');
    expectRefused(
      await me(`Bearer ${forge(claims, { header: { crit: ['b64'], b64: true } })}`),
      'WX_TOKEN_INVALID',
    );
  });

  it('refuses a token whose nbf is in the future beyond the skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = await sessionClaims({ exp: now + 600 });
    expectRefused(await me(`Bearer ${forge({ ...claims, nbf: now + 120 })}`), 'WX_TOKEN_INVALID');
    expect((await me(`Bearer ${forge({ ...claims, nbf: now + 10 })}`)).status).toBe(200);
  });

  it('refuses HS/RS confusion: a token claiming RS256 or ES256, even signed with our secret', async () => {
    const claims = await sessionClaims();
    for (const alg of ['RS256', 'ES256', 'HS512', 'PS256']) {
      expectRefused(await me(`Bearer ${forge(claims, { header: { alg } })}`), 'WX_TOKEN_INVALID');
    }
  });

  it('refuses an expired token beyond 30 s of clock skew, and accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = await sessionClaims({ iat: now - 3600 });
    expectRefused(await me(`Bearer ${forge({ ...base, exp: now - 31 })}`), 'WX_TOKEN_EXPIRED');
    expect((await me(`Bearer ${forge({ ...base, exp: now - 20 })}`)).status).toBe(200);
  });

  it('refuses a well-signed token whose session does not exist', async () => {
    const claims = await sessionClaims({ sid: 'no-such-session' });
    expectRefused(await me(`Bearer ${forge(claims)}`), 'WX_SESSION_REVOKED');
  });

  it('refuses a session’s token presented for another openid', async () => {
    const a = await login();
    const claims = await sessionClaims({ sid: a.sid }); // another user's openid as sub
    expectRefused(await me(`Bearer ${forge(claims)}`), 'WX_SESSION_REVOKED');
  });

  it('in optional mode lets a request without a token through, but still refuses a bad one', async () => {
    const none = await request(app).get('/maybe');
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ user: null });
    const { token, openid } = await login();
    expect((await request(app).get('/maybe').set('Authorization', `Bearer ${token}`)).body.user.openid).toBe(
      openid,
    );
    expectRefused(
      await request(app).get('/maybe').set('Authorization', 'Bearer not.a.token'),
      'WX_TOKEN_INVALID',
    );
  });

  it('leaves nothing of the service where templates or serializers could find it', async () => {
    // Every own key (strings and symbols) of req and res.locals, as a route sees them.
    const keysOf = (req: express.Request, res: express.Response) => ({
      req: Reflect.ownKeys(req)
        .map(String)
        .filter((k) => k !== 'wxUser')
        .sort(),
      locals: Reflect.ownKeys(res.locals).map(String),
    });
    const { app: probe } = buildApp(
      emulator,
      {},
      { routes: (a) => a.get('/probe', requireWxSession(), (req, res) => res.json(keysOf(req, res))) },
    );
    const bare = express();
    bare.use(express.json());
    bare.get('/probe', (req, res) => res.json(keysOf(req, res)));
    const { token } = await login(probe);
    const withPackage = await request(probe).get('/probe').set('Authorization', `Bearer ${token}`);
    const without = await request(bare).get('/probe').set('Authorization', `Bearer ${token}`);
    expect(withPackage.status).toBe(200);
    expect(withPackage.body.locals).toEqual([]);
    expect(withPackage.body.req).toEqual(without.body.req);
  });

  it('answers 500 WX_MISCONFIGURED when wxLogin() was not mounted before it', async () => {
    const lone = express();
    lone.get('/me', requireWxSession(), (_req, res) => {
      res.json({});
    });
    const res = await request(lone).get('/me').set('Authorization', 'Bearer x.y.z');
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('WX_MISCONFIGURED');
  });
});

describe('POST /wx/logout', () => {
  it('ends the session: 204, then the token is refused at once', async () => {
    const { token } = await login();
    const out = await request(app).post('/wx/logout').set('Authorization', `Bearer ${token}`);
    expect(out.status).toBe(204);
    expect(out.text).toBe('');
    expectRefused(await me(`Bearer ${token}`), 'WX_SESSION_REVOKED');
    expectRefused(
      await request(app).post('/wx/logout').set('Authorization', `Bearer ${token}`),
      'WX_SESSION_REVOKED',
    );
  });

  it('leaves the user’s other sessions alone', async () => {
    const user = emulator.createUser();
    const first = await request(app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(user.openid) });
    const second = await request(app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(user.openid) });
    await request(app).post('/wx/logout').set('Authorization', `Bearer ${first.body.token}`).expect(204);
    expect((await me(`Bearer ${second.body.token}`)).status).toBe(200);
  });

  it('refuses a logout without a token', async () => {
    expectRefused(await request(app).post('/wx/logout'), 'WX_TOKEN_MISSING');
  });
});

describe('signing key rotation', () => {
  it('verifies tokens of every listed key by kid and signs with the first', async () => {
    const oldKey = { kid: 'k1', secret: 'old-signing-secret-0123456789-abcdefgh' };
    const newKey = { kid: 'k2', secret: 'new-signing-secret-0123456789-abcdefgh' };
    const store = new MemoryStore();
    const before = buildApp(emulator, { signingKeys: [oldKey], tokenSecret: undefined, store });
    const during = buildApp(emulator, { signingKeys: [newKey, oldKey], tokenSecret: undefined, store });
    const after = buildApp(emulator, { signingKeys: [newKey], tokenSecret: undefined, store });

    const old = await login(before.app);
    expect((await request(during.app).get('/me').set('Authorization', `Bearer ${old.token}`)).status).toBe(
      200,
    );
    const fresh = await login(during.app);
    expect(JSON.parse(Buffer.from(fresh.token.split('.')[0] ?? '', 'base64url').toString()).kid).toBe('k2');
    expect((await request(after.app).get('/me').set('Authorization', `Bearer ${fresh.token}`)).status).toBe(
      200,
    );
    const refused = await request(after.app).get('/me').set('Authorization', `Bearer ${old.token}`);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('WX_TOKEN_INVALID');
  });
});
