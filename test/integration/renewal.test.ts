// Renewal mode (`refresh` option) in one process: short access tokens, POST /wx/refresh rotating
// the refresh token, reuse ending the session, the absolute lifetime, and no WeChat call on renewal.

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { WxAuth } from '../../src/index.js';
import { buildApp, startEmulator, TOKEN_SECRET } from '../helpers/app.js';

const emulator = await startEmulator();
const { app, middleware, lines } = buildApp(emulator, {
  refresh: { accessTokenTtl: 600, absoluteTtl: 7200 },
  onLogin: () => ({ role: 'member' }),
});
const auth = middleware.auth;

interface Pair {
  token: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
}

async function login(openid = emulator.createUser().openid): Promise<Pair & { openid: string }> {
  const res = await request(app)
    .post('/wx/login')
    .send({ code: emulator.issueLoginCode(openid) });
  expect(res.status).toBe(200);
  return res.body;
}

const refresh = (refreshToken: unknown) => request(app).post('/wx/refresh').send({ refreshToken });
const me = (token: string) => request(app).get('/me').set('Authorization', `Bearer ${token}`);
const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };

describe('POST /wx/login in renewal mode', () => {
  it('answers a short access token and a refresh token good until the absolute end', async () => {
    const body = await login();
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 600, refreshExpiresIn: 7200 });
    expect(body.refreshToken).toMatch(/^[\w-]{22}\.0\.[\w-]{43}$/);
    const { iat, exp } = claims(body.token);
    expect(exp - iat).toBe(600);
    const session = (await me(body.token)).body;
    expect(session.expiresAt).toBe(iat + 7200);
  });
});

