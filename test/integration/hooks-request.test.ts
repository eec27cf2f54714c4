// The app's hooks see the request and may refuse, on Express 4 and 5: onLogin reads the login body
// and headers (an invite code, a channel), refuses with its own code (WxLoginError, or an
// http-errors-style { status, code }), and a result JSON cannot keep is a clear 500
// WX_HOOK_INVALID, never 503. onPhoneNumber and web logins get `req` too.

import type { Express, Request } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type LoginEvent,
  type PhoneEvent,
  requireWxSession,
  WxLoginError,
  type WxLoginOptions,
  wxErrorHandler,
  wxLogin,
  wxOAuth,
} from '../../src/index.js';
import { captureLogger, type LogLine, recordingApp, startEmulator, TOKEN_SECRET } from '../helpers/app.js';
import { EXPRESS_MAJORS, type ExpressMajor } from '../helpers/express-majors.js';

const MINI = { appId: 'wx_hooks_mini_app01', appSecret: 'hooks_secret_0123456789abcdef00000' };
const OFFICIAL = { appId: 'wx_hooks_official01', appSecret: 'hooks_official_0123456789abcdef000' };
const emulator = await startEmulator({ apps: [MINI, OFFICIAL] });

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
  emulator.oauthUser({ consent: 'allow' });
});

interface Built {
  app: Express;
  lines: LogLine[];
}

function build(e: ExpressMajor['express'], hooks: Partial<WxLoginOptions>, web = false): Built {
  const { logger, lines } = captureLogger();
  const app = recordingApp(e);
  app.use(e.json());
  const wx = wxLogin({
    ...MINI,
    tokenSecret: TOKEN_SECRET,
    apiBaseUrl: emulator.url,
    retryDelayMs: 5,
    logger,
    ...hooks,
  });
  app.use(wx);
  if (web) {
    app.use(
      wxOAuth({
        auth: wx.auth,
        ...OFFICIAL,
        scope: 'snsapi_base',
        redirectUri: 'http://app.example.test/wx/web/callback',
        authorizeBaseUrl: emulator.url,
        deliver: 'json',
      }),
    );
  }
  app.get('/me', requireWxSession(), (req, res) => {
    res.json({ openid: req.wxUser!.openid, user: req.wxUser!.user });
  });
  app.use(wxErrorHandler());
  return { app, lines };
}

function newCode(openid?: string) {
  const user = emulator.createUser({ appId: MINI.appId, ...(openid ? { openid } : {}) });
  return { openid: user.openid, code: emulator.issueLoginCode({ appId: MINI.appId, openid: user.openid }) };
}

/** A login whose onLogin ran; afterwards, whether a session_key was kept (isNewSession of the next login). */
async function nextLoginIsNew(app: Express, openid: string, seen: LoginEvent[]): Promise<boolean> {
  const { code } = newCode(openid);
  const res = await request(app).post('/wx/login').send({ code });
  expect(res.status).toBe(200);
  return seen.at(-1)!.isNewSession;
}

