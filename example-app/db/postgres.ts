// The user table in PostgreSQL through pg, used when DATABASE_URL is set: a small pool, the
// table created on first connect. Same queries as the SQLite repository, in PostgreSQL's dialect.

import pg from 'pg';
import type { LoginIdentity, User, UserRepository } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS wx_users (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app_id        TEXT        NOT NULL,
  openid        TEXT        NOT NULL,
  unionid       TEXT,
  phone_number  TEXT,
  country_code  TEXT,
  login_count   INTEGER     NOT NULL DEFAULT 1,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_login_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (app_id, openid)
);
CREATE INDEX IF NOT EXISTS wx_users_unionid ON wx_users (unionid) WHERE unionid IS NOT NULL;
`;

interface Row {
  id: string; // BIGINT arrives as a string: pg will not guess at a JavaScript number
  app_id: string;
  openid: string;
  unionid: string | null;
  phone_number: string | null;
  country_code: string | null;
  login_count: number;
  created_at: Date;
  last_login_at: Date;
}

function toUser(row: Row): User {
  return {
    id: Number(row.id),
    appId: row.app_id,
    openid: row.openid,
    unionid: row.unionid,
    phoneNumber: row.phone_number,
    countryCode: row.country_code,
    loginCount: row.login_count,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at.toISOString(),
  };
}

/**
 * Connects to PostgreSQL and creates the table if needed. `schema` (tests use it) puts the table
 * in its own schema through the connection's search_path.
 *
 * @example
 * const users = await openPostgres(process.env.DATABASE_URL!);
 */
export async function openPostgres(
  connectionString: string,
  options: { schema?: string } = {},
): Promise<UserRepository> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new TypeError('schema must be a plain lower-case identifier');
  }
  const pool = new pg.Pool({
    connectionString,
    max: 5,
    connectionTimeoutMillis: 5000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (err) => process.stderr.write(`postgres: ${err.message}\n`));
  try {
    if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await pool.query(SCHEMA);
  } catch (err) {
    await pool.end();
    throw err;
  }

  return {
    kind: 'postgres',
    async upsertOnLogin({ appId, openid, unionid }: LoginIdentity) {
      const { rows } = await pool.query<Row>(
        `INSERT INTO wx_users (app_id, openid, unionid) VALUES ($1, $2, $3)
         ON CONFLICT (app_id, openid) DO UPDATE SET
           unionid = COALESCE(excluded.unionid, wx_users.unionid),
           login_count = wx_users.login_count + 1,
           last_login_at = now()
         RETURNING *`,
        [appId, openid, unionid ?? null],
      );
      return toUser(rows[0]!);
    },
    async setPhone(appId, openid, phone) {
      await pool.query(
        'UPDATE wx_users SET phone_number = $3, country_code = $4 WHERE app_id = $1 AND openid = $2',
        [appId, openid, phone.purePhoneNumber, phone.countryCode],
      );
    },
    async findByOpenid(appId, openid) {
      const { rows } = await pool.query<Row>('SELECT * FROM wx_users WHERE app_id = $1 AND openid = $2', [
        appId,
        openid,
      ]);
      return rows[0] && toUser(rows[0]);
    },
    async findByUnionid(unionid) {
      const { rows } = await pool.query<Row>('SELECT * FROM wx_users WHERE unionid = $1 ORDER BY id', [
        unionid,
      ]);
      return rows.map(toUser);
    },
    async close() {
      await pool.end();
    },
  };
}
