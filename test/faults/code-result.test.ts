// The result of a code exchange at rest: a login leaves nothing behind in the store, and when a
// second instance waits for the same code, the result it reads is sealed with a key derived from
// the code, so a reader of Redis sees neither the token nor the openid.

import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/stores/memory-store.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { buildApp, startEmulator } from '../helpers/app.js';
import { sharedRedis } from '../helpers/redis-clients.js';
import { services } from '../helpers/services/index.js';

const emulator = await startEmulator();
// Skipped, and reported by the test run, on a machine without Redis.
const shared = services.redisUrl ? await sharedRedis() : undefined;
// Without Redis the suite is skipped; a client that never connects keeps the setup below valid.
const { client, prefix } = shared ?? { client: new Redis({ lazyConnect: true }), prefix: 'unused:' };

const one = buildApp(emulator, { store: new RedisStore({ client, prefix }) });
const two = buildApp(emulator, { store: new RedisStore({ client, prefix }) });
const codeKey = (code: string): string =>
  `${prefix}${emulator.appId}:code:${createHash('sha256').update(code).digest('base64url')}`;

describe.skipIf(!shared)('the code-exchange result at rest', () => {
  it('a login with no one waiting leaves no claim and no result (MemoryStore: 3 entries per login)', async () => {
    const store = new MemoryStore();
    const { app } = buildApp(emulator, { store });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(200);
    // The session, the user's session_key and their session index, and nothing of the exchange.
    expect(store.size).toBe(3);

    const code = emulator.issueLoginCode();
    expect((await request(one.app).post('/wx/login').send({ code })).status).toBe(200);
    expect(await client.exists(codeKey(code), `${codeKey(code)}:waiting`)).toBe(0);
  });

  it('a double tap on two instances: one exchange, one answer, and the shared record is sealed', async () => {
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    emulator.resetCalls();
    emulator.fail('jscode2session', { type: 'delay', ms: 400 });
    const [a, b] = await Promise.all([
      request(one.app).post('/wx/login').send({ code }),
      request(two.app).post('/wx/login').send({ code }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.token).toBe(a.body.token);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);

    // What anyone with read access to Redis sees of it: when it finished, and ciphertext.
    const raw = await client.get(codeKey(code));
    expect(raw).not.toBeNull();
    const record = JSON.parse(raw as string) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(['finishedAt', 'sealed', 'state']);
    expect(raw).not.toContain(a.body.token as string);
    expect(raw).not.toContain((a.body.token as string).split('.')[1]);
    expect(raw).not.toContain(user.openid);
    // Kept only for the waiters: seconds, not the 5 s it used to be, and never the claim's TTL.
    const ttl = Number(await client.pttl(codeKey(code)));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3000);
    expect(await client.exists(`${codeKey(code)}:waiting`)).toBe(0);
    await client.del(codeKey(code));
  });
});