describe('POST /wx/refresh', () => {
  it('rotates: a new access token and refresh token, the same session and user, no WeChat call', async () => {
    const first = await login();
    const before = (await me(first.token)).body;
    emulator.resetCalls();

    const res = await refresh(first.refreshToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', openid: first.openid, user: { role: 'member' } });
    expect(res.body.refreshToken).not.toBe(first.refreshToken);
    expect(res.body.refreshToken).toMatch(/^[\w-]{22}\.1\./);
    expect(emulator.calls).toEqual([]);

    const after = (await me(res.body.token)).body;
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.user).toEqual({ role: 'member' });
    // And again with the newest one.
    const third = await refresh(res.body.refreshToken);
    expect(third.status).toBe(200);
    expect(third.body.refreshToken).toMatch(/\.2\./);
  });

  it('keeps the session_key: open data still decrypts with the renewed token', async () => {
    const first = await login();
    const renewed = (await refresh(first.refreshToken)).body;
    const data = emulator.encrypt(first.openid, { stepInfoList: [{ timestamp: 1, step: 5 }] });
    const res = await request(app).post('/werun').set('Authorization', `Bearer ${renewed.token}`).send(data);
    expect(res.status).toBe(200);
    expect(res.body.stepInfoList).toEqual([{ timestamp: 1, step: 5 }]);
  });

  it('a refresh token used twice ends the whole session: every token of it is refused', async () => {
    const first = await login();
    const second = (await refresh(first.refreshToken)).body as Pair;
    const third = (await refresh(second.refreshToken)).body as Pair;
    expect((await me(third.token)).status).toBe(200);

    // An old one comes back (stolen, or replayed): the family ends.
    const reuse = await refresh(first.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('WX_SESSION_REVOKED');
    expect(reuse.body.error.message).toMatch(/already used/);
    expect((await me(third.token)).body.error.code).toBe('WX_SESSION_REVOKED');
    expect((await refresh(third.refreshToken)).status).toBe(401);
    expect(await auth.listSessions(first.openid)).toEqual([]);
    expect(lines.some((l) => l.level === 'warn' && /refresh token reused/.test(l.msg ?? ''))).toBe(true);
  });

  it('two concurrent renewals with one token: at most one answer, and the reuse ends the session', async () => {
    const first = await login();
    const answers = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(answers.filter((r) => r.body.error?.code === 'WX_SESSION_REVOKED').length).toBeGreaterThanOrEqual(
      1,
    );
    for (const won of answers.filter((r) => r.status === 200).map((r) => r.body as Pair)) {
      expect((await me(won.token)).status).toBe(401);
      expect((await refresh(won.refreshToken)).status).toBe(401);
    }
    expect((await me(first.token)).status).toBe(401);
  });

  it('caps the access token at the session’s absolute end', async () => {
    const short = buildApp(emulator, { refresh: { accessTokenTtl: 120, absoluteTtl: 120 } });
    const { openid } = emulator.createUser();
    const first = (
      await request(short.app)
        .post('/wx/login')
        .send({ code: emulator.issueLoginCode(openid) })
    ).body as Pair;
    await new Promise((r) => setTimeout(r, 1100));
    const res = await request(short.app).post('/wx/refresh').send({ refreshToken: first.refreshToken });
    expect(res.status).toBe(200);
    expect(res.body.expiresIn).toBeLessThan(120);
    expect(res.body.refreshExpiresIn).toBe(res.body.expiresIn);
    const { iat, exp } = claims(res.body.token);
    expect(exp).toBe(claims(first.token).iat + 120);
    expect(exp - iat).toBe(res.body.expiresIn);
  });

  it('after a logout, or revokeUser(), the refresh token is refused', async () => {
    const a = await login();
    await request(app).post('/wx/logout').set('Authorization', `Bearer ${a.token}`).expect(204);
    const afterLogout = await refresh(a.refreshToken);
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.error.code).toBe('WX_SESSION_REVOKED');

    const b = await login();
    await auth.revokeUser(b.openid);
    expect((await refresh(b.refreshToken)).body.error.code).toBe('WX_SESSION_REVOKED');
  });

  it('shows the last renewal in listSessions()', async () => {
    const first = await login();
    const [listed] = await auth.listSessions(first.openid);
    expect(listed!.renewedAt).toBe(listed!.createdAt);
    await new Promise((r) => setTimeout(r, 1100));
    await refresh(first.refreshToken);
    const [renewed] = await auth.listSessions(first.openid);
    expect(renewed!.renewedAt).toBeGreaterThan(renewed!.createdAt);
  });

  it('refuses a missing or malformed refresh token (400), and a forged one (401) without ending the session', async () => {
    const first = await login();
    for (const body of [{}, { refreshToken: 42 }, { refreshToken: 'x'.repeat(201) }]) {
      const res = await request(app).post('/wx/refresh').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('WX_INVALID_REQUEST');
    }
    const [sid, generation] = first.refreshToken.split('.');
    const forged = [
      `${sid}.${generation}.${'A'.repeat(43)}`,
      `${sid}.5.${first.refreshToken.split('.')[2]}`,
      'nope',
    ];
    for (const token of forged) {
      const res = await refresh(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WX_TOKEN_INVALID');
    }
    // A token of another deployment (another signing key) is not ours either.
    const other = new WxAuth({
      appId: emulator.appId,
      appSecret: emulator.appSecret,
      tokenSecret: `${TOKEN_SECRET}-other`,
      apiBaseUrl: emulator.url,
      refresh: true,
    });
    const theirs = await other.login(emulator.issueLoginCode(first.openid));
    other.close();
    expect((await refresh(theirs.refreshToken)).body.error.code).toBe('WX_TOKEN_INVALID');
    // None of that ended the session.
    expect((await refresh(first.refreshToken)).status).toBe(200);
  });

  it('never writes a refresh token to the log', async () => {
    const first = await login();
    const second = (await refresh(first.refreshToken)).body as Pair;
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(first.refreshToken);
    expect(logged).not.toContain(second.refreshToken);
    expect(logged).toMatch(/"renewal"/);
  });
});

describe('without the refresh option', () => {
  it('issues one token of tokenTtl, no refresh token, and serves no /wx/refresh', async () => {
    const plain = buildApp(emulator);
    const res = await request(plain.app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.body.expiresIn).toBe(7 * 24 * 3600);
    expect(res.body.refreshToken).toBeUndefined();
    expect((await request(plain.app).post('/wx/refresh').send({ refreshToken: 'x' })).status).toBe(404);
    await expect(plain.middleware.auth.renew('x')).rejects.toMatchObject({ code: 'WX_MISCONFIGURED' });
  });

  it('refuses bad refresh options at once, naming them', () => {
    const base = { appId: 'wx1', appSecret: 's', tokenSecret: TOKEN_SECRET };
    expect(() => new WxAuth({ ...base, refresh: 'yes' as never })).toThrow(/option "refresh" must be/);
    expect(() => new WxAuth({ ...base, refresh: { accessTokenTtl: 30 } })).toThrow(
      /option "refresh.accessTokenTtl" must be an integer from 60 to 86400/,
    );
    expect(() => new WxAuth({ ...base, refresh: { accessTokenTtl: 900, absoluteTtl: 600 } })).toThrow(
      /"refresh.absoluteTtl" must be an integer from 900/,
    );
    expect(() => new WxAuth({ ...base, refresh: { accessTtl: 900 } as never })).toThrow(
      /option "refresh.accessTtl" is unknown/,
    );
  });
});
