// The session cache on an in-process store (MemoryStore), over HTTP: a session stays cached past
// the 1 s a shared store allows, since only this process can change it; two wxLogin()s of one app
// on one MemoryStore share that cache, so a logout through either is refused by both at once.

import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryStore, type StoredValue } from '../../src/index.js';
import { buildApp, loggedInUser, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();

/** A MemoryStore that counts its reads of session records (keys `<appId>:sess:<sid>`). */
class CountingStore extends MemoryStore {
  sessionReads = 0;
  override get(key: string): StoredValue | undefined {
    if (key.includes(':sess:')) this.sessionReads++;
    return super.get(key);
  }
}

describe('the session cache on MemoryStore', () => {
  it('serves a session read twice 1.2 s ago without reading the store again', async () => {
    const store = new CountingStore();
    const { app } = buildApp(emulator, { store });
    const { token, openid } = await loggedInUser(app, emulator);
    // Cached on its second read: a session read once is not kept (a MemoryStore read costs less).
    for (let i = 0; i < 2; i++)
      expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const reads = store.sessionReads;
    expect(reads).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const later = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(later.status).toBe(200);
    expect(later.body.openid).toBe(openid);
    expect(store.sessionReads).toBe(reads);
  });

  it('refuses a session on every wxLogin() of the app at once after a logout through one of them', async () => {
    const store = new MemoryStore();
    const one = buildApp(emulator, { store }).app;
    const two = buildApp(emulator, { store }).app;
    const { token } = await loggedInUser(one, emulator);
    const auth = `Bearer ${token}`;
    expect((await request(two).get('/me').set('Authorization', auth)).status).toBe(200);
    expect((await request(one).get('/me').set('Authorization', auth)).status).toBe(200);

    expect((await request(one).post('/wx/logout').set('Authorization', auth)).status).toBe(204);

    const after = await request(two).get('/me').set('Authorization', auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('WX_SESSION_REVOKED');
  });

  it('sees a logout-everywhere through one wxLogin() on the other at once', async () => {
    const store = new MemoryStore();
    const one = buildApp(emulator, { store }).app;
    const two = buildApp(emulator, { store }).app;
    const user = emulator.createUser();
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await request(one)
        .post('/wx/login')
        .send({ code: emulator.issueLoginCode(user.openid) });
      expect(res.status).toBe(200);
      tokens.push(res.body.token);
    }
    for (const token of tokens) {
      expect((await request(two).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    }
    const everywhere = await request(one)
      .post('/wx/logout')
      .set('Authorization', `Bearer ${tokens[0]}`)
      .send({ all: true });
    expect(everywhere.status).toBe(204);
    for (const token of tokens) {
      const res = await request(two).get('/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WX_SESSION_REVOKED');
    }
  });
});
