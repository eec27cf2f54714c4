// Random identifiers shaped like WeChat's own: openids, codes, session keys, access tokens and the
// request id at the end of every errmsg.

import { randomBytes, randomInt } from 'node:crypto';

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ALPHANUMERIC = URL_SAFE.slice(0, 62);

function randomText(length: number, alphabet: string): string {
  let text = '';
  for (const byte of randomBytes(length)) text += alphabet[byte % alphabet.length];
  return text;
}

/**
 * A 28-character id starting with `o`, like WeChat's openids and unionids.
 *
 * @example
 * newOpenid(); // 'oGZUI0egBJY1zhBYw2KhdUfwVJJE'
 */
export function newOpenid(): string {
  return `o${randomText(27, URL_SAFE)}`;
}

/**
 * A 32-character login code, like the one `wx.login()` gives.
 *
 * @example
 * newLoginCode(); // '0a3Ngu000Wu7yT1sQp100W5oyK1Ngu0Y'
 */
export function newLoginCode(): string {
  return randomText(32, ALPHANUMERIC);
}

/**
 * A 64-hex-digit phone code, like the one the getPhoneNumber button gives.
 *
 * @example
 * newPhoneCode(); // 'e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144'
 */
export function newPhoneCode(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A session_key: 16 random bytes in base64, the AES-128 key of the user's open data.
 *
 * @example
 * newSessionKey(); // 'tiihtNczf5v6AKRyjwEUhQ=='
 */
export function newSessionKey(): string {
  return randomBytes(16).toString('base64');
}

/**
 * An access_token: a numeric prefix and a long URL-safe tail, as WeChat's look.
 *
 * @example
 * newAccessToken(); // '86_Rnbl…' (157 characters)
 */
export function newAccessToken(): string {
  return `${randomInt(60, 100)}_${randomText(154, URL_SAFE)}`;
}

/**
 * The request id that WeChat appends to every errmsg.
 *
 * @example
 * newRid(); // '652d44d0-1d0af18b-5b069232'
 */
export function newRid(): string {
  const hex = randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16)}`;
}
