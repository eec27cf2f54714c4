// The example's settings, read once from the environment: which WeChat it talks to (the built-in
// emulator unless WX_APP_ID and WX_APP_SECRET are set), which database, where it listens.

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export interface ExampleConfig {
  /** Real WeChat credentials; absent means: start the built-in emulator. */
  wechat?: { appId: string; appSecret: string } | undefined;
  /** At least 32 bytes. */
  tokenSecret: string;
  databaseUrl?: string | undefined;
  sqliteFile: string;
  host: string;
  port: number;
}

const DEFAULT_SQLITE_FILE = fileURLToPath(new URL('./data/example.db', import.meta.url));

/**
 * Reads the configuration from `env`; throws a message meant for a person at a terminal.
 *
 * @example
 * const config = configFromEnv(process.env);
 */
export function configFromEnv(env: NodeJS.ProcessEnv): ExampleConfig {
  const appId = env.WX_APP_ID?.trim();
  const appSecret = env.WX_APP_SECRET?.trim();
  if (Boolean(appId) !== Boolean(appSecret)) {
    throw new Error('set both WX_APP_ID and WX_APP_SECRET to talk to WeChat, or neither to use the emulator');
  }
  const wechat = appId && appSecret ? { appId, appSecret } : undefined;
  // Against the emulator a fresh random secret per run is right: sessions live in memory anyway.
  // Against WeChat, tokens must survive a restart, so the secret has to come from outside.
  const tokenSecret = env.WX_TOKEN_SECRET ?? (wechat ? undefined : randomBytes(32).toString('base64url'));
  if (!tokenSecret) {
    throw new Error(
      'WX_TOKEN_SECRET is required with WX_APP_ID (at least 32 bytes: `openssl rand -base64 48`)',
    );
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT ${env.PORT} is not a port number`);
  return {
    wechat,
    tokenSecret,
    databaseUrl: env.DATABASE_URL || undefined,
    sqliteFile: env.SQLITE_FILE || DEFAULT_SQLITE_FILE,
    host: env.HOST || '127.0.0.1',
    port,
  };
}
