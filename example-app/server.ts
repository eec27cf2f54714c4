// `npm run example`: starts the example backend and says where to go and what it talks to. With
// no WeChat credentials in the environment it runs on the built-in emulator: no account needed.

import type { WxLogger } from 'express-wx-login';
import { startExample } from './app.js';
import { configFromEnv } from './config.js';
import { describeDatabase } from './db/index.js';

// Warnings and errors of the package (a misconfiguration, WeChat refusing our appSecret) on stderr.
const logger: WxLogger = {
  warn: (obj, msg) => process.stderr.write(`warn  ${msg ?? ''} ${JSON.stringify(obj)}\n`),
  error: (obj, msg) => process.stderr.write(`error ${msg ?? ''} ${JSON.stringify(obj)}\n`),
};

let config: ReturnType<typeof configFromEnv>;
try {
  config = configFromEnv(process.env);
} catch (err) {
  process.stderr.write(`example: ${(err as Error).message}\n`);
  process.exit(1);
}

// A port in use or a database that does not answer: one line for a person, not a stack.
const example = await startExample({ ...config, logger }).catch((err: Error) => {
  process.stderr.write(`example: could not start: ${err.message}\n`);
  process.exit(1);
});
const base = example.url;
const json = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8"))`;

process.stdout.write(
  [
    `express-wx-login example listening on ${base}`,
    '',
    `  playground    ${base}/  (open it in a browser)`,
    example.emulator
      ? `  WeChat API    the built-in emulator at ${example.emulator.url} (app ${example.appId}; no WeChat account needed)`
      : `  WeChat API    https://api.weixin.qq.com for app ${example.appId}`,
    `  database      ${describeDatabase(config)}`,
    `  mini program  example-app/miniprogram (WeChat DevTools; API base ${base})`,
    '',
    ...(example.emulator
      ? [
          'Try it with curl:',
          `  CODE=$(curl -s -X POST ${base}/dev/login-code | ${json}.code')`,
          `  TOKEN=$(curl -s -X POST ${base}/wx/login -H 'Content-Type: application/json' -d "{\\"code\\":\\"$CODE\\"}" | ${json}.token')`,
          `  curl -s ${base}/me -H "Authorization: Bearer $TOKEN"`,
        ]
      : ['The /dev routes and the playground need the emulator: unset WX_APP_ID to use them.']),
    '',
  ].join('\n'),
);

// Ctrl-C (and a test's SIGTERM) closes the server, the emulator and the database cleanly.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    example.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
