// A user's sessions in one process: listing them (devices), ending all of them (by openid, by
// unionid, mini program and web alike, POST /wx/logout { all: true }), updating what they carry.

import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, type SessionStore } from '../../src/index.js';
import { buildApp } from '../helpers/app.js';
import { requiredOnly } from '../helpers/required-only-store.js';
import { TestBrowser } from '../helpers/test-browser.js';
import { MINI, startWebApp, startWebEmulator } from '../helpers/web-app.js';

const IPHONE_MINI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN miniProgram/wx123';
const ANDROID_MINI =
  'Mozilla/5.0 (Linux; Android 12; V2049A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 MiniProgramEnv/android';

const emulator = await startWebEmulator();
const store = new MemoryStore();
const web = await startWebApp(emulator, {
  login: {
    store,
    onLogin: (event) => ({ userId: `user-of-${event.unionid ?? event.openid}`, role: 'member', trial: true }),
  },
  more: (app, wx) => {
    // Routes added here come after the app's error handler: this one answers its error itself.
    app.post('/update-after-logout', wx.guard(), async (req, res) => {
      try {
        await wx.auth.revokeSession(req.wxUser!.sessionId);
        res.json(await req.wxUser!.update({ late: true }));
      } catch (err) {
        const { status, code } = err as { status: number; code: string };
        res.status(status).json({ error: { code } });
      }
    });
    app.post('/bind-phone', wx.guard(), async (req, res, next) => {
      try {
        const user = await req.wxUser!.update({ phoneBound: true, trial: null });
        res.json({ returned: user, now: req.wxUser!.user });
      } catch (err) {
        next(err);
      }
    });
  },
});
const auth = web.wx.auth;

beforeEach(() => {
  emulator.clearFaults();
  emulator.oauthUser({ consent: 'allow' });
});

async function miniLogin(openid: string, userAgent = IPHONE_MINI): Promise<string> {
  const res = await request(web.app)
    .post('/wx/login')
    .set('User-Agent', userAgent)
    .send({ code: emulator.issueLoginCode(openid) });
  expect(res.status).toBe(200);
  return res.body.token;
}

/** `count` logins of `openid`, one after another (a listing shows them in that order); their tokens. */
async function miniLogins(openid: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await miniLogin(openid));
  return tokens;
}

/** A user with two sessions and another user (the bystander) with one; the users and tokens. */
async function twoSessionsAndABystander() {
  const user = emulator.createUser({ appId: MINI.appId });
  const other = emulator.createUser({ appId: MINI.appId });
  const tokens = await miniLogins(user.openid, 2);
  const bystander = await miniLogin(other.openid);
  return { user, tokens, bystander };
}

const me = (token: string) => request(web.app).get('/me').set('Authorization', `Bearer ${token}`);

/** An app of the mini program on `store`, and a login of `openid` on it that gives its token. */
function miniAppOn(store: SessionStore) {
  const built = buildApp(emulator, { appId: MINI.appId, appSecret: MINI.appSecret, store });
  const login = async (openid: string): Promise<string> =>
    (
      await request(built.app)
        .post('/wx/login')
        .send({ code: emulator.issueLoginCode(openid) })
    ).body.token;
  return { ...built, login };
}

describe('listSessions', () => {
  it('lists each session of the user, newest first, with source, app, times and device', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const other = emulator.createUser({ appId: MINI.appId });
    const before = Math.floor(Date.now() / 1000);
    const first = await miniLogin(user.openid, IPHONE_MINI);
    await new Promise((r) => setTimeout(r, 1100)); // distinct createdAt seconds
    const second = await miniLogin(user.openid, ANDROID_MINI);
    await miniLogin(other.openid);

    const sessions = await auth.listSessions(user.openid);
    expect(sessions.map((s) => s.sessionId)).toEqual([
      (await me(second)).body.sessionId,
      (await me(first)).body.sessionId,
    ]);
    expect(sessions[0]).toEqual({
      sessionId: expect.any(String),
      openid: user.openid,
      appId: MINI.appId,
      source: 'miniprogram',
      createdAt: expect.any(Number),
      renewedAt: sessions[0]!.createdAt,
      expiresAt: sessions[0]!.createdAt + 7 * 24 * 3600,
      client: 'Android · WeChat 8.0.47.2560 · mini program',
    });
    expect(sessions[1]!.client).toBe('iPhone · WeChat 8.0.50 · mini program');
    expect(sessions[1]!.createdAt).toBeGreaterThanOrEqual(before);
    expect(await auth.listSessions({ openid: other.openid })).toHaveLength(1);
    // What a list holds is safe to render: no session_key, no token.
    expect(JSON.stringify(sessions)).not.toContain(emulator.sessionKeyOf(user.openid)!);
  });

  it('drops a session ended by logout, and one ended by revokeSession()', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const [a, b, c] = await miniLogins(user.openid, 3);
    await request(web.app).post('/wx/logout').set('Authorization', `Bearer ${a}`).expect(204);
    await auth.revokeSession((await me(b)).body.sessionId);
    const left = await auth.listSessions(user.openid);
    expect(left.map((s) => s.sessionId)).toEqual([(await me(c)).body.sessionId]);
  });

  it('refuses a user named by nothing or by a malformed id', async () => {
    await expect(auth.listSessions({})).rejects.toThrow(/name the user by openid/);
    await expect(auth.listSessions('a b')).rejects.toThrow(TypeError);
    await expect(auth.revokeUser({ unionid: 'x'.repeat(129) })).rejects.toThrow(/unionid must be/);
  });
});

