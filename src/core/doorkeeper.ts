// Which keys a cache should admit: those seen before. Under traffic where most keys come once
// (a flood of fresh tokens, a cold instance behind a load balancer), caching on first sight only
// churns the cache and the heap: every entry is kept, promoted by the collector and evicted
// unread. A doorkeeper remembers a 32-bit tag per key in a fixed table, so a key is cached on its
// second sighting (the idea of TinyLFU's doorkeeper, without the counters).

/** Fewest slots: small caches still get a table in which a key lasts a while. */
const MIN_SLOTS = 1024;

/**
 * @example
 * const door = new Doorkeeper(100_000); // about as many slots as the cache holds entries
 * door.seenBefore(tag); // false: remembered now
 * door.seenBefore(tag); // true: admit it
 */
export class Doorkeeper {
  readonly #tags: Int32Array;
  readonly #mask: number;

  /** `capacity`: about how many entries the cache holds; the table has the next power of two. */
  constructor(capacity: number) {
    let slots = MIN_SLOTS;
    while (slots < capacity) slots *= 2;
    this.#tags = new Int32Array(slots);
    this.#mask = slots - 1;
  }

  /**
   * Whether `tag` was offered before and not overwritten since; remembers it when not. A false
   * "yes" (two keys with one tag) only admits a key one sighting early.
   */
  seenBefore(tag: number): boolean {
    // Never 0, which every empty slot holds.
    const mark = tag | 1;
    const slot = (mark >>> 1) & this.#mask;
    if (this.#tags[slot] === mark) return true;
    this.#tags[slot] = mark;
    return false;
  }

  /** Bytes the table takes (outside the V8 heap). */
  get bytes(): number {
    return this.#tags.byteLength;
  }
}

/**
 * A 32-bit tag of `text[from, to)`, for keys that are random already (a token's signature, a
 * session id): a cheap polynomial hash with murmur3's finalizer, so that every bit varies.
 *
 * @example
 * door.seenBefore(textTag(sid));
 */
export function textTag(text: string, from = 0, to = text.length): number {
  let tag = 0;
  for (let i = from; i < to; i++) tag = Math.imul(tag, 31) + text.charCodeAt(i);
  tag = Math.imul(tag ^ (tag >>> 16), 0x85ebca6b);
  return tag ^ (tag >>> 13);
}
