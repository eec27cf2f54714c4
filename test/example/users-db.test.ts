// The example's user repositories, SQLite and PostgreSQL, against the same expectations; and the
// whole example on PostgreSQL (as with DATABASE_URL), the users landing in a real table.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../example-app/db/postgres.js';
import { openSqlite } from '../../example-app/db/sqlite.js';
import type { UserRepository } from '../../example-app/db/types.js';
import { call, logIn, type MeBody, type PhoneBody, startTestExample } from '../helpers/example-app.js';
import { postgresReady } from '../helpers/services/index.js';

// The run's PostgreSQL (test/helpers/services): TEST_DATABASE_URL, or PGlite on loopback.
const POSTGRES_URL = await postgresReady();
const schemas: string[] = [];

/** A PostgreSQL repository in a schema of its own, dropped after the file. */
async function postgresRepository(): Promise<UserRepository> {
  const schema = `example_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return openPostgres(POSTGRES_URL, { schema });
}

const dir = mkdtempSync(join(tmpdir(), 'example-sqlite-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

const engines: Array<[string, () => Promise<UserRepository>]> = [
  ['SQLite (a file)', async () => openSqlite(join(dir, `${randomBytes(4).toString('hex')}/users.db`))],
  ['PostgreSQL', postgresRepository],
];

describe.each(engines)('users in %s', (_name, open) => {
  it('inserts on the first login and counts the next ones, keeping the unionid once known', async () => {
    const users = await open();
    try {
      const first = await users.upsertOnLogin({ appId: 'wxA', openid: 'o1' });
      expect(first).toMatchObject({
        appId: 'wxA',
        openid: 'o1',
        unionid: null,
        loginCount: 1,
        phoneNumber: null,
      });
      expect(Number.isInteger(first.id)).toBe(true);
      expect(Date.parse(first.createdAt)).toBeGreaterThan(Date.now() - 60_000);

      const second = await users.upsertOnLogin({ appId: 'wxA', openid: 'o1', unionid: 'u1' });
      expect(second).toMatchObject({ id: first.id, unionid: 'u1', loginCount: 2 });
      const third = await users.upsertOnLogin({ appId: 'wxA', openid: 'o1' });
      expect(third).toMatchObject({ id: first.id, unionid: 'u1', loginCount: 3 });
      expect(Date.parse(third.lastLoginAt)).toBeGreaterThanOrEqual(Date.parse(first.lastLoginAt));
    } finally {
      await users.close();
    }
  });

  it('keeps users of different apps apart and finds one person across apps by unionid', async () => {
    const users = await open();
    try {
      const a = await users.upsertOnLogin({ appId: 'wxA', openid: 'same-openid', unionid: 'u9' });
      const b = await users.upsertOnLogin({ appId: 'wxB', openid: 'same-openid' });
      const c = await users.upsertOnLogin({ appId: 'wxC', openid: 'other', unionid: 'u9' });
      expect(new Set([a.id, b.id, c.id]).size).toBe(3);
      expect((await users.findByUnionid('u9')).map((u) => u.appId)).toEqual(['wxA', 'wxC']);
      expect(await users.findByOpenid('wxB', 'same-openid')).toMatchObject({ id: b.id, unionid: null });
      expect(await users.findByOpenid('wxB', 'nobody')).toBeUndefined();
    } finally {
      await users.close();
    }
  });

  it('stores a phone number, and many concurrent logins make one row', async () => {
    const users = await open();
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, () => users.upsertOnLogin({ appId: 'wxA', openid: 'busy' })),
      );
      expect(new Set(results.map((u) => u.id)).size).toBe(1);
      expect(results.map((u) => u.loginCount).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      await users.setPhone('wxA', 'busy', { purePhoneNumber: '13800138000', countryCode: '86' });
      expect(await users.findByOpenid('wxA', 'busy')).toMatchObject({
        phoneNumber: '13800138000',
        countryCode: '86',
      });
    } finally {
      await users.close();
    }
  });
});

const pgUsers = await postgresRepository();
afterAll(() => pgUsers.close());
const example = await startTestExample({ users: pgUsers });

describe('the example on PostgreSQL', () => {
  it('upserts the user and stores the phone number in PostgreSQL', async () => {
    expect((await call(example.url, 'GET', '/info')).body).toMatchObject({ database: 'postgres' });

    const { token, openid } = await logIn(example);
    await logIn(example, openid);
    const issued = await call<{ code: string }>(example.url, 'POST', '/dev/phone-code', { body: { openid } });
    const phone = await call<PhoneBody>(example.url, 'POST', '/wx/phone', {
      token,
      body: { code: issued.body.code },
    });
    expect(phone.status).toBe(200);

    const me = await call<MeBody>(example.url, 'GET', '/me', { token });
    expect(me.body.user).toMatchObject({
      openid,
      loginCount: 2,
      phoneNumber: '13800138000',
      countryCode: '86',
    });
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT login_count, phone_number FROM ${schemas[0]}.wx_users WHERE openid = $1`,
        [openid],
      );
      expect(rows).toEqual([{ login_count: 2, phone_number: '13800138000' }]);
    } finally {
      await client.end();
    }
  });
});
