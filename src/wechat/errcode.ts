// WeChat's error answers: lenient parsing of `errcode`, the `rid` for support, and the one table
// that maps an errcode, in the context of the call that got it, to our error code and message.

import { type WeChatErrorInfo, type WxErrorCode, WxLoginError } from '../errors.js';

/** Which kind of call got the errcode: the same number means different things on different APIs. */
export type WeChatCallKind = 'login' | 'phone' | 'token' | 'session-key' | 'oauth';

/** Access-token errcodes after which one refresh and one retry are worth it. */
export const ACCESS_TOKEN_REJECTED = new Set([40001, 40014, 41001, 42001]);

/** errcodes that mean our appId/appSecret (or the account itself) is wrong: an operator problem. */
const CONFIG_ERRCODES = new Set([40002, 40013, 40125, 40164, 40243, 41002, 41004, 50004, 50007, 61024]);

/**
 * errcodes after which WeChat has probably used up a code that an earlier attempt sent but got no
 * answer for: "code been used" (40163) and "invalid code" (40029, what the phone API answers).
 *
 * @example
 * CODE_SPENT.has(40163); // true
 */
export const CODE_SPENT = new Set([40163, 40029]);

/** What an operator must fix for a configuration errcode: the setting, and a hint for the log. */
export interface ConfigHint {
  setting: 'appId' | 'appSecret' | 'ipWhitelist' | 'account';
  hint: string;
  /** The server's egress IP as WeChat saw it (40164's errmsg names it). */
  egressIp?: string;
}

/**
 * The setting behind a configuration errcode, for the log line of a `WX_CONFIG_REJECTED`.
 * 40001 counts only on the access_token endpoints (`kind: 'token'`): elsewhere it is a rejected
 * access_token, which is refreshed once.
 *
 * @example
 * configHint('token', 40164, 'invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist rid: x');
 * // { setting: 'ipWhitelist', egressIp: '1.2.3.4', hint: 'add 1.2.3.4 to the IP whitelist …' }
 */
export function configHint(kind: WeChatCallKind, errcode: number, errmsg: string): ConfigHint | undefined {
  if (errcode === 40164) {
    const ip = /invalid ip ([0-9A-Fa-f.:]+)/.exec(errmsg)?.[1]?.replace(/,$/, '');
    const where = 'the IP whitelist (微信公众平台 → 开发管理 → 开发设置 → IP白名单)';
    return ip === undefined
      ? { setting: 'ipWhitelist', hint: `add this server's egress IP to ${where}` }
      : {
          setting: 'ipWhitelist',
          egressIp: ip,
          hint: `add ${ip} (this server's egress IP as WeChat saw it) to ${where}`,
        };
  }
  if (errcode === 40125 || errcode === 41004 || (errcode === 40001 && kind === 'token')) {
    return {
      setting: 'appSecret',
      hint: 'appSecret is wrong or was reset in the WeChat console: set the current AppSecret',
    };
  }
  if (errcode === 40243)
    return {
      setting: 'appSecret',
      hint: 'the AppSecret is frozen: unfreeze or reset it in the WeChat console',
    };
  if (errcode === 40013 || errcode === 41002) return { setting: 'appId', hint: 'appId is wrong or missing' };
  if (CONFIG_ERRCODES.has(errcode)) {
    return {
      setting: 'account',
      hint: 'WeChat refuses this account the API (frozen, banned, or a third-party-platform token needed)',
    };
  }
  return undefined;
}

/**
 * Reads WeChat's `errcode`, which docs give as a number or a string ("40029"); 0 or absent is success.
 * Returns `undefined` for success, `NaN` never: an unparsable errcode counts as an unknown error -2.
 */
export function parseErrcode(raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === 0 || raw === '0') return undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n)) return -2;
  return n === 0 ? undefined : n;
}

/** Pulls WeChat's request id out of an errmsg: "... rid: 652d44d0-1d0af18b-5b069232" or "hints: [ req_id: X ]". */
export function extractRid(errmsg: string): string | undefined {
  const match = /(?:rid|req_id):\s*([A-Za-z0-9-]+)/.exec(errmsg);
  return match?.[1];
}

