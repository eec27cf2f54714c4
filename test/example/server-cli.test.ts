// `npm run example` as a person runs it: example-app/server.ts in its own process (tsx), what it
// prints, that it serves, that it stops on SIGTERM; and that it refuses a half WeChat setup.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { type CliRun, listeningUrl, runTsx } from '../helpers/cli-process.js';
import { postgresReady } from '../helpers/services/index.js';

// The run's PostgreSQL (test/helpers/services): TEST_DATABASE_URL, or PGlite on loopback.
const POSTGRES_URL = await postgresReady();

const dir = mkdtempSync(join(tmpdir(), 'example-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** example-app/server.ts with `env` over the parent's, none of the parent's WeChat or database settings. */
function runServer(env: Record<string, string>): CliRun {
  const {
    WX_APP_ID: _a,
    WX_APP_SECRET: _s,
    WX_TOKEN_SECRET: _t,
    DATABASE_URL: _d,
    ...inherited
  } = process.env;
  return runTsx('example-app/server.ts', [], {
    ...inherited,
    PORT: '0',
    SQLITE_FILE: join(dir, 'cli.db'),
    ...env,
  });
}

describe('npm run example', () => {
  it('prints where to go and what it talks to, serves, and stops on SIGTERM', async () => {
    const server = runServer({});
    const url = await listeningUrl(server, 'curl -s', 20_000);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const out = server.stdout();
    expect(out).toContain(`playground    ${url}/`);
    expect(out).toMatch(
      /WeChat API {4}the built-in emulator at http:\/\/127\.0\.0\.1:\d+ \(app wx_emulator_app00; no WeChat account needed\)/,
    );
    expect(out).toContain(`database      SQLite at ${join(dir, 'cli.db')}`);
    expect(out).toContain(`curl -s -X POST ${url}/dev/login-code`);

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const info = await (await fetch(`${url}/info`)).json();
    expect(info).toMatchObject({ mode: 'emulator', database: 'sqlite' });

    server.stop();
    expect(await server.exited).toBe(0);
  });

  it('refuses WeChat credentials without a token secret, saying which variable to set', async () => {
    const server = runServer({ WX_APP_ID: 'wx0123456789abcdef', WX_APP_SECRET: 'some-secret-value' });
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('WX_TOKEN_SECRET is required');
    expect(server.stderr()).not.toContain('some-secret-value');
  });

  it('names PostgreSQL without its password', async () => {
    // A schema of its own (through search_path), so that the run leaves no table behind.
    const schema = `example_cli_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    onTestFinished(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    });
    const url = new URL(POSTGRES_URL);
    url.password = 'hunter2-password'; // trust auth ignores it; the banner must not print it
    url.searchParams.set('options', `-c search_path=${schema}`);
    const server = runServer({ DATABASE_URL: url.toString() });
    await listeningUrl(server, 'curl -s', 20_000);
    expect(server.stdout()).toMatch(/database {6}PostgreSQL at postgres:\/\/\w+:\*\*\*@/);
    expect(server.stdout()).not.toContain('hunter2');
    server.stop();
    expect(await server.exited).toBe(0);
  });
});
