// The files of the throwaway user projects that install the packed package: an ESM script, a
// CommonJS script (each does a real login through the emulator), and TypeScript for tsc.

/** The login both scripts do, given how they got the package's exports. */
const LOGIN_BODY = `
const emulator = await startWeChatEmulator();
const app = express();
app.use(express.json());
app.use(wxLogin({ appId: emulator.appId, appSecret: emulator.appSecret, apiBaseUrl: emulator.url,
  tokenSecret: 'installed-test-token-secret-0123456789abcdef' }));
app.get('/me', requireWxSession(), (req, res) => res.json(req.wxUser));
app.use(wxErrorHandler());
const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
const base = 'http://127.0.0.1:' + server.address().port;
const user = emulator.createUser();
const login = await fetch(base + '/wx/login', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ code: emulator.issueLoginCode(user.openid) }) });
const { token } = await login.json();
const me = await fetch(base + '/me', { headers: { authorization: 'Bearer ' + token } });
const meBody = await me.json();
const anonymous = await fetch(base + '/me');
server.close();
await emulator.close();
console.log(JSON.stringify({
  express: expressVersion,
  exports: Object.keys(main).sort(),
  testingExports: Object.keys(testing).sort(),
  loginStatus: login.status,
  meStatus: me.status,
  sameOpenid: meBody.openid === user.openid,
  anonymousStatus: anonymous.status,
}));
`;

export const ESM_SCRIPT = `// Imports the installed package the ESM way and logs in through its emulator.
import express from 'express';
import * as main from 'express-wx-login';
import { requireWxSession, wxErrorHandler, wxLogin } from 'express-wx-login';
import * as testing from 'express-wx-login/testing';
import { startWeChatEmulator } from 'express-wx-login/testing';
import { createRequire } from 'node:module';
const expressVersion = createRequire(import.meta.url)('express/package.json').version;
${LOGIN_BODY}`;

export const CJS_SCRIPT = `// Requires the installed package the CommonJS way and logs in through its emulator.
const express = require('express');
const main = require('express-wx-login');
const { requireWxSession, wxErrorHandler, wxLogin } = main;
const testing = require('express-wx-login/testing');
const { startWeChatEmulator } = testing;
const expressVersion = require('express/package.json').version;
(async () => {
${LOGIN_BODY}
})().catch((err) => { console.error(err); process.exit(1); });
`;

/** Requires the CommonJS entry and lists the files it loaded, dependencies included. */
export const CJS_MODULES_SCRIPT = `// Which files require('express-wx-login') loads: its dependencies must come from node_modules.
require('express-wx-login');
console.log(JSON.stringify(Object.keys(require.cache)));
`;

/** Uses req.wxUser in a route: compiles only if the declaration merging reached Express's Request. */
const TYPED_BODY = `
const options: WxLoginOptions = { appId: 'wx123', appSecret: 'secret', tokenSecret: 'x'.repeat(32) };
const app = express();
app.use(express.json());
app.use(wxLogin(options));
app.get('/me', requireWxSession(), (req, res) => {
  const openid: string = req.wxUser!.openid;
  const expiresAt: number = req.wxUser!.expiresAt;
  // @ts-expect-error the session_key is not a property of req.wxUser
  void req.wxUser!.sessionKey;
  // @ts-expect-error openid is a string (this line proves req.wxUser is not \`any\`)
  const wrong: number = req.wxUser!.openid;
  res.json({ openid, expiresAt, wrong });
});
app.use(wxErrorHandler());

export async function emulate(): Promise<string> {
  const emulator: WeChatEmulator = await startWeChatEmulator();
  const code: string = emulator.issueLoginCode();
  await emulator.close();
  return code;
}

export function codeOf(err: unknown): string | undefined {
  return err instanceof WxLoginError ? err.code : undefined;
}
`;

const TYPED_IMPORTS = `import express from 'express';
import { requireWxSession, wxErrorHandler, WxLoginError, type WxLoginOptions, wxLogin } from 'express-wx-login';
import { startWeChatEmulator, type WeChatEmulator } from 'express-wx-login/testing';
`;

/** ESM TypeScript: resolves the package's `import` types (.d.ts). */
export const TYPED_ESM = `// Type-checked with tsc against the ESM declarations.\n${TYPED_IMPORTS}${TYPED_BODY}`;
/** CommonJS TypeScript: resolves the package's `require` types (.d.cts). */
export const TYPED_CJS = `// Type-checked with tsc against the CommonJS declarations.\n${TYPED_IMPORTS}${TYPED_BODY}`;

/**
 * One project per module system, as users have them. (Both in one program, with skipLibCheck off,
 * trips over the two declarations of req.wxUser: see the lead's notes on src/express.)
 */
const TSCONFIG = (file: 'app.ts' | 'app.cts') => ({
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

/** The two tsconfig files of a project, by name: one for app.ts (ESM), one for app.cts (CommonJS). */
export const TSCONFIG_FILES = {
  'tsconfig.esm.json': JSON.stringify(TSCONFIG('app.ts'), null, 2),
  'tsconfig.cjs.json': JSON.stringify(TSCONFIG('app.cts'), null, 2),
};
