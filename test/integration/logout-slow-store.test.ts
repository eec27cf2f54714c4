// Logout is immediate on the serving instance even when the store answers slowly: a session read
// that overlapped the delete must not put the session back into the local cache (issue 15.4).

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryStore, type SessionStore, type StoredValue } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';

interface Held {
  kind: 'get' | 'delete';
  key: string;
  release: () => void;
}

/**
 * The app's side of the store contract: a real MemoryStore whose answers the test holds back.
 * A get reads the value when it is called (as Redis executes a command when it arrives) and
 * answers when released; a delete runs when released.
 */
class HeldStore implements SessionStore {
  readonly inner = new MemoryStore();
  holding = false;
  readonly held: Held[] = [];
  #waiters: (() => void)[] = [];

  get(key: string): Promise<StoredValue | undefined> {
    const value = this.inner.get(key);
    return this.#hold('get', key, () => value);
  }
  delete(key: string): Promise<void> {
    return this.#hold('delete', key, () => this.inner.delete(key));
  }
  set(key: string, value: StoredValue, ttlMs: number): void {
    this.inner.set(key, value, ttlMs);
  }
  add(key: string, value: StoredValue, ttlMs: number): boolean {
    return this.inner.add(key, value, ttlMs);
  }
  deleteIfEquals(key: string, value: string): boolean {
    return this.inner.deleteIfEquals(key, value);
  }

  /** Resolves once `n` calls of `kind` on session keys are held. */
  async heldCalls(kind: Held['kind'], n: number): Promise<Held[]> {
    const matching = () => this.held.filter((h) => h.kind === kind && h.key.includes(':sess:'));
    while (matching().length < n) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return matching();
  }

  #hold<T>(kind: Held['kind'], key: string, run: () => T): Promise<T> {
    // Only session records are held: the session index and renewal records a logout also touches
    // answer at once, as they would from a store that is slow on one key only.
    if (!this.holding || !key.includes(':sess:')) return Promise.resolve(run());
    return new Promise<T>((resolve) => {
      this.held.push({ kind, key, release: () => resolve(run()) });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }
}

const emulator = await startEmulator();

async function setup() {
  const store = new HeldStore();
  const { app } = buildApp(emulator, { store });
  const login = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
  expect(login.status).toBe(200);
  const auth = `Bearer ${login.body.token as string}`;
  return { store, app, auth };
}

describe('logout on the serving instance with a slow store', () => {
  it('a read that started before the delete does not bring the session back', async () => {
    const { store, app, auth } = await setup();
    store.holding = true;
    // A /me in flight: its session read waits for the store.
    const early = request(app)
      .get('/me')
      .set('Authorization', auth)
      .then((r) => r);
    const [firstRead] = await store.heldCalls('get', 1);
    const logout = request(app)
      .post('/wx/logout')
      .set('Authorization', auth)
      .then((r) => r);
    // The logout's own read, if it made one, and then its delete: released in the order that
    // lets the early read answer last, after the delete cleared the cache.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const h of store.held.filter((h) => h !== firstRead && h.kind === 'get')) h.release();
    if (store.held.filter((h) => h.kind === 'get').length === 1) firstRead?.release();
    const [del] = await store.heldCalls('delete', 1);
    del?.release();
    expect((await logout).status).toBe(204);
    firstRead?.release();
    await early;
    store.holding = false;
    const after = await request(app).get('/me').set('Authorization', auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('WX_SESSION_REVOKED');
  });

  it('a read sent while the delete is under way, answered with the old value, is not cached', async () => {
    const { store, app, auth } = await setup();
    store.holding = true;
    const logout = request(app)
      .post('/wx/logout')
      .set('Authorization', auth)
      .then((r) => r);
    // The logout authenticates (one read), then deletes; the delete is held.
    const [logoutRead] = await store.heldCalls('get', 1);
    logoutRead?.release();
    const [del] = await store.heldCalls('delete', 1);
    // A /me sent now reads the store before the delete has run there: it sees the session.
    const during = request(app)
      .get('/me')
      .set('Authorization', auth)
      .then((r) => r);
    const reads = await store.heldCalls('get', 2);
    del?.release();
    expect((await logout).status).toBe(204);
    // Its answer arrives after the logout finished.
    reads[1]?.release();
    expect((await during).status).toBe(200);
    store.holding = false;
    const after = await request(app).get('/me').set('Authorization', auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('WX_SESSION_REVOKED');
  });
});
