// The user table in SQLite through better-sqlite3: a file next to the example (or `:memory:`),
// created on first open. better-sqlite3 is synchronous; the repository is async like pg's.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { LoginIdentity, User, UserRepository } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS wx_users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id        TEXT    NOT NULL,
  openid        TEXT    NOT NULL,
  unionid       TEXT,
  phone_number  TEXT,
  country_code  TEXT,
  login_count   INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT    NOT NULL,
  last_login_at TEXT    NOT NULL,
  UNIQUE (app_id, openid)
);
CREATE INDEX IF NOT EXISTS wx_users_unionid ON wx_users (unionid) WHERE unionid IS NOT NULL;
`;

interface Row {
  id: number;
  app_id: string;
  openid: string;
  unionid: string | null;
  phone_number: string | null;
  country_code: string | null;
  login_count: number;
  created_at: string;
  last_login_at: string;
}

function toUser(row: Row): User {
  return {
    id: row.id,
    appId: row.app_id,
    openid: row.openid,
    unionid: row.unionid,
    phoneNumber: row.phone_number,
    countryCode: row.country_code,
    loginCount: row.login_count,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

/**
 * Opens (and if needed creates) the SQLite database at `file`.
 *
 * @example
 * const users = openSqlite('example-app/data/example.db');
 */
export function openSqlite(file: string): UserRepository {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL lets the playground read while a login writes; busy_timeout rides out a concurrent writer.
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 2000');
  db.exec(SCHEMA);

  const upsert = db.prepare<[{ appId: string; openid: string; unionid: string | null; now: string }], Row>(`
    INSERT INTO wx_users (app_id, openid, unionid, created_at, last_login_at)
    VALUES (@appId, @openid, @unionid, @now, @now)
    ON CONFLICT (app_id, openid) DO UPDATE SET
      unionid = COALESCE(excluded.unionid, wx_users.unionid),
      login_count = wx_users.login_count + 1,
      last_login_at = excluded.last_login_at
    RETURNING *`);
  const setPhone = db.prepare<[string, string, string, string]>(
    'UPDATE wx_users SET phone_number = ?, country_code = ? WHERE app_id = ? AND openid = ?',
  );
  const byOpenid = db.prepare<[string, string], Row>(
    'SELECT * FROM wx_users WHERE app_id = ? AND openid = ?',
  );
  const byUnionid = db.prepare<[string], Row>('SELECT * FROM wx_users WHERE unionid = ? ORDER BY id');

  return {
    kind: 'sqlite',
    async upsertOnLogin({ appId, openid, unionid }: LoginIdentity) {
      const row = upsert.get({ appId, openid, unionid: unionid ?? null, now: new Date().toISOString() });
      if (!row) throw new Error('upsert returned no row');
      return toUser(row);
    },
    async setPhone(appId, openid, phone) {
      setPhone.run(phone.purePhoneNumber, phone.countryCode, appId, openid);
    },
    async findByOpenid(appId, openid) {
      const row = byOpenid.get(appId, openid);
      return row && toUser(row);
    },
    async findByUnionid(unionid) {
      return byUnionid.all(unionid).map(toUser);
    },
    async close() {
      db.close();
    },
  };
}