describe.each(EXPRESS_MAJORS)('Express $major', ({ express: e }) => {
  describe('onLogin', () => {
    it('reads the login body and headers through req (not enumerable: the event compares and serializes without it)', async () => {
      const seen: LoginEvent<Request>[] = [];
      const { app } = build(e, {
        onLogin: (event) => {
          seen.push(event);
          const body = event.req?.body as { invite?: string };
          return { invite: body.invite ?? null, channel: event.req?.get('x-channel') ?? null };
        },
      });
      const { openid, code } = newCode();
      const res = await request(app)
        .post('/wx/login')
        .set('X-Channel', 'poster-qr')
        .send({ code, invite: 'INV-2024' });
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({ invite: 'INV-2024', channel: 'poster-qr' });
      expect(seen).toEqual([{ openid, appId: MINI.appId, isNewSession: true, source: 'miniprogram' }]);
      expect(seen[0]!.req?.method).toBe('POST');
      expect(seen[0]!.req?.originalUrl).toBe('/wx/login');
      expect(Object.keys(seen[0]!)).not.toContain('req');
      expect(JSON.parse(JSON.stringify(seen[0]))).toEqual({
        openid,
        appId: MINI.appId,
        isNewSession: true,
        source: 'miniprogram',
      });
      // What onLogin returned is the session's user, on later requests too.
      const me = await request(app).get('/me').set('Authorization', `Bearer ${res.body.token}`);
      expect(me.body).toEqual({ openid, user: { invite: 'INV-2024', channel: 'poster-qr' } });
    });

    it('refuses a login with the app’s own WxLoginError: its status, code and message; nothing kept', async () => {
      const seen: LoginEvent[] = [];
      const banned = new Set<string>();
      const { app, lines } = build(e, {
        onLogin: (event) => {
          seen.push(event);
          if (banned.has(event.openid)) {
            throw new WxLoginError('USER_BANNED', '该账号已被封禁', { status: 403 });
          }
          return { ok: true };
        },
      });
      const { openid, code } = newCode();
      banned.add(openid);
      const res = await request(app).post('/wx/login').send({ code });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'USER_BANNED', message: '该账号已被封禁' } });
      expect(res.headers['www-authenticate']).toBeUndefined();
      const calls = emulator.callsTo('jscode2session');
      expect(calls).toHaveLength(1);
      expect(calls[0]?.query.js_code).toBe(code);
      // The refusal is the app's decision: not logged as a failure.
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
      // Nothing was stored for the refused login: once unbanned, the user is new to the store.
      banned.delete(openid);
      expect(await nextLoginIsNew(app, openid, seen)).toBe(true);
    });

    it('refuses a login with an http-errors-style error ({ status, code })', async () => {
      const { app } = build(e, {
        onLogin: ({ req }) => {
          if (!(req?.body as { invite?: string } | undefined)?.invite) {
            throw Object.assign(new Error('an invite code is required'), {
              status: 403,
              code: 'INVITE_REQUIRED',
              expose: true,
            });
          }
          return undefined;
        },
      });
      const res = await request(app).post('/wx/login').send({ code: newCode().code });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'INVITE_REQUIRED', message: 'an invite code is required' } });
      const ok = await request(app).post('/wx/login').send({ code: newCode().code, invite: 'x' });
      expect(ok.status).toBe(200);
      expect(ok.body.user).toBeUndefined();
      expect(emulator.callsTo('jscode2session')).toHaveLength(2);
    });

    it('answers any other hook failure with a generic 500 WX_INTERNAL_ERROR and logs its stack', async () => {
      const { app, lines } = build(e, {
        onLogin: function upsertUserInDatabase() {
          throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { status: 503 });
        },
      });
      const res = await request(app).post('/wx/login').send({ code: newCode().code });
      expect(res.status).toBe(500);
      expect(res.body.error.code).toBe('WX_INTERNAL_ERROR');
      expect(res.body.error.message).not.toContain('ECONNREFUSED');
      const logged = lines.filter((l) => l.level === 'error' && l.obj.hook === 'onLogin');
      expect(logged).toHaveLength(1);
      expect(String(logged[0]!.obj.err)).toMatch(/ECONNREFUSED[\s\S]*at upsertUserInDatabase/);
    });

    it.each([
      ['a BigInt (Prisma ids)', { id: 12n }, 'a BigInt at result.id'],
      ['a Date', { profile: { createdAt: new Date(0) } }, 'a Date at result.profile.createdAt'],
      ['a Map', { roles: new Map() }, 'a Map at result.roles'],
      ['NaN', { scores: [1, Number.NaN] }, 'a non-finite number (NaN) at result.scores[1]'],
      ['a function', { save() {} }, 'a function at result.save'],
    ])(
      'answers a result with %s with 500 WX_HOOK_INVALID naming where, and keeps nothing',
      async (_name, result, where) => {
        const seen: LoginEvent[] = [];
        let give: unknown = result;
        const { app } = build(e, {
          onLogin: (event) => {
            seen.push(event);
            return give as never;
          },
        });
        const { openid, code } = newCode();
        const res = await request(app).post('/wx/login').send({ code });
        expect(res.status).toBe(500);
        expect(res.body.error.code).toBe('WX_HOOK_INVALID');
        expect(res.body.error.message).toContain('onLogin must return plain JSON');
        expect(res.body.error.message).toContain(where);
        give = { id: '12' };
        expect(await nextLoginIsNew(app, openid, seen)).toBe(true);
      },
    );

    it('answers a result with a cycle with 500 WX_HOOK_INVALID naming where (not 503)', async () => {
      const { app } = build(e, {
        onLogin: () => {
          const user: Record<string, unknown> = { id: 1, team: { name: 'a' } };
          (user.team as Record<string, unknown>).owner = user;
          return user as never;
        },
      });
      const res = await request(app).post('/wx/login').send({ code: newCode().code });
      expect(res.status).toBe(500);
      expect(res.body.error).toEqual({
        code: 'WX_HOOK_INVALID',
        message: expect.stringContaining('a cycle at result.team.owner'),
      });
    });

    it('keeps a result that shares (not cycles) an object, as JSON would', async () => {
      const shared = { name: 'a' };
      const { app } = build(e, { onLogin: () => ({ home: shared, work: shared }) });
      const res = await request(app).post('/wx/login').send({ code: newCode().code });
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({ home: { name: 'a' }, work: { name: 'a' } });
    });
  });

  describe('onPhoneNumber', () => {
    it('gets req (the POST /wx/phone request) and may refuse with its own code', async () => {
      const seen: PhoneEvent<Request>[] = [];
      const { app } = build(e, {
        onLogin: () => ({ userId: 7 }),
        onPhoneNumber: (event) => {
          seen.push(event);
          if ((event.req?.body as { consent?: boolean } | undefined)?.consent !== true) {
            throw new WxLoginError('PHONE_CONSENT_REQUIRED', 'agree to the terms first', { status: 403 });
          }
        },
      });
      const { openid, code } = newCode();
      const login = await request(app).post('/wx/login').send({ code });
      const phoneCode = emulator.issuePhoneCode(openid, { purePhoneNumber: '13912345678' }, MINI.appId);
      const refused = await request(app)
        .post('/wx/phone')
        .set('Authorization', `Bearer ${login.body.token}`)
        .send({ code: phoneCode });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: { code: 'PHONE_CONSENT_REQUIRED', message: 'agree to the terms first' },
      });
      expect(seen).toEqual([
        {
          openid,
          appId: MINI.appId,
          user: { userId: 7 },
          phone: { phoneNumber: '13912345678', purePhoneNumber: '13912345678', countryCode: '86' },
        },
      ]);
      expect(seen[0]!.req?.originalUrl).toBe('/wx/phone');
      expect(emulator.callsTo('getuserphonenumber').map((c) => c.body)).toEqual([
        { code: phoneCode, openid },
      ]);

      const again = emulator.issuePhoneCode(openid, { purePhoneNumber: '13912345678' }, MINI.appId);
      const ok = await request(app)
        .post('/wx/phone')
        .set('Authorization', `Bearer ${login.body.token}`)
        .send({ code: again, consent: true });
      expect(ok.status).toBe(200);
      expect(seen).toHaveLength(2);
    });
  });

  describe('web login (wxOAuth)', () => {
    it('onLogin gets the callback request and may refuse the web login', async () => {
      const seen: LoginEvent<Request>[] = [];
      const { app } = build(
        e,
        {
          onLogin: (event) => {
            seen.push(event);
            if (event.source === 'web' && event.req?.get('user-agent')?.includes('Bot')) {
              throw new WxLoginError('NO_BOTS', 'bots may not log in', { status: 403 });
            }
            return { via: event.req?.path ?? null };
          },
        },
        true,
      );
      const callback = async (userAgent: string) => {
        const start = await request(app).get('/wx/web/login');
        const stateCookie = String((start.headers['set-cookie'] as unknown as string[])[0]).split(';')[0]!;
        const authorize = await fetch(String(start.headers.location), { redirect: 'manual' });
        const back = new URL(authorize.headers.get('location')!);
        return request(app)
          .get(`${back.pathname}${back.search}`)
          .set('Cookie', stateCookie)
          .set('User-Agent', userAgent);
      };
      const ok = await callback('Mozilla/5.0 MicroMessenger');
      expect(ok.status).toBe(200);
      expect(ok.body.user).toEqual({ via: '/wx/web/callback' });
      expect(seen.at(-1)).toEqual({
        openid: ok.body.openid,
        appId: OFFICIAL.appId,
        isNewSession: true,
        source: 'web',
        // The user's OAuth tokens, for apps that call user APIs later (web logins only).
        oauth: {
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
          expiresIn: 7200,
          scope: 'snsapi_base',
        },
      });
      const refused = await callback('EvilBot/1.0');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: { code: 'NO_BOTS', message: 'bots may not log in' } });
      expect(emulator.callsTo('oauth2_access_token')).toHaveLength(2);
    });
  });
});

describe('without Express', () => {
  it('auth.login() without a request hands onLogin req: undefined', async () => {
    const seen: LoginEvent[] = [];
    const wx = wxLogin({
      ...MINI,
      tokenSecret: TOKEN_SECRET,
      apiBaseUrl: emulator.url,
      onLogin: (event) => {
        seen.push(event);
        return { hasReq: event.req !== undefined };
      },
    });
    const result = await wx.auth.login(newCode().code);
    expect(result.user).toEqual({ hasReq: false });
    expect(seen[0]?.req).toBeUndefined();
    wx.auth.close();
  });
});
