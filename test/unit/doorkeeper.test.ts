import { describe, expect, it } from 'vitest';
import { Doorkeeper, textTag } from '../../src/core/doorkeeper.js';

describe('Doorkeeper', () => {
  it('says "seen before" on the second offer of a tag, not the first', () => {
    const door = new Doorkeeper(1000);
    expect(door.seenBefore(12345)).toBe(false);
    expect(door.seenBefore(12345)).toBe(true);
    expect(door.seenBefore(12345)).toBe(true);
  });

  it('treats the tag 0 like any other (empty slots hold 0)', () => {
    const door = new Doorkeeper(1000);
    expect(door.seenBefore(0)).toBe(false);
    expect(door.seenBefore(0)).toBe(true);
  });

  it('forgets a tag whose slot another tag took', () => {
    const door = new Doorkeeper(1000);
    // 1,024 slots: tags 2,048 apart share a slot (a tag's low bit is not part of its slot).
    expect(door.seenBefore(2)).toBe(false);
    expect(door.seenBefore(2 + 2048)).toBe(false);
    expect(door.seenBefore(2)).toBe(false);
  });

  it('has a power-of-two table of at least the capacity, 1,024 slots at fewest', () => {
    expect(new Doorkeeper(10).bytes).toBe(1024 * 4);
    expect(new Doorkeeper(100_000).bytes).toBe(131_072 * 4);
  });
});

describe('textTag', () => {
  it('tags a range of characters the same wherever the text comes from', () => {
    expect(textTag('xxabcdefyy', 2, 8)).toBe(textTag('abcdef'));
    expect(textTag('abcdef')).not.toBe(textTag('abcdeg'));
  });

  it('spreads random keys over the slots of a table', () => {
    const door = new Doorkeeper(1 << 16);
    let collisions = 0;
    for (let i = 0; i < 20_000; i++)
      if (door.seenBefore(textTag(`sid-${i.toString(36)}-${i * 7919}`))) collisions++;
    // Distinct keys: a "seen before" needs two equal 32-bit tags.
    expect(collisions).toBe(0);
  });
});
