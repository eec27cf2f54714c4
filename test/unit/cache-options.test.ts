// The cache size options: their defaults (room for about 100,000 users) and their validation.

import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/core/options.js';

const valid = { appId: 'wx123', appSecret: 'secret-value', tokenSecret: 'x'.repeat(32) };

describe('tokenCacheBytes and sessionCacheBytes', () => {
  it('default to 80 MiB and 48 MiB, and take 0 to turn a cache off', () => {
    expect(parseOptions(valid)).toMatchObject({
      tokenCacheBytes: 80 * 2 ** 20,
      sessionCacheBytes: 48 * 2 ** 20,
    });
    expect(parseOptions({ ...valid, tokenCacheBytes: 0, sessionCacheBytes: 0 })).toMatchObject({
      tokenCacheBytes: 0,
      sessionCacheBytes: 0,
    });
  });

  it.each([
    ['tokenCacheBytes', -1],
    ['tokenCacheBytes', 1.5],
    ['sessionCacheBytes', '64mb'],
    ['sessionCacheBytes', 2 ** 33],
  ])('refuses %s = %j, naming the option', (name, value) => {
    expect(() => parseOptions({ ...valid, [name]: value })).toThrow(
      new RegExp(`^express-wx-login: option "${name}" must be an integer from 0 to 4294967296`),
    );
  });
});
