// ByteLru (MemoryStore's off-heap map) against lru-cache, the library it stands in for: the same
// commands on both, with one clock, give the same answers and sizes, through eviction, expiry,
// replacement, purges, arena compaction and growth, with any Unicode in keys and values.

import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { ByteLru } from '../../src/stores/byte-lru.js';

type Command =
  | { op: 'set'; key: string; value: string; ttl: number }
  | { op: 'get' | 'has' | 'delete'; key: string }
  | { op: 'purge' }
  | { op: 'advance'; ms: number };

/** A few keys, so that commands meet the same entries: empty, ASCII, CJK, an astral character. */
const keyArb = (keys: number) =>
  fc.oneof(
    fc.constantFrom('', 'sess:o1', '会话:用户', 'k😀'),
    // Without bias: fast-check favours small integers, and the commands would keep meeting the
    // first few hundred keys of the 4,000.
    fc.noBias(fc.integer({ min: 0, max: keys - 1 })).map((i) => `wxl:sess:${i}`),
  );
const valueArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Long values fill the 64 KiB arena within a few sets: compaction and growth.
  fc
    .tuple(fc.constantFrom('x', '鍵', '🔑'), fc.integer({ min: 1000, max: 30_000 }))
    .map(([c, n]) => c.repeat(n)),
);

// Mostly entries that outlive the run, so that recency decides what goes; some that expire soon.
const ttlArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(1e9) },
  { weight: 1, arbitrary: fc.constantFrom(1, 5, 50) },
);

const commandArb = (keys: number): fc.Arbitrary<Command> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('set' as const),
        key: keyArb(keys),
        value: valueArb,
        ttl: ttlArb,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const),
        key: keyArb(keys),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ op: 'purge' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }),
    },
  );

/** Runs `commands` on both and returns each one's answers, size included, for comparison. */
function replay(max: number, commands: Command[]): { ours: unknown[]; theirs: unknown[] } {
  let now = 1000; // lru-cache treats a start time of 0 as "no TTL"
  const clock = { now: () => now };
  const ours = new ByteLru(max, clock);
  const theirs = new LRUCache<string, string>({ max, perf: clock, ttlResolution: 0, ttlAutopurge: false });
  const answers = { ours: [] as unknown[], theirs: [] as unknown[] };
  for (const c of commands) {
    if (c.op === 'advance') now += c.ms;
    else if (c.op === 'purge') {
      ours.purgeStale();
      theirs.purgeStale();
    } else if (c.op === 'set') {
      ours.set(c.key, c.value, c.ttl);
      theirs.set(c.key, c.value, { ttl: c.ttl });
    } else {
      answers.ours.push(ours[c.op](c.key));
      answers.theirs.push(theirs[c.op](c.key));
    }
    answers.ours.push(ours.size);
    answers.theirs.push(theirs.size);
  }
  return answers;
}

describe('ByteLru answers as lru-cache does', () => {
  it('with a bound of 1 to 5 entries: eviction order, expiry, replacement, purges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(commandArb(4), { maxLength: 120, size: 'max' }),
        (max, commands) => {
          const { ours, theirs } = replay(max, commands);
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('beyond its first 1,024 slots, while it grows its arrays and rebuilds its buckets', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1500, max: 3000 }),
        fc.array(commandArb(4000), { minLength: 3000, maxLength: 6000 }),
        (max, commands) => {
          // 1,200 long-lived entries first, so that every run has grown past 1,024 slots before
          // the generated commands (on the same keys) begin.
          const filled: Command[] = Array.from({ length: 1200 }, (_, i) => ({
            op: 'set',
            key: `wxl:sess:${i}`,
            value: `v${i}`,
            ttl: 1e9,
          }));
          const { ours, theirs } = replay(max, [...filled, ...commands]);
          expect(ours).toEqual(theirs);
        },
      ),
      { numRuns: 15, endOnFailure: true },
    );
  });
});

describe('ByteLru', () => {
  it('keeps 100,000 entries without an object per entry in the heap', () => {
    const lru = new ByteLru(100_000);
    for (let i = 0; i < 100_000; i++)
      lru.set(`wxl:sess:${i}`, JSON.stringify({ openid: `o${i}`, n: i }), 3_600_000);
    expect(lru.size).toBe(100_000);
    expect(lru.get('wxl:sess:0')).toBe('{"openid":"o0","n":0}');
    expect(lru.get('wxl:sess:99999')).toBe('{"openid":"o99999","n":99999}');
    lru.set('wxl:sess:100000', '{}', 1000);
    // wxl:sess:0 was read last of the early ones, so wxl:sess:1 is the least recently used.
    expect(lru.has('wxl:sess:1')).toBe(false);
    expect(lru.has('wxl:sess:0')).toBe(true);
  });

  it('refuses a bound below 1', () => {
    expect(() => new ByteLru(0)).toThrow(RangeError);
  });
});
