// Memory probe, run under --expose-gc with tsx: memory per user in a MemoryStore holding `count`
// users, each with the three entries a login leaves (session, session_key, the user's session
// index), written with the key layout and record shapes of src/core. Two figures: what stays in
// the V8 heap (objects the collector marks again at each full collection) and what lives outside
// it (MemoryStore's typed arrays and byte buffer: process memory, but nothing to mark). `node --expose-gc
// --max-old-space-size=4096 --import tsx bench/memory/store-heap.ts 1000000`.

import { randomBytes } from 'node:crypto';
import { userKey } from '../../src/core/user-keys.js';
import { MemoryStore } from '../../src/stores/memory-store.js';
import type { StoredValue } from '../../src/stores/types.js';
import { appId, heapUsed, offHeapUsed, openid, record, ttlMs } from './fixtures.js';

const count = Number(process.argv[2] ?? 100_000);

const store = new MemoryStore({ max: 3 * count });
const before = heapUsed();
const offHeapBefore = offHeapUsed();
for (let i = 0; i < count; i++) {
  const sid = randomBytes(16).toString('base64url');
  store.set(`${appId}:sess:${sid}`, record(i, sid) as unknown as StoredValue, ttlMs);
  store.set(
    `${appId}:skey:${openid(i)}`,
    { sessionKey: randomBytes(16).toString('base64'), updatedAt: Date.now() },
    ttlMs,
  );
  store.indexAdd(userKey(appId, 'u', openid(i), 'sessions'), sid, ttlMs);
}
const result = {
  count,
  bytesPerUser: (heapUsed() - before) / count,
  offHeapBytesPerUser: (offHeapUsed() - offHeapBefore) / count,
  entries: store.size,
};
if (process.send) process.send(result);
else console.log(result);