/** Builds the safe summary of a WeChat error answer. */
export function wechatErrorInfo(errcode: number, rawErrmsg: unknown): WeChatErrorInfo {
  const errmsg = typeof rawErrmsg === 'string' ? rawErrmsg.slice(0, 300) : '';
  const rid = extractRid(errmsg);
  return rid === undefined ? { errcode, errmsg } : { errcode, errmsg, rid };
}

interface Mapped {
  code: WxErrorCode;
  message: string;
}

function mapErrcode(errcode: number, kind: WeChatCallKind): Mapped {
  if (errcode === 45011 || errcode === 45009) {
    return { code: 'WX_RATE_LIMITED', message: 'WeChat rate limit reached; retry later' };
  }
  if (errcode === 40226) {
    return { code: 'WX_USER_BLOCKED', message: 'WeChat blocked this login (high-risk user)' };
  }
  if (kind === 'phone' && (errcode === 40029 || errcode === 40163 || errcode === 40013)) {
    // 40013 here means the code came from another mini program, not that our appid is wrong.
    return { code: 'WX_PHONE_CODE_INVALID', message: 'the phone code is invalid, expired or already used' };
  }
  if (kind === 'phone' && errcode === 48001) {
    return {
      code: 'WX_API_UNAUTHORIZED',
      message: 'this mini program may not use the phone number API (check its permissions or quota)',
    };
  }
  if (kind === 'session-key' && (errcode === 87009 || errcode === 40003)) {
    // The key we hold (or the openid) is not the one WeChat has now: the user's state, not an outage.
    return {
      code: 'WX_SESSION_KEY_STALE',
      message: 'WeChat no longer accepts the session key; call wx.login(), log in again and retry',
    };
  }
  if (kind === 'token' && errcode === 40001) {
    // On the token endpoints themselves 40001 means the AppSecret is wrong, not a stale token.
    return { code: 'WX_CONFIG_REJECTED', message: 'the server is misconfigured for WeChat' };
  }
  if (kind === 'oauth') {
    const oauth = mapOAuthErrcode(errcode);
    if (oauth) return oauth;
  }
  if (errcode === 40029 || errcode === 42003 || errcode === 41008) {
    return {
      code: 'WX_CODE_INVALID',
      message: 'the login code is invalid or expired; call wx.login() again',
    };
  }
  if (errcode === 40163) {
    return { code: 'WX_CODE_USED', message: 'the login code was already used; call wx.login() again' };
  }
  if (CONFIG_ERRCODES.has(errcode)) {
    // Generic on purpose: the client cannot fix it, and the detail is for the operator's log.
    return { code: 'WX_CONFIG_REJECTED', message: 'the server is misconfigured for WeChat' };
  }
  return { code: 'WX_UPSTREAM_ERROR', message: `WeChat refused the request (errcode ${errcode})` };
}

/** Web OAuth (/sns/oauth2/*, /sns/userinfo): the code came from a browser redirect, not wx.login(). */
function mapOAuthErrcode(errcode: number): Mapped | undefined {
  if (errcode === 40029 || errcode === 42003 || errcode === 41008) {
    return { code: 'WX_CODE_INVALID', message: 'the authorization code is invalid or expired; log in again' };
  }
  if (errcode === 40163) {
    return { code: 'WX_CODE_USED', message: 'the authorization code was already used; log in again' };
  }
  if (errcode === 40030 || errcode === 42002 || errcode === 42007) {
    return {
      code: 'WX_CODE_INVALID',
      message: "the user's WeChat authorization is invalid or expired; log in again",
    };
  }
  if (errcode === 48001 || errcode === 50001) {
    // The user's grant lacks snsapi_userinfo (or the app lacks the API): no profile to be had.
    return {
      code: 'WX_OAUTH_SCOPE_INSUFFICIENT',
      message: 'WeChat refused the user profile: the authorization does not cover it',
    };
  }
  return undefined;
}

/**
 * The WxLoginError for a WeChat error answer, given what kind of call got it.
 *
 * @example
 * throw errorFromWeChat('login', { errcode: 40029, errmsg: 'invalid code rid: 1-2-3' }); // WX_CODE_INVALID, 401
 */
export function errorFromWeChat(kind: WeChatCallKind, info: WeChatErrorInfo): WxLoginError {
  const { code, message } = mapErrcode(info.errcode, kind);
  return new WxLoginError(code, message, { wechat: info });
}
