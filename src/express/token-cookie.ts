// Cookies for web logins: a strict reader of the Cookie header, a Set-Cookie writer, and the token
// cookie that a wxOAuth() registers for its wxLogin() so that requireWxSession() and logout read it.

import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import type { WxAuth } from '../core/wx-auth.js';
import { WxLoginError } from '../errors.js';
import { failOption } from '../options-toolkit.js';

/** Where web tokens are delivered: the cookie's name and attributes. */
export interface TokenCookieSettings {
  name: string;
  secure: boolean;
  domain: string | undefined;
}

export interface CookieAttributes {
  maxAgeSeconds: number;
  path: string;
  secure: boolean;
  domain?: string | undefined;
}

/** RFC 6265 cookie-name (an RFC 7230 token). */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Our token is a JWT: base64url parts joined by dots. Anything else in the cookie is not ours. */
const TOKEN_VALUE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// Kept by the Express layer beside the service, never stamped on it.
const registry = new WeakMap<WxAuth, TokenCookieSettings>();

/**
 * Refuses (as an option error) a cookie name whose prefix the browser would not honour: a
 * `__Host-` name needs Secure, no Domain and Path=/ (we always use `/`), a `__Secure-` name needs
 * Secure. Browsers match the prefixes case-insensitively, so this does too.
 *
 * @example
 * checkCookiePrefix('cookie.name', '__Host-sid', { secure: true, domain: undefined }); // fine
 * checkCookiePrefix('cookie.name', '__Host-sid', { secure: true, domain: 'example.com' }); // throws
 */
export function checkCookiePrefix(
  option: string,
  name: string,
  attributes: { secure: boolean; domain: string | undefined },
): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('__host-') && (!attributes.secure || attributes.domain !== undefined)) {
    failOption(option, 'starts with "__Host-", which browsers accept only with secure: true and no domain');
  }
  if (lower.startsWith('__secure-') && !attributes.secure) {
    failOption(option, 'starts with "__Secure-", which browsers accept only with secure: true');
  }
}

/**
 * Makes `auth` accept its token from this cookie when a request has no Authorization header.
 * Every wxOAuth() that delivers cookies for one wxLogin() must use the same cookie.
 *
 * @example
 * registerTokenCookie(wx.auth, { name: '__Host-wxl_token', secure: true, domain: undefined });
 */
export function registerTokenCookie(auth: WxAuth, settings: TokenCookieSettings): void {
  const existing = registry.get(auth);
  if (existing) {
    if (
      existing.name !== settings.name ||
      existing.secure !== settings.secure ||
      existing.domain !== settings.domain
    ) {
      failOption('cookie', 'must be the same for every wxOAuth() sharing one wxLogin()');
    }
    return;
  }
  registry.set(auth, { ...settings });
}

/**
 * The token cookie registered on `auth`, if a wxOAuth() delivers tokens by cookie.
 *
 * @example
 * tokenCookieOf(wx.auth)?.name; // '__Host-wxl_token'
 */
export function tokenCookieOf(auth: WxAuth): TokenCookieSettings | undefined {
  return registry.get(auth);
}

/**
 * Every value of the cookie `name` in the request, in the order sent (browsers send the most
 * specific first). Surrounding double quotes are removed; nothing is URL-decoded.
 *
 * @example
 * cookieValues(req, '__Host-wxl_token'); // ['eyJhbGciOi...']
 */
export function cookieValues(req: IncomingMessage, name: string): string[] {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header === '') return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    values.push(value);
  }
  return values;
}

/**
 * The token from the registered cookie; `undefined` when none is registered or sent. Several
 * token cookies (one tossed in from a sibling domain, say) or a value that is no JWT: WX_TOKEN_INVALID.
 *
 * @example
 * const token = readBearerToken(req) ?? readTokenCookie(req, auth);
 */
export function readTokenCookie(req: IncomingMessage, auth: WxAuth): string | undefined {
  const settings = tokenCookieOf(auth);
  if (!settings) return undefined;
  const values = cookieValues(req, settings.name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new WxLoginError('WX_TOKEN_INVALID', 'send exactly one token cookie');
  const [value] = values;
  if (!value || !TOKEN_VALUE.test(value))
    throw new WxLoginError('WX_TOKEN_INVALID', 'the token cookie is malformed');
  return value;
}

/**
 * A `Set-Cookie` value: always HttpOnly and SameSite=Lax (sent on top-level navigations from
 * WeChat back to us, never on cross-site subrequests or POSTs).
 *
 * @example
 * serializeCookie('__Host-wxl_token', token, { maxAgeSeconds: 604800, path: '/', secure: true });
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  let cookie = `${name}=${value}; Max-Age=${attributes.maxAgeSeconds}; Path=${attributes.path}`;
  if (attributes.domain !== undefined) cookie += `; Domain=${attributes.domain}`;
  cookie += '; HttpOnly';
  if (attributes.secure) cookie += '; Secure';
  return `${cookie}; SameSite=Lax`;
}

/**
 * On a logout authenticated by the token cookie, also tells the browser to drop that cookie
 * (even when the session had already ended, so a dead cookie does not linger).
 *
 * @example
 * clearTokenCookieIfUsed(auth, req, res);
 */
export function clearTokenCookieIfUsed(auth: WxAuth, req: Request, res: Response): void {
  const settings = tokenCookieOf(auth);
  if (!settings || req.headers.authorization !== undefined) return;
  if (cookieValues(req, settings.name).length === 0) return;
  res.append(
    'Set-Cookie',
    serializeCookie(settings.name, '', {
      maxAgeSeconds: 0,
      path: '/',
      secure: settings.secure,
      domain: settings.domain,
    }),
  );
}
