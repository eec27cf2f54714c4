// The one error class of the package: a stable `code` per cause, the HTTP `status` it is answered
// with, and WeChat's own `{ errcode, errmsg, rid }` when WeChat was the cause.

/** Every error code the package can produce, one per cause. Stable across minor versions. */
export type WxErrorCode =
  // request shape
  | 'WX_INVALID_REQUEST'
  | 'WX_BODY_TOO_LARGE'
  | 'WX_UNSUPPORTED_MEDIA_TYPE'
  // authentication of our own token
  | 'WX_TOKEN_MISSING'
  | 'WX_TOKEN_INVALID'
  | 'WX_TOKEN_EXPIRED'
  | 'WX_SESSION_REVOKED'
  // WeChat said no
  | 'WX_CODE_INVALID'
  | 'WX_CODE_USED'
  | 'WX_PHONE_CODE_INVALID'
  | 'WX_RATE_LIMITED'
  | 'WX_USER_BLOCKED'
  | 'WX_UPSTREAM_UNAVAILABLE'
  | 'WX_UPSTREAM_ERROR'
  | 'WX_CONFIG_REJECTED'
  | 'WX_API_UNAUTHORIZED'
  // open data
  | 'WX_DATA_INVALID'
  | 'WX_DECRYPT_FAILED'
  | 'WX_SESSION_KEY_STALE'
  | 'WX_WATERMARK_MISMATCH'
  | 'WX_DATA_EXPIRED'
  | 'WX_SIGNATURE_MISMATCH'
  // web OAuth (wxOAuth())
  | 'WX_OAUTH_STATE_MISSING'
  | 'WX_OAUTH_STATE_INVALID'
  | 'WX_OAUTH_STATE_MISMATCH'
  | 'WX_OAUTH_DENIED'
  | 'WX_OAUTH_SCOPE_INSUFFICIENT'
  | 'WX_OAUTH_SNAPSHOT_USER'
  // our side
  | 'WX_STORE_UNAVAILABLE'
  | 'WX_MISCONFIGURED'
  | 'WX_HOOK_INVALID'
  | 'WX_INTERNAL_ERROR';

/** A code of the app's own, for errors its hooks throw (e.g. `'USER_BANNED'`); give it a `status`. */
export type AppErrorCode = string & {};

/** The HTTP status that each code is answered with. */
export const ERROR_STATUS: Readonly<Record<WxErrorCode, number>> = {
  WX_INVALID_REQUEST: 400,
  WX_BODY_TOO_LARGE: 413,
  WX_UNSUPPORTED_MEDIA_TYPE: 415,
  WX_TOKEN_MISSING: 401,
  WX_TOKEN_INVALID: 401,
  WX_TOKEN_EXPIRED: 401,
  WX_SESSION_REVOKED: 401,
  WX_CODE_INVALID: 401,
  WX_CODE_USED: 401,
  WX_PHONE_CODE_INVALID: 400,
  WX_RATE_LIMITED: 429,
  WX_USER_BLOCKED: 403,
  WX_UPSTREAM_UNAVAILABLE: 502,
  WX_UPSTREAM_ERROR: 502,
  WX_CONFIG_REJECTED: 500,
  WX_API_UNAUTHORIZED: 403,
  WX_DATA_INVALID: 400,
  WX_DECRYPT_FAILED: 400,
  WX_SESSION_KEY_STALE: 400,
  WX_WATERMARK_MISMATCH: 400,
  WX_DATA_EXPIRED: 400,
  WX_SIGNATURE_MISMATCH: 400,
  WX_OAUTH_STATE_MISSING: 400,
  WX_OAUTH_STATE_INVALID: 403,
  WX_OAUTH_STATE_MISMATCH: 403,
  WX_OAUTH_DENIED: 403,
  WX_OAUTH_SCOPE_INSUFFICIENT: 403,
  WX_OAUTH_SNAPSHOT_USER: 403,
  WX_STORE_UNAVAILABLE: 503,
  WX_MISCONFIGURED: 500,
  WX_HOOK_INVALID: 500,
  WX_INTERNAL_ERROR: 500,
};

/** What WeChat answered, kept for support tickets. Never holds a secret. */
export interface WeChatErrorInfo {
  errcode: number;
  errmsg: string;
  /** WeChat's request id (from `errmsg`'s "rid: ..."), what WeChat support asks for. */
  rid?: string;
}

export interface WxLoginErrorOptions {
  /** WeChat's answer, when WeChat was the cause. */
  wechat?: WeChatErrorInfo;
  /** The underlying error, already scrubbed of secrets. Not rendered to clients. */
  cause?: unknown;
  /** Overrides the status of the code; required for an app's own code (else 500). */
  status?: number;
}

/**
 * The error every part of the package throws. `status` and `code` let any Express error
 * handler render it; `wxErrorHandler()` renders it as `{ error: { code, message } }`.
 *
 * @example
 * try { await req.wxUser!.decrypt(encryptedData, iv); }
 * catch (err) { if (err instanceof WxLoginError && err.code === 'WX_SESSION_KEY_STALE') askClientToRelogin(); }
 */
export class WxLoginError extends Error {
  override readonly name = 'WxLoginError';
  readonly code: WxErrorCode | AppErrorCode;
  readonly status: number;
  /** WeChat's `errcode` when WeChat was the cause. */
  readonly errcode: number | undefined;
  /** WeChat's request id when WeChat was the cause. */
  readonly rid: string | undefined;
  /** Express error-handler convention: the message is safe to show to the client. */
  readonly expose: boolean;

  constructor(code: WxErrorCode | AppErrorCode, message: string, options: WxLoginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // Own keys only: an app's code such as 'constructor' must not pick up Object.prototype's.
    this.status =
      options.status ?? (Object.hasOwn(ERROR_STATUS, code) ? ERROR_STATUS[code as WxErrorCode] : 500);
    this.errcode = options.wechat?.errcode;
    this.rid = options.wechat?.rid;
    this.expose = this.status < 500 || code === 'WX_STORE_UNAVAILABLE' || code.startsWith('WX_UPSTREAM');
  }

  /** The JSON body the package answers with. */
  toJSON(): { error: { code: WxErrorCode | AppErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** True for a WxLoginError, also one from another copy of the package (dual ESM/CJS loads). */
export function isWxLoginError(err: unknown): err is WxLoginError {
  return (
    err instanceof WxLoginError ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { name?: unknown }).name === 'WxLoginError' &&
      typeof (err as { code?: unknown }).code === 'string' &&
      typeof (err as { status?: unknown }).status === 'number')
  );
}
