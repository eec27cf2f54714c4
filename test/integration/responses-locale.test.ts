// Error messages in Chinese: every code has one, `locale: 'zh-CN'` answers with them (codes
// unchanged), `messages` overrides per code, and guards and wxErrorHandler() follow their wxLogin().

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, type WxErrorCode } from '../../src/errors.js';
import { requireWxSession, WxLoginError, wxErrorMessage } from '../../src/index.js';
import { ZH_CN_MESSAGES } from '../../src/messages/zh-CN.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { wrap } from '../helpers/responses.js';
import { secret } from '../helpers/secret-watch.js';

const emulator = await startEmulator();
const HAN = /\p{Script=Han}/u;

// Compile-time: the table covers the whole union (a missing code is a tsc error, not a test failure).
const everyCode: Readonly<Record<WxErrorCode, string>> = ZH_CN_MESSAGES;

describe('the zh-CN table', () => {
  it('has a Chinese message for every error code the package knows', () => {
    const codes = Object.keys(ERROR_STATUS) as WxErrorCode[];
    expect(codes.length).toBeGreaterThan(25);
    expect(codes.filter((code) => !HAN.test(everyCode[code] ?? ''))).toEqual([]);
    expect(Object.keys(ZH_CN_MESSAGES).sort()).toEqual([...codes].sort());
  });

  it('wxErrorMessage(): the app’s message, else the locale’s, else the error’s own', () => {
    const expired = new WxLoginError('WX_TOKEN_EXPIRED', 'the token has expired');
    expect(wxErrorMessage(expired)).toBe('the token has expired');
    expect(wxErrorMessage(expired, 'zh-CN')).toBe('登录已过期，请重新登录');
    expect(wxErrorMessage(expired, 'zh-CN', { WX_TOKEN_EXPIRED: '请重新登录' })).toBe('请重新登录');
    const appCode = new WxLoginError('USER_BANNED', '账号已被封禁', { status: 403 });
    expect(wxErrorMessage(appCode, 'zh-CN')).toBe('账号已被封禁');
    // An inherited key is not a message: only own entries count.
    expect(wxErrorMessage(new WxLoginError('toString', 'own'), 'zh-CN', {})).toBe('own');
  });

  it('gives an app code named like an Object.prototype key the default status, not a function', () => {
    expect(new WxLoginError('constructor', 'x').status).toBe(500);
    expect(new WxLoginError('toString', 'x', { status: 409 }).status).toBe(409);
  });
});

describe("locale: 'zh-CN' on wxLogin()", () => {
  const { app } = buildApp(emulator, {
    locale: 'zh-CN',
    onLogin: (event) => {
      const body = (event.req as { body?: { invite?: string } } | undefined)?.body;
      if (body?.invite === 'banned') throw new WxLoginError('USER_BANNED', '该账号已被封禁', { status: 403 });
      return undefined;
    },
  });

  it('answers the guard’s 401 in Chinese with the same code and headers', async () => {
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="express-wx-login"');
    expect(res.body).toEqual({
      error: { code: 'WX_TOKEN_MISSING', message: ZH_CN_MESSAGES.WX_TOKEN_MISSING },
    });
  });

  it('answers WeChat-mapped errors and body errors in Chinese', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40163 });
    const used = await request(app).post('/wx/login').send({ code: 'used-code' });
    expect(used.status).toBe(401);
    expect(used.body).toEqual({
      error: { code: 'WX_CODE_USED', message: '登录 code 已被使用，请重新调用 wx.login()' },
    });

    const notJson = await request(app).post('/wx/login').set('Content-Type', 'application/json').send('{');
    expect(notJson.body).toEqual({
      error: { code: 'WX_INVALID_REQUEST', message: '请求参数缺失或格式不正确' },
    });

    emulator.fail('jscode2session', { type: 'errcode', errcode: 45011 });
    const limited = await request(app).post('/wx/login').send({ code: 'some-code' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toBe('调用太频繁，请稍后再试');
  });

  it('keeps the app’s own code and message from a hook', async () => {
    const res = await request(app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(), invite: 'banned' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'USER_BANNED', message: '该账号已被封禁' } });
  });

  it('answers a route’s error through wxErrorHandler() in Chinese', async () => {
    const user = emulator.createUser();
    const login = await request(app)
      .post('/wx/login')
      .send({ code: emulator.issueLoginCode(user.openid) });
    secret(emulator.sessionKeyOf(user.openid));
    const res = await request(app)
      .post('/werun')
      .set('Authorization', `Bearer ${login.body.token}`)
      .send({ encryptedData: '%%%', iv: '%%%' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'WX_DATA_INVALID', message: ZH_CN_MESSAGES.WX_DATA_INVALID } });
  });
});

describe('messages and per-guard locales', () => {
  it('lets the app replace the message of any code, its own codes included', async () => {
    const { app } = buildApp(emulator, {
      locale: 'zh-CN',
      shapeBody: wrap,
      messages: { WX_TOKEN_MISSING: '请先登录', USER_BANNED: '您的账号已被封禁' },
      onLogin: () => {
        throw new WxLoginError('USER_BANNED', 'banned', { status: 403 });
      },
    });
    expect((await request(app).get('/me')).body).toEqual({
      code: 'WX_TOKEN_MISSING',
      msg: '请先登录',
      data: null,
    });
    const banned = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(banned.body).toEqual({ code: 'USER_BANNED', msg: '您的账号已被封禁', data: null });
  });

  it('answers a Chinese guard on an English wxLogin() in Chinese, the others in English', async () => {
    const { app } = buildApp(
      emulator,
      {},
      {
        routes: (a) => {
          a.get('/cn/me', requireWxSession({ locale: 'zh-CN' }), (req, res) => {
            res.json(req.wxUser);
          });
        },
      },
    );
    expect((await request(app).get('/cn/me')).body.error.message).toBe(ZH_CN_MESSAGES.WX_TOKEN_MISSING);
    expect((await request(app).get('/me')).body.error.message).toBe(
      'send "Authorization: Bearer <token>" from POST /wx/login',
    );
  });
});
