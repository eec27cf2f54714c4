// describeUnstorable(): whether what a hook returned survives JSON unchanged, and if not, where
// and why, for the many shapes an ORM hands back.

import { describe, expect, it } from 'vitest';
import { requireStorable } from '../../src/core/hooks.js';
import { describeUnstorable } from '../../src/core/storable.js';

/** `[1, <hole>, 3]`, as `new Array(3)` with two slots filled leaves it. */
function sparse(): number[] {
  const ids = new Array<number>(3);
  ids[0] = 1;
  ids[2] = 3;
  return ids;
}

class UserRow {
  id = 1;
}

describe('describeUnstorable', () => {
  it.each([
    ['a string', 'u-1'],
    ['a number', 42],
    ['null', null],
    ['undefined (no user)', undefined],
    ['nested plain JSON', { id: 1, tags: ['a', 'b'], profile: { name: '李雷', vip: false, score: -0.5 } }],
    ['an object without prototype', Object.assign(Object.create(null) as object, { id: 1 })],
    ['an undefined property (JSON drops it, as a missing field)', { id: 1, nickname: undefined }],
  ])('accepts %s', (_name, value) => {
    expect(describeUnstorable(value, 'result')).toBeUndefined();
  });

  it('accepts the same object reached twice (JSON copies it; only a cycle is refused)', () => {
    const shared = { name: 'a' };
    expect(describeUnstorable({ a: shared, b: [shared, shared] }, 'result')).toBeUndefined();
  });

  it.each([
    [
      'a BigInt',
      { id: 9007199254740993n },
      'a BigInt at result.id (convert it, e.g. String(id) or Number(id))',
    ],
    ['a BigInt at the top', 1n, 'a BigInt at result (convert it, e.g. String(id) or Number(id))'],
    ['Infinity', { n: [0, Number.POSITIVE_INFINITY] }, 'a non-finite number (Infinity) at result.n[1]'],
    [
      'undefined in an array',
      { ids: [1, undefined] },
      'undefined at result.ids[1] (JSON turns it into null)',
    ],
    ['a hole in an array', { ids: sparse() }, 'undefined at result.ids[1] (JSON turns it into null)'],
    ['a symbol', { kind: Symbol('x') }, 'a symbol at result.kind'],
    ['a function', { fn: () => 1 }, 'a function at result.fn'],
    [
      'a Date',
      { at: new Date(0) },
      'a Date at result.at (only plain objects are kept; convert it, e.g. date.toISOString())',
    ],
    ['a class instance', { row: new UserRow() }, 'a UserRow at result.row'],
    ['a Buffer', { avatar: Buffer.from('x') }, 'a Buffer at result.avatar'],
    ['a Set deep down', { a: [{ b: { c: new Set() } }] }, 'a Set at result.a[0].b.c'],
  ])('refuses %s and says where', (_name, value, problem) => {
    expect(describeUnstorable(value, 'result')).toContain(problem);
  });

  it('refuses a cycle and names the path that closes it', () => {
    const team: Record<string, unknown> = { name: 't' };
    const user = { id: 1, teams: [team] };
    team.owner = user;
    expect(describeUnstorable(user, 'result')).toBe('a cycle at result.teams[0].owner');
  });
});

describe('requireStorable', () => {
  it('returns a storable value as is', () => {
    const value = { id: 1 };
    expect(requireStorable('onLogin', value)).toBe(value);
  });

  it('throws WX_HOOK_INVALID (500) naming the hook and the place', () => {
    expect(() => requireStorable('onLogin', { id: 1n })).toThrow(
      expect.objectContaining({
        name: 'WxLoginError',
        code: 'WX_HOOK_INVALID',
        status: 500,
        message:
          'onLogin must return plain JSON (objects, arrays, strings, finite numbers, booleans, null): ' +
          'a BigInt at result.id (convert it, e.g. String(id) or Number(id))',
      }),
    );
  });
});
