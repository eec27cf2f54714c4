// ByteLru: the map under MemoryStore. String keys to string values, each with a TTL, least recently
// used evicted first, like lru-cache; but the entries live in typed arrays and one byte buffer, so
// that 100,000 users add no objects to the V8 heap. Why it is not lru-cache: every object in the
// heap is marked again by each full collection, which every request of the process pays for, on
// any route (bench/README.md, "Where the time goes"). Here the collector sees a dozen objects
// whatever the number of entries. test/properties/byte-lru.property.test.ts holds it to
// lru-cache's behaviour.

/** Marks the end of a bucket chain, of the recency list and of the free list. */
const NONE = -1;
const FIRST_CAPACITY = 1024;
const FIRST_ARENA_BYTES = 64 * 1024;

/**
 * An LRU map of strings with TTLs, held outside the V8 heap. `max` bounds the entries; a new key
 * beyond it evicts the least recently used one. `get` refreshes recency and never returns an
 * expired entry; `has` does neither. Times are `performance.now()` milliseconds, as lru-cache's.
 *
 * @example
 * const lru = new ByteLru(3);
 * lru.set('sess:1', '{"openid":"o1"}', 60_000);
 * lru.get('sess:1'); // '{"openid":"o1"}'
 */
export class ByteLru {
  readonly max: number;
  #size = 0;

  // Per slot (an entry's index). Where its key and value bytes are in the arena, their lengths.
  #hash = new Uint32Array(0);
  #start = new Uint32Array(0);
  #keyBytes = new Uint32Array(0);
  #valueBytes = new Uint32Array(0);
  #expiresAt = new Float64Array(0);
  /** The next slot in the same bucket; for a free slot, the next free slot. */
  #chain = new Int32Array(0);
  #newer = new Int32Array(0);
  #older = new Int32Array(0);

  /** First slot of each bucket; a power of two, at least twice the capacity. */
  #buckets = new Int32Array(0);
  #newest = NONE;
  #oldest = NONE;
  #free = NONE;
  /** Slots never used yet start here (below it, a slot is live or on the free list). */
  #unused = 0;

  /** Keys and values, UTF-8, appended; a replaced or deleted entry leaves a hole until compaction. */
  #arena = Buffer.alloc(0);
  #arenaEnd = 0;
  #arenaLive = 0;
  /** Where a looked-up key is encoded, so that a lookup allocates nothing. */
  #scratch = Buffer.alloc(256);
  #foundHash = 0;

  readonly #clock: { now(): number };

  /** `clock` is for tests; by default `performance`, as lru-cache's. */
  constructor(max: number, clock: { now(): number } = performance) {
    if (!(max >= 1)) throw new RangeError(`ByteLru max must be at least 1, got ${max}`);
    this.max = max;
    this.#clock = clock;
    this.#grow(Math.min(max, FIRST_CAPACITY));
    this.#arena = Buffer.alloc(FIRST_ARENA_BYTES);
  }

  get size(): number {
    return this.#size;
  }

  /** The value at `key` unless absent or expired (an expired entry is dropped); refreshes recency. */
  get(key: string): string | undefined {
    const slot = this.#find(this.#encode(key));
    if (slot === NONE) return undefined;
    if (this.#expired(slot, this.#clock.now())) {
      this.#remove(slot);
      return undefined;
    }
    this.#touch(slot);
    const from = this.#start[slot] + this.#keyBytes[slot];
    return this.#arena.toString('utf8', from, from + this.#valueBytes[slot]);
  }

  /** Whether `key` holds an entry that has not expired; recency unchanged. */
  has(key: string): boolean {
    const slot = this.#find(this.#encode(key));
    return slot !== NONE && !this.#expired(slot, this.#clock.now());
  }

