// How many users a MemoryStore holds, through the real login path: three lasting entries per user
// (session, session_key, the user's session index; these users have no unionid), so `max: 3 * N`
// keeps N users whole and 3 * N - 1 loses one entry.

import { decodeJwt } from 'jose';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();
const USERS = 40;

/** Logs USERS users in on a store bounded by `max`; returns how many sessions and keys are left. */
async function fill(max: number) {
  const store = new MemoryStore({ max });
  // sessionCacheMs: 0, so that /me reads the store itself.
  const { app } = buildApp(emulator, { store, sessionCacheMs: 0 });
  const users: { token: string; sid: string; openid: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(200);
    users.push({
      token: res.body.token,
      openid: res.body.openid,
      sid: String(decodeJwt(res.body.token).sid),
    });
  }
  let sessions = 0;
  let keys = 0;
  let indexes = 0;
  let ok = 0;
  for (const u of users) {
    if (store.get(`${emulator.appId}:sess:${u.sid}`) !== undefined) sessions++;
    if (store.get(`${emulator.appId}:skey:${u.openid}`) !== undefined) keys++;
    if (store.indexMembers(`${emulator.appId}:{u:${u.openid}}:sessions`).includes(u.sid)) indexes++;
    if ((await request(app).get('/me').set('Authorization', `Bearer ${u.token}`)).status === 200) ok++;
  }
  return { sessions, keys, indexes, ok, size: store.size };
}

describe('MemoryStore capacity in users', () => {
  it('keeps every one of N users logged in with max = 3 * N, whatever the logins left behind', async () => {
    // Each login also claims its code (a short-lived record, in its own pool): it evicts nobody.
    const full = await fill(3 * USERS);
    expect(full).toMatchObject({ sessions: USERS, keys: USERS, indexes: USERS, ok: USERS });
  });

  it('loses an entry with one slot less: the bound is real', async () => {
    const short = await fill(3 * USERS - 1);
    expect(short.sessions + short.keys + short.indexes).toBe(3 * USERS - 1);
  });
});
