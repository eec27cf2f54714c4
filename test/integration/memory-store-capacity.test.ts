// How many users a MemoryStore holds, through the real login path: two lasting entries per user
// (session and session_key), so `max: 2 * N` keeps N users whole and 2 * N - 1 loses one entry.

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
  let ok = 0;
  for (const u of users) {
    if (store.get(`${emulator.appId}:sess:${u.sid}`) !== undefined) sessions++;
    if (store.get(`${emulator.appId}:skey:${u.openid}`) !== undefined) keys++;
    if ((await request(app).get('/me').set('Authorization', `Bearer ${u.token}`)).status === 200) ok++;
  }
  return { sessions, keys, ok, size: store.size };
}

describe('MemoryStore capacity in users', () => {
  it('keeps every one of N users logged in with max = 2 * N, whatever the logins left behind', async () => {
    // Each login also claims its code (a short-lived record, in its own pool): it evicts nobody.
    const full = await fill(2 * USERS);
    expect(full).toMatchObject({ sessions: USERS, keys: USERS, ok: USERS });
  });

  it('loses an entry with one slot less: the bound is real', async () => {
    const short = await fill(2 * USERS - 1);
    expect(short.sessions + short.keys).toBe(2 * USERS - 1);
  });
});
