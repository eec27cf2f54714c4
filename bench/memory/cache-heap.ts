// Memory probe, run under --expose-gc --no-opt with tsx (bench/lib/memory.mjs): heap per verified
// token in the token cache and per session in the local session cache, next to the bytes the
// caches count against their bounds; per user in a MemoryStore, in the V8 heap and outside it
// (ByteLru's typed arrays and byte buffer).

import { randomBytes } from 'node:crypto';
import { SessionRepository } from '../../src/core/sessions.js';
import { TokenService } from '../../src/core/tokens.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import type { StoredValue } from '../../src/stores/types.js';
import { appId, heapUsed, now, offHeapUsed, openid, record, ttlMs } from './fixtures.js';

const count = Number(process.argv[2] ?? 100_000);

// Inputs made first, so that only what the caches keep is counted.
const sids = Array.from({ length: count }, () => randomBytes(16).toString('base64url'));
const signer = new TokenService(appId, [{ secret: 'bench-token-secret-0123456789-abcdefghijklmnopqrstuv' }]);
const tokens: string[] = [];
for (let i = 0; i < count; i++) {
  const token = await signer.sign({
    openid: openid(i),
    sid: sids[i] as string,
    issuedAt: now,
    expiresAt: now + 7 * 86400,
  });
  // A flat copy: jose's token is a rope of its parts, which the first read would flatten, freeing
  // the parts inside a measurement.
  tokens.push(Buffer.from(token).toString());
}

/** Heap and off-heap bytes now, after full collections. */
const usage = () => ({ heap: heapUsed(), offHeap: offHeapUsed() });
const grownSince = (before: { heap: number; offHeap: number }) => {
  const after = usage();
  return { heap: (after.heap - before.heap) / count, offHeap: (after.offHeap - before.offHeap) / count };
};

// 1. A MemoryStore holding `count` users: a session and a session key each.
const store = new MemoryStore({ max: 2 * count });
let before = usage();
for (let i = 0; i < count; i++) {
  store.set(`${appId}:sess:${sids[i]}`, record(i, sids[i] as string) as unknown as StoredValue, ttlMs);
  store.set(
    `${appId}:skey:${openid(i)}`,
    { sessionKey: randomBytes(16).toString('base64'), updatedAt: Date.now() },
    ttlMs,
  );
}
const storeGrowth = grownSince(before);

// 2. The session cache, filled from that store.
const sessions = new SessionRepository(store, appId, { cacheMs: 3_600_000, cacheBytes: 2 ** 31 });
// A MemoryStore session is cached on its second read: the first pass is only remembered.
for (const sid of sids) sessions.loadNow(sid);
before = usage();
for (const sid of sids) sessions.loadNow(sid);
const sessionGrowth = grownSince(before);
const sessionStats = sessions.cacheStats;

// 3. The verified-token cache (big enough to keep them all).
const tokensService = new TokenService(
  appId,
  [{ secret: 'bench-token-secret-0123456789-abcdefghijklmnopqrstuv' }],
  {
    cacheBytes: 2 ** 31,
  },
);
// Each request brings its own copy of the token text. A token is cached when verified a second
// time: the first pass is only remembered.
for (const t of tokens) tokensService.verifyNow(Buffer.from(t).toString());
before = usage();
for (const t of tokens) tokensService.verifyNow(Buffer.from(t).toString());
const tokenGrowth = grownSince(before);
const tokenStats = tokensService.cacheStats;

const result = {
  count,
  tokenBytes: tokenGrowth.heap,
  tokenEstimate: tokenStats.bytes / tokenStats.entries,
  tokenLength: (tokens[0] as string).length,
  sessionBytes: sessionGrowth.heap,
  sessionEstimate: sessionStats.bytes / sessionStats.entries,
  storeBytesPerUser: storeGrowth.heap,
  storeOffHeapBytesPerUser: storeGrowth.offHeap,
  storeSize: store.size,
  // Keeps every structure alive until the figures are taken.
  alive: [tokensService, sessions, store].length,
};
if (process.send) process.send(result);
else console.log(result);
