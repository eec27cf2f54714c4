// Where wxOAuth() sends the browser: a plain redirect, or (inside wxLogin.js's QR iframe) a tiny
// page that moves the top window, and a returnTo with one query parameter added.

import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

export function redirect(res: Response, location: string): void {
  res.status(302).setHeader('Location', location);
  res.end();
}

/**
 * Answers a page that sends the top window to `path`, a same-origin path (the returnTo, made safe
 * when the login started). Its one script runs under a CSP nonce; only this site may frame it.
 */
export function navigateTop(res: Response, path: string): void {
  const nonce = randomBytes(16).toString('base64');
  // JSON with <, > and & escaped cannot close the script element, whatever the path holds.
  const target = JSON.stringify(path).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const href = path.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.status(200);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'`,
  );
  res.end(
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>WeChat login</title></head><body>` +
      `<script nonce="${nonce}">top.location.replace(${target});</script>` +
      `<noscript><a href="${href}" target="_top">Continue</a></noscript></body></html>`,
  );
}

/** Adds `name=value` to a local path's query, before any #fragment. */
export function withParam(path: string, name: string, value: string): string {
  const url = new URL(path, 'http://return-to.invalid');
  url.searchParams.set(name, value);
  return `${url.pathname}${url.search}${url.hash}`;
}
