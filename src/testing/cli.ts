#!/usr/bin/env node
// The `express-wx-login` command: `express-wx-login emulator` runs the WeChat API emulator as a
// dev server, with /dev routes that mint login codes, phone codes and open data.

import { parseArgs } from 'node:util';
import { startWeChatEmulator } from './emulator/emulator.js';

const USAGE = `Usage: express-wx-login emulator [options]

Runs a local stand-in for api.weixin.qq.com (and open.weixin.qq.com's OAuth pages), for
developing a backend offline. Point wxLogin({ apiBaseUrl }) at the URL it prints.

Options:
  --port <n>           port to listen on (default 3999; 0 for a free one)
  --host <addr>        address to listen on (default 127.0.0.1)
  --app-id <id>        the mini program's appId (default wx_emulator_app00)
  --app-secret <s>     its appSecret (default emulator_secret_0123456789abcdef)
  -h, --help           this text
`;

function fail(message: string): never {
  process.stderr.write(`express-wx-login: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string', default: '3999' },
        host: { type: 'string', default: '127.0.0.1' },
        'app-id': { type: 'string' },
        'app-secret': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** What to do next, printed once the emulator listens. */
function banner(url: string, appId: string, appSecret: string): string {
  const json = "-H 'content-type: application/json'";
  return `WeChat API emulator listening on ${url}

Point your backend at it:
  wxLogin({
    appId: '${appId}',
    appSecret: '${appSecret}',
    apiBaseUrl: '${url}',
    tokenSecret: process.env.WX_TOKEN_SECRET, // your own, >= 32 bytes
  })

Play the mini program (your backend on http://127.0.0.1:3000 here):
  # 1. wx.login(): a login code for a new user (or send {"openid":"..."} to come back as one)
  curl -s -X POST ${url}/dev/login-code
  # 2. the mini program sends it to your backend
  curl -s -X POST http://127.0.0.1:3000/wx/login ${json} -d '{"code":"<code>"}'
  # 3. the phone-number button: a phone code for that user, for POST /wx/phone
  curl -s -X POST ${url}/dev/phone-code ${json} -d '{"openid":"<openid>"}'
  # 4. open data (wx.getWeRunData() & co.), encrypted with the user's current session_key
  curl -s -X POST ${url}/dev/open-data ${json} -d '{"openid":"<openid>","data":{"stepInfoList":[]}}'

GET ${url}/dev lists the dev routes. Ctrl-C stops the emulator.
`;
}

async function main(): Promise<void> {
  const { values, positionals } = parse(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (positionals[0] !== 'emulator' || positionals.length > 1) {
    fail(positionals.length === 0 ? 'name a command: emulator' : `unknown command: ${positionals.join(' ')}`);
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535) fail(`--port must be 0-65535, not ${values.port}`);
  const appId = values['app-id'];
  const appSecret = values['app-secret'];
  if ((appId === undefined) !== (appSecret === undefined)) fail('give --app-id and --app-secret together');
  if (appId === '' || appSecret === '') fail('--app-id and --app-secret must not be empty');

  const emulator = await startWeChatEmulator({
    port,
    host: values.host,
    devRoutes: true,
    ...(appId && appSecret ? { apps: [{ appId, appSecret }] } : {}),
  }).catch((err: NodeJS.ErrnoException) => {
    const reason = err.code === 'EADDRINUSE' ? `port ${port} is in use (try --port 0)` : err.message;
    process.stderr.write(`express-wx-login: the emulator did not start: ${reason}\n`);
    process.exit(1);
  });
  process.stdout.write(banner(emulator.url, emulator.appId, emulator.appSecret));

  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
