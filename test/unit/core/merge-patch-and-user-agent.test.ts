// Two pure parts of the user-sessions work: the JSON merge patch that updateUser() applies, and
// the User-Agent summary that listSessions() shows.

import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../../src/core/merge-patch.js';
import { summarizeUserAgent } from '../../../src/express/user-agent.js';

describe('applyMergePatch (RFC 7396)', () => {
  it.each([
    [{ a: 1, b: 2 }, { b: 3 }, { a: 1, b: 3 }],
    [{ a: 1, b: 2 }, { b: null }, { a: 1 }],
    [{ a: { x: 1, y: 2 } }, { a: { y: null, z: 3 } }, { a: { x: 1, z: 3 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    ['scalar', { a: 1 }, { a: 1 }],
    [undefined, { a: 1 }, { a: 1 }],
    [{ a: 1 }, { b: undefined }, { a: 1 }],
    [{ a: 'x' }, { a: { deep: true } }, { a: { deep: true } }],
  ])('%j + %j = %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result);
  });

  it('changes neither input', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { c: 2 } };
    applyMergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 } });
    expect(patch).toEqual({ a: { c: 2 } });
  });

  it('keeps "__proto__" as a key, never as a prototype', () => {
    const result = applyMergePatch({}, JSON.parse('{"__proto__": {"admin": true}}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { admin?: unknown }).admin).toBeUndefined();
    expect(JSON.stringify(result)).toBe('{"__proto__":{"admin":true}}');
  });

  it('refuses what JSON cannot keep, naming where', () => {
    expect(() => applyMergePatch({}, { id: 1n })).toThrow(/a BigInt at patch.id/);
    expect(() => applyMergePatch({}, { at: new Date(0) })).toThrow(/a Date at patch.at/);
  });
});

describe('summarizeUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN miniProgram/wx123',
      'iPhone · WeChat 8.0.50 · mini program',
    ],
    [
      'Mozilla/5.0 (Linux; Android 12; V2049A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64 MiniProgramEnv/android',
      'Android · WeChat 8.0.47.2560 · mini program',
    ],
    [
      'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.49.2600(0x28003133) NetType/WIFI Language/zh_CN',
      'Android · WeChat 8.0.49.2600',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Windows · Chrome 131',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Windows · Edge 131',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'Mac · Safari 17',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Linux · Firefox 128'],
    ['curl/8.5.0', 'curl/8.5.0'],
    ['  ', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, summary) => {
    expect(summarizeUserAgent(header)).toBe(summary);
  });
});
