// safeReturnPath(): the pure check behind every web login's returnTo, case by case, without an
// OAuth round trip: only a path of this site, however an attacker spells another origin.

import { describe, expect, it } from 'vitest';
import { safeReturnPath } from '../../../src/oauth/return-to.js';

describe('safeReturnPath()', () => {
  it.each([
    ['/', '/'],
    ['/account', '/account'],
    ['/orders?id=7&tab=paid', '/orders?id=7&tab=paid'],
    ['/a/b#section', '/a/b#section'],
    ['/a/./b/../c', '/a/c'],
    ['/订单', '/%E8%AE%A2%E5%8D%95'],
    ['/%E8%AE%A2%E5%8D%95', '/%E8%AE%A2%E5%8D%95'],
  ])('keeps the local path %j as %j', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it.each([
    ['another origin', 'https://evil.com/'],
    ['a protocol-relative URL', '//evil.com'],
    ['a backslash read as a slash', '/\\evil.com'],
    ['a backslash later on', '/a\\b'],
    ['a tab browsers drop', '/\t/evil.com'],
    ['a newline', '/a\nb'],
    ['a DEL character', '/a\x7f'],
    ['an encoded double slash', '/%2F%2Fevil.com'],
    ['an encoded backslash', '/%5Cevil.com'],
    ['a relative path', 'account'],
    ['a scheme', 'javascript:alert(1)'],
    ['dot segments that climb to //', '/a/../..//evil.com'],
    ['a malformed escape', '/%E0%A4%A'],
    ['an empty string', ''],
    ['a path over 2 kB', `/${'a'.repeat(2048)}`],
  ])('refuses %s', (_what, input) => {
    expect(safeReturnPath(input)).toBeUndefined();
  });

  it.each([undefined, null, 42, ['/a'], { path: '/a' }])('refuses the non-string %j', (input) => {
    expect(safeReturnPath(input)).toBeUndefined();
  });
});
