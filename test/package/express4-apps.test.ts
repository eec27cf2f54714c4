// The packed package next to the real Express 4 (whose `express` brings body-parser 1): a JSON login
// with only urlencoded() mounted, a throwing async route behind wxAsync(), and the types apps
// write: req.wxUser.user from a WxLoginTypes augmentation and decrypt<T>(), under tsc, for ESM
// (.d.ts) and CommonJS (.d.cts).

import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAndPack, installProject, ok, tsc, workFolder } from '../helpers/packed-package.js';
import { TSCONFIG_FILES } from './fixtures.js';

// Generous: on a busy two-core machine a build or an install can take minutes.
const SLOW = 600_000;

/** What both scripts do once they have the package's exports and Express 4. */
const RUN_BODY = `
const emulator = await startWeChatEmulator();
const app = express();
app.use(express.urlencoded({ extended: false })); // the app parses forms only
app.use(wxLogin({ appId: emulator.appId, appSecret: emulator.appSecret, apiBaseUrl: emulator.url,
  tokenSecret: 'installed-test-token-secret-0123456789abcdef',
  onLogin: ({ req }) => ({ invite: req.body.invite ?? null, contentType: req.get('content-type') }) }));
app.post('/werun', requireWxSession(), wxAsync(async (req, res) => {
  res.json(await req.wxUser.decrypt(req.body.encryptedData, req.body.iv));
}));
app.use(wxErrorHandler());
const server = await new Promise((done) => { const s = app.listen(0, '127.0.0.1', () => done(s)); });
const base = 'http://127.0.0.1:' + server.address().port;
const user = emulator.createUser();
const login = await fetch(base + '/wx/login', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ code: emulator.issueLoginCode(user.openid), invite: 'INV-7' }) });
const loginBody = await login.json();
const auth = { authorization: 'Bearer ' + loginBody.token };
const form = (fields) => ({ method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString() });
const bad = await fetch(base + '/werun', form({ encryptedData: 'x', iv: 'y' }));
const badBody = await bad.json();
const good = await fetch(base + '/werun', form(emulator.encrypt(user.openid, { stepInfoList: [{ timestamp: 1, step: 99 }] })));
const goodBody = await good.json();
server.close();
await emulator.close();
console.log(JSON.stringify({
  express: expressVersion,
  bodyParser: bodyParserVersion,
  loginStatus: login.status,
  sameOpenid: loginBody.openid === user.openid,
  user: loginBody.user,
  badStatus: bad.status,
  badCode: badBody.error && badBody.error.code,
  goodStatus: good.status,
  steps: goodBody.stepInfoList,
  code2SessionCalls: emulator.callsTo('jscode2session').length,
}));
`;

const ESM_RUN = `// The installed package, imported, on Express 4.
import express from 'express';
import { requireWxSession, wxAsync, wxErrorHandler, wxLogin } from 'express-wx-login';
import { startWeChatEmulator } from 'express-wx-login/testing';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const expressVersion = require('express/package.json').version;
const bodyParserVersion = createRequire(require.resolve('express'))('body-parser/package.json').version;
${RUN_BODY}`;

const CJS_RUN = `// The installed package, required, on Express 4.
const express = require('express');
const { requireWxSession, wxAsync, wxErrorHandler, wxLogin } = require('express-wx-login');
const { startWeChatEmulator } = require('express-wx-login/testing');
const { createRequire } = require('node:module');
const expressVersion = require('express/package.json').version;
const bodyParserVersion = createRequire(require.resolve('express'))('body-parser/package.json').version;
(async () => {
${RUN_BODY}
})().catch((err) => { console.error(err); process.exit(1); });
`;