  /** Writes `value` at `key` for `ttlMs` (> 0) and makes it the most recently used. */
  set(key: string, value: string, ttlMs: number): void {
    const keyLength = this.#encode(key);
    let slot = this.#find(keyLength);
    if (slot === NONE) {
      if (this.#size >= this.max) this.#remove(this.#oldest);
      slot = this.#claimSlot();
      this.#hash[slot] = this.#foundHash;
      this.#link(slot);
    } else {
      this.#arenaLive -= this.#keyBytes[slot] + this.#valueBytes[slot];
      this.#touch(slot);
    }
    const valueLength = Buffer.byteLength(value, 'utf8');
    const start = this.#reserve(keyLength + valueLength, slot);
    this.#scratch.copy(this.#arena, start, 0, keyLength);
    this.#arena.write(value, start + keyLength, valueLength, 'utf8');
    this.#start[slot] = start;
    this.#keyBytes[slot] = keyLength;
    this.#valueBytes[slot] = valueLength;
    this.#expiresAt[slot] = this.#clock.now() + ttlMs;
    this.#arenaEnd = start + keyLength + valueLength;
    this.#arenaLive += keyLength + valueLength;
  }

  /** Removes `key`; whether it was there (expired or not). */
  delete(key: string): boolean {
    const slot = this.#find(this.#encode(key));
    if (slot === NONE) return false;
    this.#remove(slot);
    return true;
  }

  /** Drops every expired entry: one pass over the entries. */
  purgeStale(): void {
    const now = this.#clock.now();
    for (let slot = this.#oldest; slot !== NONE; ) {
      const newer = this.#newer[slot];
      if (this.#expired(slot, now)) this.#remove(slot);
      slot = newer;
    }
  }

  clear(): void {
    this.#size = 0;
    this.#newest = this.#oldest = this.#free = NONE;
    this.#unused = 0;
    this.#grow(Math.min(this.max, FIRST_CAPACITY));
    this.#arena = Buffer.alloc(FIRST_ARENA_BYTES);
    this.#arenaEnd = this.#arenaLive = 0;
  }

  #expired(slot: number, now: number): boolean {
    return now > this.#expiresAt[slot];
  }

  /** Encodes `key` into the scratch buffer; its length in bytes. */
  #encode(key: string): number {
    // Three bytes per UTF-16 unit is the most UTF-8 can take.
    if (key.length * 3 > this.#scratch.length) this.#scratch = Buffer.alloc(key.length * 3);
    return this.#scratch.write(key, 0, 'utf8');
  }

  /** The slot holding the key just encoded, or NONE; leaves the key's hash in #foundHash. */
  #find(keyLength: number): number {
    const hash = hashBytes(this.#scratch, keyLength);
    this.#foundHash = hash;
    for (
      let slot = this.#buckets[hash & (this.#buckets.length - 1)];
      slot !== NONE;
      slot = this.#chain[slot]
    ) {
      if (this.#hash[slot] !== hash || this.#keyBytes[slot] !== keyLength) continue;
      const start = this.#start[slot];
      if (this.#scratch.compare(this.#arena, start, start + keyLength, 0, keyLength) === 0) return slot;
    }
    return NONE;
  }

  #claimSlot(): number {
    if (this.#free !== NONE) {
      const slot = this.#free;
      this.#free = this.#chain[slot];
      return slot;
    }
    const capacity = this.#hash.length;
    if (this.#unused === capacity) this.#grow(Math.min(this.max, capacity * 2));
    return this.#unused++;
  }

  /** Puts a new slot in its bucket and at the newest end of the recency list. */
  #link(slot: number): void {
    const bucket = this.#hash[slot] & (this.#buckets.length - 1);
    this.#chain[slot] = this.#buckets[bucket];
    this.#buckets[bucket] = slot;
    this.#older[slot] = this.#newest;
    this.#newer[slot] = NONE;
    if (this.#newest !== NONE) this.#newer[this.#newest] = slot;
    else this.#oldest = slot;
    this.#newest = slot;
    this.#size++;
  }

  #remove(slot: number): void {
    const bucket = this.#hash[slot] & (this.#buckets.length - 1);
    if (this.#buckets[bucket] === slot) this.#buckets[bucket] = this.#chain[slot];
    else {
      let before = this.#buckets[bucket];
      while (this.#chain[before] !== slot) before = this.#chain[before];
      this.#chain[before] = this.#chain[slot];
    }
    this.#unlinkRecency(slot);
    this.#arenaLive -= this.#keyBytes[slot] + this.#valueBytes[slot];
    this.#chain[slot] = this.#free;
    this.#free = slot;
    this.#size--;
  }

  /** Makes `slot` the most recently used. */
  #touch(slot: number): void {
    if (slot === this.#newest) return;
    this.#unlinkRecency(slot);
    this.#older[slot] = this.#newest;
    this.#newer[slot] = NONE;
    this.#newer[this.#newest] = slot;
    this.#newest = slot;
  }

  #unlinkRecency(slot: number): void {
    const older = this.#older[slot];
    const newer = this.#newer[slot];
    if (older !== NONE) this.#newer[older] = newer;
    else this.#oldest = newer;
    if (newer !== NONE) this.#older[newer] = older;
    else this.#newest = older;
  }

  /**
   * Where `bytes` more can be written at the arena's end. When they do not fit, the arena is
   * compacted (live entries copied to a fresh buffer, `slot` left out: it is being rewritten),
   * into one twice the live bytes or more, so that compaction costs O(1) per byte written.
   */
  #reserve(bytes: number, slot: number): number {
    if (this.#arenaEnd + bytes <= this.#arena.length) return this.#arenaEnd;
    // #arenaLive already leaves out `slot`'s old bytes (set() took them off).
    const next = Buffer.alloc(Math.max(FIRST_ARENA_BYTES, 2 * (this.#arenaLive + bytes)));
    let end = 0;
    for (let other = this.#oldest; other !== NONE; other = this.#newer[other]) {
      if (other === slot) continue;
      const length = this.#keyBytes[other] + this.#valueBytes[other];
      this.#arena.copy(next, end, this.#start[other], this.#start[other] + length);
      this.#start[other] = end;
      end += length;
    }
    this.#arena = next;
    this.#arenaEnd = end;
    return end;
  }

  /** Moves every slot into arrays of `capacity` slots and rebuilds the buckets. */
  #grow(capacity: number): void {
    const copy = <T extends Uint32Array | Int32Array | Float64Array>(from: T, make: (n: number) => T): T => {
      const to = make(capacity);
      to.set(from.subarray(0, Math.min(from.length, capacity)));
      return to;
    };
    this.#hash = copy(this.#hash, (n) => new Uint32Array(n));
    this.#start = copy(this.#start, (n) => new Uint32Array(n));
    this.#keyBytes = copy(this.#keyBytes, (n) => new Uint32Array(n));
    this.#valueBytes = copy(this.#valueBytes, (n) => new Uint32Array(n));
    this.#expiresAt = copy(this.#expiresAt, (n) => new Float64Array(n));
    this.#chain = copy(this.#chain, (n) => new Int32Array(n));
    this.#newer = copy(this.#newer, (n) => new Int32Array(n));
    this.#older = copy(this.#older, (n) => new Int32Array(n));
    let buckets = 2;
    while (buckets < 2 * capacity) buckets *= 2;
    this.#buckets = new Int32Array(buckets).fill(NONE);
    // Every entry is on the recency list.
    for (let slot = this.#oldest; slot !== NONE; slot = this.#newer[slot]) {
      const bucket = this.#hash[slot] & (buckets - 1);
      this.#chain[slot] = this.#buckets[bucket];
      this.#buckets[bucket] = slot;
    }
  }
}

/** FNV-1a over the first `length` bytes: cheap, and spread well enough for chains of one or two. */
function hashBytes(bytes: Uint8Array, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}
