// The example's own API, what a real backend adds on top of the package: who am I (session plus
// the database row), WeRun steps decrypted with the session_key only the server holds, and /info.

import { Router as createRouter, type Router } from 'express';
import { requireWxSession } from 'express-wx-login';
import type { UserRepository } from '../db/index.js';

export interface ApiContext {
  users: UserRepository;
  mode: 'emulator' | 'wechat';
  appId: string;
}

/** One day of WeRun data as WeChat sends it: midnight (Unix seconds, UTC+8) and that day's steps. */
interface StepInfo {
  timestamp: number;
  step: number;
}

function isStepInfoList(value: unknown): value is StepInfo[] {
  return (
    Array.isArray(value) &&
    value.every(
      (day: unknown) =>
        typeof day === 'object' &&
        day !== null &&
        typeof (day as StepInfo).timestamp === 'number' &&
        typeof (day as StepInfo).step === 'number',
    )
  );
}

/**
 * `GET /info`, `GET /me`, `POST /werun`.
 *
 * @example
 * app.use(apiRoutes({ users, mode: 'emulator', appId }));
 */
export function apiRoutes({ users, mode, appId }: ApiContext): Router {
  const router = createRouter();

  // Public: lets the playground (and a person with curl) see what this server talks to.
  router.get('/info', (_req, res) => {
    res.json({ mode, appId, database: users.kind, devRoutes: mode === 'emulator' });
  });

  router.get('/me', requireWxSession(), async (req, res) => {
    const wxUser = req.wxUser!;
    res.json({ session: wxUser, user: (await users.findByOpenid(wxUser.appId, wxUser.openid)) ?? null });
  });

  // Open data: the mini program sends wx.getWeRunData()'s encryptedData and iv. A stale
  // session_key comes back as 400 WX_SESSION_KEY_STALE, which the mini program answers by
  // logging in again and retrying once (miniprogram/utils/auth.js).
  router.post('/werun', requireWxSession(), async (req, res) => {
    const data = await req.wxUser!.decrypt(req.body?.encryptedData, req.body?.iv);
    const stepInfoList = isStepInfoList(data.stepInfoList) ? data.stepInfoList : [];
    res.json({
      stepInfoList,
      totalSteps: stepInfoList.reduce((sum, day) => sum + day.step, 0),
      days: stepInfoList.length,
    });
  });

  return router;
}
