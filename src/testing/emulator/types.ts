// The public types of the WeChat API emulator: its options, the users it knows, the endpoints it
// serves, the faults a test can inject, and the record of each call it received.

/**
 * Options of {@link startWeChatEmulator}. Every field is optional.
 *
 * @example
 * const emulator = await startWeChatEmulator({ codeTtlMs: 1000, now: () => clock });
 */
export interface WeChatEmulatorOptions {
  /**
   * The apps it knows: mini programs, official accounts, website apps. Defaults to one app,
   * `wx_emulator_app00` / `emulator_secret_0123456789abcdef`. For web OAuth, `oauthDomain` is the
   * host (with `:port` if any) that `redirect_uri` must have (any when absent: 10003 otherwise),
   * and `oauthScopes` the scopes the app may ask for (all when absent: 10005 otherwise).
   */
  apps?: Array<{ appId: string; appSecret: string; oauthDomain?: string; oauthScopes?: OAuthScope[] }>;
  /** Defaults to `'127.0.0.1'`. */
  host?: string;
  /** Defaults to `0`: a free port. */
  port?: number;
  /** How long a login or phone code may be redeemed, in ms. Defaults to 5 minutes, as WeChat documents. */
  codeTtlMs?: number;
  /** The `expires_in` of a fresh access_token, in seconds. Defaults to `7200`. */
  accessTokenTtlSeconds?: number;
  /**
   * Whether each `wx.login()` (each {@link WeChatEmulator.issueLoginCode}) gives the user a new
   * session_key that replaces the old one. WeChat may do so; defaults to `true`, the worst case.
   */
  rotateSessionKeyOnLogin?: boolean;
  /**
   * Sends getuserphonenumber's `countryCode` as the number `86` (the doc's example) instead of the
   * string `"86"` (the doc's field table). Defaults to `false`.
   */
  phoneCountryCodeAsNumber?: boolean;
  /** The clock in ms, for codes and tokens. Defaults to `Date.now`. */
  now?: () => number;
  /**
   * Also serves `GET /dev` and `POST /dev/login-code`, `/dev/phone-code`, `/dev/open-data`: what
   * the device gets from WeChat, over HTTP, for a backend developed against the emulator (the
   * `express-wx-login emulator` command turns it on). Defaults to `false`.
   */
  devRoutes?: boolean;
}

/**
 * A WeChat user of one mini program, as the emulator holds it.
 *
 * @example
 * const user: EmulatedUser = emulator.createUser({ withUnionid: true });
 */
export interface EmulatedUser {
  appId: string;
  /** 28 characters, like WeChat's. */
  openid: string;
  /** Only for users created with one (apps bound to an Open Platform account). */
  unionid?: string;
  /** The user's one current session_key (16 random bytes, base64). */
  sessionKey: string;
  /** The national number, without country code; phone codes default to it. */
  phoneNumber?: string;
  /** Defaults to `'86'` for phone codes. */
  countryCode?: string;
}

/**
 * The WeChat endpoints the emulator serves, by name.
 *
 * @example
 * const endpoint: EmulatorEndpoint = 'jscode2session';
 */
export type EmulatorEndpoint =
  | 'jscode2session'
  | 'token'
  | 'stable_token'
  | 'getuserphonenumber'
  | 'checksession'
  | 'resetusersessionkey'
  // web OAuth: the pages a browser opens, then the server APIs
  | 'oauth2_authorize'
  | 'qrconnect'
  | 'oauth_confirm'
  | 'oauth2_access_token'
  | 'oauth2_refresh_token'
  | 'userinfo'
  | 'sns_auth';

/**
 * The web OAuth scopes: `snsapi_base` and `snsapi_userinfo` on `/connect/oauth2/authorize`,
 * `snsapi_login` on `/connect/qrconnect`.
 *
 * @example
 * const scope: OAuthScope = 'snsapi_userinfo';
 */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

/**
 * Who is signed in to WeChat in the browser that opens the authorize page, and how they answer
 * it (see `WeChatEmulator.oauthUser`). Their user in the app is found by `openid`, else by
 * `unionid`, else created (with these fields).
 *
 * @example
 * emulator.oauthUser({ unionid: miniProgramUser.unionid, nickname: 'Mei', consent: 'allow' });
 */
export interface OAuthUserInput {
  openid?: string;
  /** Links the person to their users in the other apps of the same Open Platform account. */
  unionid?: string;
  /** For a new user without a given unionid: make one up. */
  withUnionid?: boolean;
  /** Defaults to `'微信用户'`. */
  nickname?: string;
  /** 0 unknown, 1 male, 2 female. Defaults to `0`. */
  sex?: number;
  headimgurl?: string;
  /**
   * `'page'` (default): show the consent page with its Allow and Deny buttons. `'allow'` and
   * `'deny'`: answer at once with a redirect, as a test without a browser needs. `snsapi_base`
   * never asks, as on WeChat.
   */
  consent?: 'page' | 'allow' | 'deny';
  /**
   * Browses official-account pages in snapshot mode (快照页, e.g. opened from a Moments share):
   * `snsapi_userinfo` authorizations redirect back at once with the code of a virtual user, whose
   * exchange says `is_snapshotuser: 1` and whose token gets 48001 from /sns/userinfo. Defaults to `false`.
   */
  snapshot?: boolean;
}

/**
 * A fault that the emulator plays instead of (or, for `delay`, before) its normal answer. Faults
 * other than `delay` never change the emulator's state: a code is not used, a token not issued.
 *
 * @example
 * emulator.fail('jscode2session', { type: 'errcode', errcode: -1 }, { times: 2 });
 */
export type EmulatorFault =
  /** HTTP 200 with `{"errcode","errmsg"}`, like WeChat; `errcodeAsString` sends `"40029"`, as some doc examples do. */
  | { type: 'errcode'; errcode: number; errmsg?: string; errcodeAsString?: boolean }
  /**
   * Does the work at once (a code is used up, a token issued), then answers `ms` later. A caller
   * that gives up before loses the answer, not the effect, as with WeChat.
   */
  | { type: 'delay'; ms: number }
  /** An HTTP error status with a non-WeChat body (an HTML error page unless `body` is given). */
  | { type: 'http'; status: number; body?: string }
  /** HTTP 200 with an HTML page instead of JSON. */
  | { type: 'garbage' }
  /** HTTP 200 with JSON cut in the middle. */
  | { type: 'truncated' }
  /** Never answers, until `close()`. */
  | { type: 'hang' }
  /** Resets the connection without an answer. */
  | { type: 'reset' };

/**
 * One request the emulator received, and what it answered.
 *
 * @example
 * const [call] = emulator.callsTo('jscode2session');
 * expect(call.query.js_code).toBe(code);
 */
export interface EmulatorCall {
  endpoint: EmulatorEndpoint | 'unknown';
  method: string;
  /** The path without the query string. */
  path: string;
  /** The query parameters as received. */
  query: Record<string, string>;
  /** The body: parsed JSON when it is JSON, else its text, else `undefined` when empty. */
  body: unknown;
  /** When it arrived, by the emulator's clock, in ms. */
  at: number;
  /** The HTTP status answered; `0` while unanswered, or when it never was (hang, reset, caller gone). */
  status: number;
  /** The errcode in the answer, when it had one (`0` included). */
  errcode?: number;
  /** The fault played, if any. */
  fault?: EmulatorFault['type'];
}