describe('revokeUser', () => {
  it('ends every session of the user and no one else’s', async () => {
    const { user, tokens, bystander } = await twoSessionsAndABystander();
    for (const token of tokens) expect((await me(token)).status).toBe(200);

    expect(await auth.revokeUser(user.openid)).toBe(2);
    for (const token of tokens) {
      const res = await me(token);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WX_SESSION_REVOKED');
    }
    expect((await me(bystander)).status).toBe(200);
    expect(await auth.listSessions(user.openid)).toEqual([]);
    expect(await auth.revokeUser(user.openid)).toBe(0);
  });

  it('by unionid ends the mini-program and the web sessions of one person', async () => {
    const mini = emulator.createUser({ appId: MINI.appId, withUnionid: true });
    const miniToken = await miniLogin(mini.openid);
    emulator.oauthUser({ unionid: mini.unionid!, consent: 'allow' });
    const browser = new TestBrowser();
    await browser.open(`${web.base}/wx/web/login?returnTo=/account`);
    const webToken = browser.cookie('wxl_token', web.base)!;
    const webMe = await request(web.app).get('/me').set('Cookie', `wxl_token=${webToken}`);
    expect(webMe.status).toBe(200);

    const listed = await auth.listSessions({ unionid: mini.unionid! });
    expect(listed.map((s) => [s.source, s.openid]).sort()).toEqual(
      [
        ['miniprogram', mini.openid],
        ['web', webMe.body.openid],
      ].sort(),
    );
    expect(listed.find((s) => s.source === 'web')?.appId).not.toBe(MINI.appId);

    expect(await auth.revokeUser({ unionid: mini.unionid! })).toBe(2);
    expect((await me(miniToken)).status).toBe(401);
    expect((await request(web.app).get('/me').set('Cookie', `wxl_token=${webToken}`)).status).toBe(401);
  });
});

describe('on a store without index methods (the fallback index)', () => {
  it('lists, updates and ends every session of a user', async () => {
    const { app, middleware, login } = miniAppOn(requiredOnly(new MemoryStore()));
    const user = emulator.createUser({ appId: MINI.appId });
    const tokens = await Promise.all([1, 2, 3].map(() => login(user.openid)));
    expect(await middleware.auth.listSessions(user.openid)).toHaveLength(3);
    expect(await middleware.auth.updateUser(user.openid, { vip: true })).toBe(3);
    expect(await middleware.auth.revokeUser(user.openid)).toBe(3);
    for (const token of tokens) {
      expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    }
  });

  it('refuses a store with only some of the index methods when wxLogin() is built', () => {
    const half = { ...requiredOnly(new MemoryStore()), indexAdd: () => undefined };
    expect(() => buildApp(emulator, { store: half })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_VALUE',
        message: expect.stringMatching(/option "store"/),
      }),
    );
  });
});

describe('renewal mode and web logins', () => {
  it('gives web logins one token of tokenTtl in their cookie, and lists them beside mini-program sessions', async () => {
    const renewing = await startWebApp(emulator, { login: { refresh: true, tokenTtl: 3600 } });
    const mini = emulator.createUser({ appId: MINI.appId, withUnionid: true });
    const login = await request(renewing.app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(mini.openid) });
    expect(login.body).toMatchObject({ expiresIn: 900, refreshExpiresIn: 30 * 24 * 3600 });
    emulator.oauthUser({ unionid: mini.unionid!, consent: 'allow' });
    const browser = new TestBrowser();
    await browser.open(`${renewing.base}/wx/web/login?returnTo=/account`);
    const cookie = browser.cookie('wxl_token', renewing.base)!;
    const { iat, exp } = JSON.parse(Buffer.from(cookie.split('.')[1]!, 'base64url').toString());
    expect(exp - iat).toBe(3600);
    const listed = await renewing.wx.auth.listSessions({ unionid: mini.unionid! });
    expect(listed.map((s) => [s.source, s.expiresAt - s.createdAt]).sort()).toEqual([
      ['miniprogram', 30 * 24 * 3600],
      ['web', 3600],
    ]);
  });
});

