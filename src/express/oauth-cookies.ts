// The cookies of wxOAuth(): the token cookie's options and their checks (names that keep their
// __Host-/__Secure- promise), and the name of each web app's state cookie.

import { createHash } from 'node:crypto';
import { failOption as fail } from '../options-toolkit.js';
import { COOKIE_NAME, checkCookiePrefix, type TokenCookieSettings } from './token-cookie.js';

export interface WxOAuthCookieOptions {
  /**
   * The token cookie's name. Defaults to `'__Host-wxl_token'` when `secure` and no `domain` (the
   * browser then refuses the cookie from anywhere but this host, over https, with Path=/), else
   * `'wxl_token'`. A `__Host-` name needs `secure` and no `domain`, a `__Secure-` name `secure`.
   */
  name?: string;
  /** Defaults to `true`. Turn off only for plain-http development. */
  secure?: boolean;
  /** Defaults to none: the cookie goes back only to the host that set it. */
  domain?: string;
}

export const STATE_COOKIE_PREFIX = 'wxl_oauth_state';
const DOMAIN = /^\.?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function parseCookie(cookie: WxOAuthCookieOptions): TokenCookieSettings {
  if (typeof cookie !== 'object' || cookie === null) fail('cookie', 'must be an object');
  const secure = cookie.secure ?? true;
  if (typeof secure !== 'boolean') fail('cookie.secure', 'must be a boolean');
  const domain = cookie.domain;
  if (domain !== undefined && (typeof domain !== 'string' || !DOMAIN.test(domain))) {
    fail('cookie.domain', 'must be a domain name such as "example.com"');
  }
  // Over plain http (development) or with a domain, `__Host-` cannot be used: the plain name then.
  const name = cookie.name ?? (secure && domain === undefined ? '__Host-wxl_token' : 'wxl_token');
  if (
    typeof name !== 'string' ||
    !COOKIE_NAME.test(name) ||
    name.replace(/^__(Host|Secure)-/i, '').startsWith(STATE_COOKIE_PREFIX)
  ) {
    fail('cookie.name', "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~), not wxl_oauth_state…");
  }
  checkCookiePrefix('cookie.name', name, { secure, domain });
  return { name, secure, domain };
}

/**
 * The state cookie of one web app: `__Host-wxl_oauth_state_<web appId>` over https (plain http,
 * in development, cannot use the prefix). One per web app, since every one has Path=/.
 */
export function stateCookieNameFor(webAppId: string, secure: boolean): string {
  const id = /^[A-Za-z0-9_-]{1,64}$/.test(webAppId)
    ? webAppId
    : createHash('sha256').update(webAppId).digest('hex').slice(0, 16);
  return `${secure ? '__Host-' : ''}${STATE_COOKIE_PREFIX}_${id}`;
}
