// Emulator mode only: stand-ins for what the mini program gets from WeChat on the device (a
// wx.login() code, a getPhoneNumber button code, wx.getWeRunData()'s encrypted steps).

import { Router as createRouter, type Response, type Router } from 'express';
import type { WeChatEmulator } from 'express-wx-login/testing';

const OPENID = /^[\w-]{1,64}$/;
const PHONE = /^\d{5,15}$/;
const DAY_SECONDS = 24 * 3600;

function badRequest(res: Response, message: string): void {
  res.status(400).json({ error: { code: 'DEV_BAD_REQUEST', message } });
}

/** `openid` from a JSON body: absent is fine (undefined), anything but a plausible openid is not (null). */
function openidIn(body: unknown): string | undefined | null {
  const value = (body as { openid?: unknown } | undefined)?.openid;
  if (value === undefined) return undefined;
  return typeof value === 'string' && OPENID.test(value) ? value : null;
}

/** A week of WeRun data ending today, the shape wx.getWeRunData() decrypts to. */
function sampleSteps(now: number): Array<{ timestamp: number; step: number }> {
  // WeRun days start at midnight China time (UTC+8).
  const today = Math.floor((now / 1000 + 8 * 3600) / DAY_SECONDS) * DAY_SECONDS - 8 * 3600;
  return Array.from({ length: 7 }, (_, i) => ({
    timestamp: today - (6 - i) * DAY_SECONDS,
    step: 2000 + Math.floor(Math.random() * 10_000),
  }));
}

/**
 * `POST /dev/login-code`, `POST /dev/phone-code`, `POST /dev/werun-sample`.
 *
 * @example
 * if (emulator) app.use(devRoutes(emulator));
 */
export function devRoutes(emulator: WeChatEmulator): Router {
  const router = createRouter();

  // WeChat never tells the mini program its openid; this stand-in does, so that the playground
  // and tests can come back as the same user. Without one, a new user (with a unionid) is made.
  router.post('/dev/login-code', (req, res) => {
    const openid = openidIn(req.body);
    if (openid === null) return badRequest(res, 'openid must be 1-64 letters, digits, "_" or "-"');
    const user = openid ?? emulator.createUser({ withUnionid: true }).openid;
    res.json({ code: emulator.issueLoginCode(user), openid: user });
  });

  router.post('/dev/phone-code', (req, res) => {
    const openid = openidIn(req.body);
    if (!openid) return badRequest(res, 'openid is required');
    const pure = (req.body as { purePhoneNumber?: unknown }).purePhoneNumber ?? '13800138000';
    if (typeof pure !== 'string' || !PHONE.test(pure))
      return badRequest(res, 'purePhoneNumber must be 5-15 digits');
    res.json({ code: emulator.issuePhoneCode(openid, { purePhoneNumber: pure, countryCode: '86' }) });
  });

  // Encrypted with the user's *current* session_key, as on the device: after a wx.login() whose
  // code never reached the server, the server cannot decrypt it (WX_SESSION_KEY_STALE).
  router.post('/dev/werun-sample', (req, res) => {
    const openid = openidIn(req.body);
    if (!openid) return badRequest(res, 'openid is required');
    if (emulator.sessionKeyOf(openid) === undefined) {
      res
        .status(404)
        .json({ error: { code: 'DEV_UNKNOWN_USER', message: 'no such user: get a login code first' } });
      return;
    }
    res.json(emulator.encrypt(openid, { stepInfoList: sampleSteps(Date.now()) }));
  });

  return router;
}
