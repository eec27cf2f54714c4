// Sessions on an in-process store (MemoryStore), over HTTP: no cache in front of it (the store keeps
// its entries off the heap and answers at once), so each request reads its session from the store,
// and two wxLogin()s of one app on one MemoryStore see a logout through either at once.

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

describe('sessions on MemoryStore', () => {
  it('reads the session from the store once per request, keeping no copy of it', async () => {
    const store = new CountingStore();
    const { app } = buildApp(emulator, { store });
    const { token, openid } = await loggedInUser(app, emulator);
    const reads = store.sessionReads;
    for (let i = 1; i <= 3; i++) {
      const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.body.openid).toBe(openid);
      expect(store.sessionReads).toBe(reads + i);
    }
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
