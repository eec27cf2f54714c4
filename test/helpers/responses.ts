// What the response tests share: a store the test can switch off (the app's own store object, not
// a mock of ours), the Chinese-style wrapper of the README, and what a request wrote to stderr.

import { MemoryStore, type SessionStore, type StoredValue, type WxAnswer } from '../../src/index.js';
import { record } from './secret-watch.js';

/** A MemoryStore whose every method throws while `down` is true, like a Redis that went away. */
export class SwitchableStore implements SessionStore {
  down = false;
  readonly #inner = new MemoryStore();

  #check(): void {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6390');
  }
  async get(key: string): Promise<StoredValue | undefined> {
    this.#check();
    return this.#inner.get(key);
  }
  async set(key: string, value: StoredValue, ttlMs: number): Promise<void> {
    this.#check();
    await this.#inner.set(key, value, ttlMs);
  }
  async delete(key: string): Promise<void> {
    this.#check();
    await this.#inner.delete(key);
  }
  async add(key: string, value: StoredValue, ttlMs: number): Promise<boolean> {
    this.#check();
    return this.#inner.add(key, value, ttlMs);
  }
  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    this.#check();
    return this.#inner.deleteIfEquals(key, value);
  }
}

/** The README's wrapper: `{ code: 0, msg: 'ok', data }`, errors `{ code: 'WX_…', msg, data: null }`. */
export function wrap(answer: WxAnswer): unknown {
  return answer.ok
    ? { code: 0, msg: 'ok', data: answer.data }
    : { code: answer.code, msg: answer.message, data: null };
}

/** Everything written to process.stderr until `restore()`; each write also joins the leak watch. */
function captureStderr(): { writes: string[]; ours: () => string[]; restore: () => void } {
  const writes: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: unknown) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    writes.push(text);
    record(text);
    return true;
  }) as typeof process.stderr.write;
  return {
    writes,
    /** The package's reports among the writes. */
    ours: () => writes.filter((w) => w.includes(' express-wx-login: ')),
    restore: () => {
      process.stderr.write = original;
    },
  };
}

/** Runs `send` with stderr captured; its result, the package's reports, and every write. */
export async function withStderr<T>(
  send: () => Promise<T>,
): Promise<{ res: T; reports: string[]; all: string[] }> {
  const stderr = captureStderr();
  try {
    const res = await send();
    return { res, reports: stderr.ours(), all: stderr.writes };
  } finally {
    stderr.restore();
  }
}