/** An app's typings: compiles only if the augmentation and decrypt<T>() reach the published types. */
const TYPED = `import express from 'express';
import { requireWxSession, wxAsync, wxErrorHandler, wxLogin, type WxSessionUser } from 'express-wx-login';

declare module 'express-wx-login' {
  interface WxLoginTypes {
    user: { userId: number; role: 'member' | 'admin' };
  }
}

interface WeRun {
  stepInfoList: Array<{ timestamp: number; step: number }>;
}

const options = { appId: 'wx123', appSecret: 'secret', tokenSecret: 'x'.repeat(32) };
const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(
  wxLogin({
    ...options,
    onLogin: ({ openid, req }) => {
      const invite: string | undefined = req?.get('x-invite');
      return { userId: openid.length + (invite ? 1 : 0), role: 'member' };
    },
  }),
);
// @ts-expect-error onLogin must return WxLoginTypes['user']: userId is a number
wxLogin({ ...options, onLogin: () => ({ userId: 'u-1', role: 'member' }) });

app.get(
  '/me',
  requireWxSession(),
  wxAsync(async (req, res) => {
    const wxUser: WxSessionUser = req.wxUser!;
    const userId: number | undefined = wxUser.user?.userId;
    const role: 'member' | 'admin' | undefined = wxUser.user?.role;
    // @ts-expect-error user.userId is a number (proves req.wxUser.user is typed, not any)
    const wrong: string | undefined = wxUser.user?.userId;
    const data = await wxUser.decrypt<WeRun>(req.body.encryptedData, req.body.iv);
    const steps: number | undefined = data.stepInfoList[0]?.step;
    // @ts-expect-error decrypt<WeRun>() returns a WeRun, which has no nickName
    void data.nickName;
    res.json({ userId, role, wrong, steps });
  }),
);
app.use(wxErrorHandler());
`;

const work = workFolder('express-wx-login-express4-');
const dir = join(work, 'express4-app');

beforeAll(async () => {
  const { tarball } = await buildAndPack(work, SLOW);
  await installProject(
    dir,
    {
      name: 'express4-app',
      files: {
        'run.mjs': ESM_RUN,
        'run.cjs': CJS_RUN,
        'app.ts': `// ESM: resolves the package's .d.ts.\n${TYPED}`,
        'app.cts': `// CommonJS: resolves the package's .d.cts.\n${TYPED}`,
        ...TSCONFIG_FILES,
      },
      tarball,
      packages: ['express@4', '@types/express@4', '@types/node@20', 'typescript@~5.9'],
    },
    SLOW,
  );
}, 1_500_000);

describe('installed next to the real Express 4', () => {
  it.each([
    ['ESM (import)', 'run.mjs'],
    ['CommonJS (require)', 'run.cjs'],
  ])(
    '%s: JSON login with only urlencoded() mounted; a throwing async route behind wxAsync() is JSON',
    async (_name, script) => {
      const result = await ok(process.execPath, [script], dir, SLOW);
      const output = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
      expect(String(output.express).split('.')[0]).toBe('4');
      // Express 4's own parsers: the ones that leave req.body = {} for JSON.
      expect(String(output.bodyParser).split('.')[0]).toBe('1');
      expect(output).toEqual({
        express: output.express,
        bodyParser: output.bodyParser,
        loginStatus: 200,
        sameOpenid: true,
        user: { invite: 'INV-7', contentType: 'application/json' },
        badStatus: 400,
        badCode: 'WX_DATA_INVALID',
        goodStatus: 200,
        steps: [{ timestamp: 1, step: 99 }],
        code2SessionCalls: 1,
      });
      expect(result.stderr).toBe('');
    },
    300_000,
  );

  it.each([
    ['ESM (.d.ts)', 'tsconfig.esm.json'],
    ['CommonJS (.d.cts)', 'tsconfig.cjs.json'],
  ])(
    'types req.wxUser.user from a WxLoginTypes augmentation and decrypt<T>() as T, %s',
    async (_name, tsconfig) => {
      // The @ts-expect-error lines would be errors themselves were user or decrypt() `any` or untyped.
      const result = await tsc(dir, tsconfig, SLOW);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
    600_000,
  );
});
