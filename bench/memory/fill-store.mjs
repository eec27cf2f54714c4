// Memory probe, run under --expose-gc: heap used by a default `new MemoryStore()` after N
// session-shaped records went in through the public API (store.set with a TTL).

import { randomBytes } from 'node:crypto';
import { MemoryStore } from '../../dist/index.js';

const count = Number(process.argv[2] ?? 1_000_000);
const appId = 'wx_emulator_app00';
const ttlMs = (7 * 24 * 3600 + 30) * 1000;

function heapUsed() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const before = heapUsed();
const store = new MemoryStore();
const started = performance.now();
for (let i = 0; i < count; i++) {
  const sid = randomBytes(16).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const record = {
    sid,
    openid: `o${String(i).padStart(10, '0')}BenchUserAbCdEfGh`,
    appId,
    source: 'miniprogram',
    createdAt: now,
    expiresAt: now + 7 * 24 * 3600,
    user: { userId: i },
  };
  store.set(`${appId}:sess:${sid}`, record, ttlMs);
}
const seconds = (performance.now() - started) / 1000;
const after = heapUsed();
process.send({ inserted: count, kept: store.size, before, after, setsPerSecond: count / seconds });
