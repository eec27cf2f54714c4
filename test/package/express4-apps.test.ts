// The packed package next to the real Express 4 (whose `express` brings body-parser 1): a JSON login
// with only urlencoded() mounted, a throwing async route behind wxAsync(), and the types apps
// write: req.wxUser.user from a WxLoginTypes augmentation and decrypt<T>(), under tsc, for ESM
// (.d.ts) and CommonJS (.d.cts).

import { type SpawnOptions, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');

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

const TSCONFIG = (file: string) => ({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    skipLibCheck: false,
    types: ['node'],
  },
  files: [file],
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; npm's own environment variables (set by `npm test`) stay out. */
// Generous: on a busy two-core machine a build or an install can take minutes.
function run(command: string, args: string[], cwd: string, timeoutMs = 600_000): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const options: SpawnOptions = { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] };
  return new Promise((done, fail) => {
    const child = spawn(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${command} ${args.join(' ')} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<Result> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

const work = mkdtempSync(join(tmpdir(), 'express-wx-login-express4-'));
const dir = join(work, 'express4-app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  // Built from a copy, so that cleaning dist/ disturbs nothing else running in the repository.
  const pkg = join(work, 'pkg');
  mkdirSync(pkg);
  for (const entry of ['package.json', 'tsconfig.json', 'tsup.config.ts', 'README.md', 'LICENSE', 'src']) {
    if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(pkg, entry), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  await ok('npm', ['run', 'build', '--silent'], pkg);
  const packed = await ok('npm', ['pack', '--json', '--pack-destination', work], pkg);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;

  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'express4-app', private: true, type: 'module' }, null, 2),
  );
  writeFileSync(join(dir, 'run.mjs'), ESM_RUN);
  writeFileSync(join(dir, 'run.cjs'), CJS_RUN);
  writeFileSync(join(dir, 'app.ts'), `// ESM: resolves the package's .d.ts.\n${TYPED}`);
  writeFileSync(join(dir, 'app.cts'), `// CommonJS: resolves the package's .d.cts.\n${TYPED}`);
  writeFileSync(join(dir, 'tsconfig.esm.json'), JSON.stringify(TSCONFIG('app.ts'), null, 2));
  writeFileSync(join(dir, 'tsconfig.cjs.json'), JSON.stringify(TSCONFIG('app.cts'), null, 2));
  await ok(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      join(work, info!.filename),
      'express@4',
      '@types/express@4',
      '@types/node@20',
      'typescript@~5.9',
    ],
    dir,
  );
}, 1_500_000);

describe('installed next to the real Express 4', () => {
  it.each([
    ['ESM (import)', 'run.mjs'],
    ['CommonJS (require)', 'run.cjs'],
  ])(
    '%s: JSON login with only urlencoded() mounted; a throwing async route behind wxAsync() is JSON',
    async (_name, script) => {
      const result = await ok(process.execPath, [script], dir);
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
      const result = await run(
        process.execPath,
        [join(dir, 'node_modules/typescript/bin/tsc'), '-p', tsconfig],
        dir,
      );
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
    600_000,
  );
});
