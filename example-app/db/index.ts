// Picks the example's database: PostgreSQL when a connection string is given (DATABASE_URL),
// else a SQLite file, so that `npm run example` needs no database server at all.

import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type { UserRepository } from './types.js';

export type { LoginIdentity, User, UserRepository } from './types.js';

export interface DatabaseOptions {
  /** A postgres:// URL; wins over `sqliteFile`. */
  databaseUrl?: string | undefined;
  /** A SQLite file, or `':memory:'`. */
  sqliteFile: string;
}

/**
 * Opens the users repository the options name.
 *
 * @example
 * const users = await openDatabase({ databaseUrl: process.env.DATABASE_URL, sqliteFile: ':memory:' });
 */
export async function openDatabase(options: DatabaseOptions): Promise<UserRepository> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(options.sqliteFile);
}

/** Where the database is, for the banner: a PostgreSQL URL loses its password. */
export function describeDatabase(options: DatabaseOptions): string {
  if (!options.databaseUrl) return `SQLite at ${options.sqliteFile}`;
  try {
    const url = new URL(options.databaseUrl);
    if (url.password) url.password = '***';
    return `PostgreSQL at ${url.toString()}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL)';
  }
}