describe('POST /wx/logout', () => {
  it('ends only the current session by default, and every session with { all: true }', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const [a, b, c] = await miniLogins(user.openid, 3);
    await request(web.app).post('/wx/logout').set('Authorization', `Bearer ${a}`).send({}).expect(204);
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(200);

    await request(web.app)
      .post('/wx/logout')
      .set('Authorization', `Bearer ${b}`)
      .send({ all: true })
      .expect(204);
    expect((await me(b)).status).toBe(401);
    expect((await me(c)).status).toBe(401);
    expect(await auth.listSessions(user.openid)).toEqual([]);
  });

  it('answers 400 for an "all" that is not a boolean, and ends nothing', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const token = await miniLogin(user.openid);
    const res = await request(web.app)
      .post('/wx/logout')
      .set('Authorization', `Bearer ${token}`)
      .send({ all: 'yes' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WX_INVALID_REQUEST');
    expect((await me(token)).status).toBe(200);
  });
});

describe('updateUser and req.wxUser.update()', () => {
  it('changes the user of every session of that user (a JSON merge patch)', async () => {
    const { user, tokens, bystander } = await twoSessionsAndABystander();
    for (const token of tokens) expect((await me(token)).body.user.role).toBe('member');

    expect(await auth.updateUser(user.openid, { role: 'admin', trial: null, tags: ['vip'] })).toBe(2);
    for (const token of tokens) {
      expect((await me(token)).body.user).toEqual({
        userId: `user-of-${user.openid}`,
        role: 'admin',
        tags: ['vip'],
      });
    }
    expect((await me(bystander)).body.user.role).toBe('member');
  });

  it('req.wxUser.update() updates this and the other sessions and returns the new user', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const [a, b] = await miniLogins(user.openid, 2);
    const res = await request(web.app).post('/bind-phone').set('Authorization', `Bearer ${a}`);
    expect(res.status).toBe(200);
    const expected = { userId: `user-of-${user.openid}`, role: 'member', phoneBound: true };
    expect(res.body).toEqual({ returned: expected, now: expected });
    expect((await me(b)).body.user).toEqual(expected);
  });

  it('req.wxUser.update() on a session ended meanwhile answers 401 WX_SESSION_REVOKED', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const token = await miniLogin(user.openid);
    // The route ends its own session after the guard let it in, then updates.
    const res = await request(web.app).post('/update-after-logout').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('WX_SESSION_REVOKED');
    expect((await me(token)).status).toBe(401);
  });

  it('refuses a patch that is not a JSON object, and changes nothing', async () => {
    const user = emulator.createUser({ appId: MINI.appId });
    const token = await miniLogin(user.openid);
    for (const patch of [null, [], 'admin', { id: 1n }, { at: new Date() }]) {
      await expect(auth.updateUser(user.openid, patch as never)).rejects.toThrow(TypeError);
    }
    expect((await me(token)).body.user.role).toBe('member');
  });

  it('never brings back a session that a concurrent revokeUser() ended', async () => {
    // Session writes that land late, as on a busy store: the update read the record before the
    // revoke deleted it, and writes it after.
    const memory = new MemoryStore();
    const slow: SessionStore = {
      ...requiredOnly(memory),
      set: async (k, v, ttl) => {
        if (k.includes(':sess:')) await new Promise((r) => setTimeout(r, 50));
        memory.set(k, v, ttl);
      },
      indexAdd: (k, m, ttl) => memory.indexAdd(k, m, ttl),
      indexMembers: (k) => memory.indexMembers(k),
      indexRemove: (k, m) => memory.indexRemove(k, m),
    };
    const { app, middleware, login } = miniAppOn(slow);
    const user = emulator.createUser({ appId: MINI.appId });
    const tokens = [await login(user.openid), await login(user.openid)];
    const [updated] = await Promise.all([
      middleware.auth.updateUser(user.openid, { late: true }),
      new Promise((r) => setTimeout(r, 10)).then(() => middleware.auth.revokeUser(user.openid)),
    ]);
    expect(updated).toBe(0);
    for (const token of tokens) {
      expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    }
  });
});
