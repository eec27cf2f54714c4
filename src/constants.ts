// The few constants that more than one layer relies on, written once: the shape of WeChat codes,
// the clock tolerance of our tokens, the issuer they carry, and what an http(s) base URL looks like.

/** Codes from wx.login, getPhoneNumber and web OAuth redirects: 1-128 visible ASCII characters. */
export const CODE_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Tokens are honoured this long past `exp` (clock skew); sessions outlive them by as much. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** The `iss` of every token the package signs. */
export const TOKEN_ISSUER = 'express-wx-login';

/** An http(s) origin with an optional path, no query or fragment. */
export const HTTP_BASE_URL = /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/;
