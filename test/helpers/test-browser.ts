// A tiny browser for web-login tests: fetch with a cookie jar (host, path, Max-Age, as browsers
// keep them), redirects followed hop by hop across hosts, and the emulator's consent form.

import { record } from './secret-watch.js';

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expiresAt: number | undefined;
}

/** One response on the way, as received. */
export interface Hop {
  method: string;
  url: string;
  status: number;
  location: string | undefined;
  setCookie: string[];
}

export interface Page {
  status: number;
  url: string;
  text: string;
  headers: Headers;
  /** Every response, redirects included, in order. */
  hops: Hop[];
}

/**
 * Follows redirects like a browser, sending and keeping cookies. Cookies are per host, not per
 * port (as in browsers), and `Secure` is ignored: the tests run on plain-http loopback.
 *
 * @example
 * const browser = new TestBrowser();
 * const page = await browser.open(`${base}/wx/web/login?returnTo=/account`);
 */
export class TestBrowser {
  readonly #jar: StoredCookie[] = [];

  /** GETs `url` and follows redirects (at most 10). */
  open(url: string): Promise<Page> {
    return this.#navigate('GET', url, undefined);
  }

  /** Answers the emulator's consent page (`page`) by pressing Allow or Deny. */
  consent(page: Page, action: 'allow' | 'deny'): Promise<Page> {
    const ticket = /name="ticket" value="([0-9a-f]+)"/.exec(page.text)?.[1];
    if (!ticket) throw new Error(`no consent form in ${page.url}: ${page.text.slice(0, 200)}`);
    const action_ = new URL('/connect/confirm', page.url).href;
    return this.#navigate('POST', action_, new URLSearchParams({ ticket, action }).toString());
  }

  /** The value of a cookie this browser would send to `url`. */
  cookie(name: string, url: string): string | undefined {
    return this.#matching(new URL(url)).find((c) => c.name === name)?.value;
  }

  /** Sets a cookie as if a server had, for `url`'s host and `path`. */
  setCookie(url: string, name: string, value: string, path = '/'): void {
    this.#store(new URL(url).hostname, name, value, path, undefined);
  }

  async #navigate(method: string, start: string, body: string | undefined): Promise<Page> {
    const hops: Hop[] = [];
    let url = new URL(start);
    let currentMethod = method;
    let currentBody = body;
    for (let i = 0; i <= 10; i++) {
      const headers: Record<string, string> = {};
      const cookies = this.#matching(url);
      if (cookies.length > 0) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      if (currentBody !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(url, { method: currentMethod, headers, body: currentBody, redirect: 'manual' });
      const setCookie = res.headers.getSetCookie();
      for (const line of setCookie) this.#accept(url, line);
      const location = res.headers.get('location') ?? undefined;
      hops.push({ method: currentMethod, url: url.href, status: res.status, location, setCookie });
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url);
        currentMethod = 'GET';
        currentBody = undefined;
        continue;
      }
      const text = await res.text();
      record(text);
      return { status: res.status, url: url.href, text, headers: res.headers, hops };
    }
    throw new Error(`too many redirects from ${start}`);
  }

  #accept(url: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    let path = '/';
    let expiresAt: number | undefined;
    for (const attribute of attributes) {
      const [key = '', value = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path' && value.startsWith('/')) path = value;
      if (key.toLowerCase() === 'max-age') expiresAt = Date.now() + Number(value) * 1000;
    }
    this.#store(url.hostname, pair.slice(0, eq), pair.slice(eq + 1), path, expiresAt);
  }

  #store(host: string, name: string, value: string, path: string, expiresAt: number | undefined): void {
    const i = this.#jar.findIndex((c) => c.host === host && c.name === name && c.path === path);
    if (i >= 0) this.#jar.splice(i, 1);
    if (expiresAt !== undefined && expiresAt <= Date.now()) return;
    this.#jar.push({ name, value, host, path, expiresAt });
  }

  #matching(url: URL): StoredCookie[] {
    const now = Date.now();
    return this.#jar
      .filter(
        (c) =>
          c.host === url.hostname &&
          (c.expiresAt === undefined || c.expiresAt > now) &&
          (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }
}
