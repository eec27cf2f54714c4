// `express-wx-login emulator` (src/testing/cli.ts) as a person runs it, in its own process: what it
// prints, that its /dev route mints a code that code2Session takes, its options, its refusals.

import { describe, expect, it } from 'vitest';
import { type CliRun, listeningUrl, runTsx } from '../helpers/cli-process.js';

const cli = (args: string[]): CliRun => runTsx('src/testing/cli.ts', args);

/** Waits for the banner; returns the URL it names. */
const listening = (run: CliRun): Promise<string> => listeningUrl(run, 'Ctrl-C stops');

describe('express-wx-login emulator', () => {
  it('prints the apiBaseUrl and a walk-through, mints codes that code2Session takes, stops on SIGTERM', async () => {
    const run = cli(['emulator', '--port', '0']);
    const url = await listening(run);
    const out = run.stdout();
    expect(out).toContain(`apiBaseUrl: '${url}'`);
    expect(out).toContain("appId: 'wx_emulator_app00'");
    expect(out).toContain("appSecret: 'emulator_secret_0123456789abcdef'");
    expect(out).toContain(`curl -s -X POST ${url}/dev/login-code`);
    expect(out).toContain(`curl -s -X POST http://127.0.0.1:3000/wx/login`);
    expect(out).toContain(`curl -s -X POST ${url}/dev/phone-code`);
    expect(out).toContain(`curl -s -X POST ${url}/dev/open-data`);

    const minted = (await (await fetch(`${url}/dev/login-code`, { method: 'POST' })).json()) as {
      code: string;
      openid: string;
    };
    const query = new URLSearchParams({
      appid: 'wx_emulator_app00',
      secret: 'emulator_secret_0123456789abcdef',
      js_code: minted.code,
      grant_type: 'authorization_code',
    });
    const session = await (await fetch(`${url}/sns/jscode2session?${query}`)).json();
    expect(session).toMatchObject({ openid: minted.openid, session_key: expect.any(String) });

    run.stop();
    expect(await run.exited).toBe(0);
  });

  it('serves the app given by --app-id and --app-secret', async () => {
    const run = cli([
      'emulator',
      '--port',
      '0',
      '--app-id',
      'wx_my_app_000001',
      '--app-secret',
      'my-dev-secret',
    ]);
    const url = await listening(run);
    expect(run.stdout()).toContain("appId: 'wx_my_app_000001'");
    const { code } = (await (await fetch(`${url}/dev/login-code`, { method: 'POST' })).json()) as {
      code: string;
    };
    const ok = new URLSearchParams({
      appid: 'wx_my_app_000001',
      secret: 'my-dev-secret',
      js_code: code,
      grant_type: 'authorization_code',
    });
    expect(await (await fetch(`${url}/sns/jscode2session?${ok}`)).json()).toHaveProperty('openid');
    ok.set('appid', 'wx_emulator_app00');
    expect(await (await fetch(`${url}/sns/jscode2session?${ok}`)).json()).toMatchObject({ errcode: 40013 });
  });

  it.each([
    [[], 'name a command: emulator'],
    [['serve'], 'unknown command: serve'],
    [['emulator', '--port', 'abc'], '--port must be 0-65535, not abc'],
    [['emulator', '--app-id', 'wx_only_id'], 'give --app-id and --app-secret together'],
    [['emulator', '--colour'], "Unknown option '--colour'"],
  ])('refuses %j with exit code 2 and the usage', async (args, message) => {
    const run = cli(args);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`express-wx-login: ${message}`);
    expect(run.stderr()).toContain('Usage: express-wx-login emulator');
  });

  it('says so when the port is taken', async () => {
    const first = cli(['emulator', '--port', '0']);
    const port = new URL(await listening(first)).port;
    const second = cli(['emulator', '--port', port]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`the emulator did not start: port ${port} is in use (try --port 0)`);
  });

  it('prints its usage for --help', async () => {
    const run = cli(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('--port <n>');
  });
});
