// Type tests of the public API: they assert nothing at run time; `tsc --noEmit` (npm run lint)
// fails when a public type drifts. What an app writes must keep compiling, and mistakes must not.

import type { Request, RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type LoginEvent,
  type LoginResult,
  type OpenData,
  type RequireWxSessionOptions,
  requireWxSession,
  type WxAuth,
  type WxErrorCode,
  WxLoginError,
  type WxLoginOptions,
  type WxSessionUser,
  wxLogin,
} from '../../src/index.js';

describe('public types', () => {
  it('types wxLogin() and its guard', () => {
    expectTypeOf(wxLogin).parameter(0).toEqualTypeOf<WxLoginOptions>();
    const wx = wxLogin({ appId: 'wx1', appSecret: 's', tokenSecret: 'x'.repeat(32) });
    expectTypeOf(wx.auth).toEqualTypeOf<WxAuth>();
    expectTypeOf(wx.guard).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireWxSession).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf<RequireWxSessionOptions['appId']>().toEqualTypeOf<string | undefined>();
    wx.auth.close();
  });

  it('gives onLogin the Express request and the login facts', () => {
    expectTypeOf<Parameters<NonNullable<WxLoginOptions['onLogin']>>[0]>().toEqualTypeOf<
      LoginEvent<Request>
    >();
    expectTypeOf<LoginEvent<Request>['req']>().toEqualTypeOf<Request | undefined>();
    expectTypeOf<LoginEvent['source']>().toEqualTypeOf<'miniprogram' | 'web'>();
  });

  it('types req.wxUser, its methods and decrypt<T>()', () => {
    expectTypeOf<Request['wxUser']>().toEqualTypeOf<WxSessionUser | undefined>();
    type WeRun = { stepInfoList: { timestamp: number; step: number }[] };
    // Never called: only their types are checked.
    const plain = (user: WxSessionUser) => user.decrypt('data', 'iv');
    const typed = (user: WxSessionUser) => user.decrypt<WeRun>('data', 'iv');
    expectTypeOf(plain).returns.resolves.toEqualTypeOf<OpenData>();
    expectTypeOf(typed).returns.resolves.toEqualTypeOf<WeRun>();
    expectTypeOf<WxSessionUser['openid']>().toEqualTypeOf<string>();
    // The session_key is never part of the user.
    expectTypeOf<WxSessionUser>().not.toHaveProperty('sessionKey');
    expectTypeOf<LoginResult>().not.toHaveProperty('sessionKey');
  });

  it('types errors: stable codes, and codes of the app', () => {
    expectTypeOf<WxLoginError['status']>().toEqualTypeOf<number>();
    expectTypeOf<'WX_TOKEN_EXPIRED'>().toExtend<WxErrorCode>();
    const own = new WxLoginError('USER_BANNED', 'banned', { status: 403 });
    expectTypeOf(own.code).toExtend<string>();
    // Never called: the type error is the assertion.
    function wrong() {
      const options = { appId: 'wx1', appSecret: 's', tokenSecret: 'x'.repeat(32), timeoutMs: '5s' };
      // @ts-expect-error: timeoutMs is a number of milliseconds
      return wxLogin(options);
    }
    expectTypeOf(wrong).toBeFunction();
  });
});
