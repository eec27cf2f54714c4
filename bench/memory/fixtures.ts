// What the memory probes share: the app, a session's lifetime, heap used after a full gc, and
// users and session records shaped as src/core writes them.

import type { SessionRecord } from '../../src/core/sessions.js';

export const appId = 'wx_emulator_app00';
/** A session's store TTL: 7 days and the clock tolerance, as the core sets it. */
export const ttlMs = (7 * 24 * 3600 + 30) * 1000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/** Heap used after two full collections, in bytes. */
export function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Bytes of ArrayBuffers (typed arrays, Buffers) outside the heap, after the same collections. */
export function offHeapUsed(): number {
  gc?.();
  return process.memoryUsage().arrayBuffers;
}

export const openid = (i: number) => `o${String(i).padStart(10, '0')}BenchUserAbCdEfGh`;
export const now = Math.floor(Date.now() / 1000);

/** User `i`'s session record, with what an `onLogin` hook typically returns. */
export const record = (i: number, sid: string): SessionRecord => ({
  sid,
  openid: openid(i),
  appId,
  source: 'miniprogram',
  createdAt: now,
  expiresAt: now + 7 * 24 * 3600,
  user: { userId: i },
});
