// The package as users get it: built and packed (npm pack), installed from the tarball into
// throwaway projects on Express 4 and on Express 5, then imported, required, type-checked, linted.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAndPack, installProject, ok, run, tsc, workFolder } from '../helpers/packed-package.js';
import {
  CJS_MODULES_SCRIPT,
  CJS_SCRIPT,
  ESM_SCRIPT,
  TSCONFIG_FILES,
  TYPED_CJS,
  TYPED_ESM,
} from './fixtures.js';

const BIN = join(resolve(import.meta.dirname, '../..'), 'node_modules/.bin');
const EXPRESS_MAJORS = [4, 5] as const;
// tsc, npm install and publint on a loaded two-core machine: minutes, not seconds. A test here
// fails on a hang, never on slowness.
const SLOW = 180_000;

const work = workFolder('express-wx-login-installed-');
let tarball = '';
let packedFiles: string[] = [];

beforeAll(async () => {
  ({ tarball, files: packedFiles } = await buildAndPack(work, SLOW));
  // Both projects install at once: most of the time is the registry's.
  await Promise.all(
    EXPRESS_MAJORS.map((major) =>
      installProject(
        join(work, `express${major}`),
        {
          name: `installed-express${major}`,
          files: {
            'esm.mjs': ESM_SCRIPT,
            'cjs.cjs': CJS_SCRIPT,
            'cjs-modules.cjs': CJS_MODULES_SCRIPT,
            'app.ts': TYPED_ESM,
            'app.cts': TYPED_CJS,
            ...TSCONFIG_FILES,
          },
          tarball,
          packages: [`express@${major}`, `@types/express@${major}`, '@types/node@20', 'typescript@~5.9'],
        },
        SLOW,
      ),
    ),
  );
}, 600_000);

describe('the packed package', () => {
  it('holds the build, the docs, the emulator guide and the CLI, and nothing else', () => {
    expect(packedFiles.filter((file) => !file.startsWith('dist/'))).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'SECURITY.md',
      'package.json',
    ]);
    expect(
      packedFiles.filter((file) => file.startsWith('dist/') && !/\.(c?js|d\.c?ts|c?js\.map)$/.test(file)),
    ).toEqual(['dist/testing/README.md']);
    for (const file of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/testing/index.js',
      'dist/testing/index.cjs',
      'dist/testing/index.d.ts',
      'dist/testing/index.d.cts',
      'dist/cli.js',
    ]) {
      expect(packedFiles).toContain(file);
    }
  });

  it('bundles no dependency: every import of the build is a Node built-in, a dependency or a peer', () => {
    const manifest = JSON.parse(
      readFileSync(join(work, 'express5/node_modules/express-wx-login/package.json'), 'utf8'),
    );
    const allowed = new Set([
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const dist = join(work, 'express5/node_modules/express-wx-login');
    const imported = new Set<string>();
    for (const file of packedFiles.filter((f) => /^dist\/.*\.c?js$/.test(f))) {
      const code = readFileSync(join(dist, file), 'utf8');
      for (const [, spec] of code.matchAll(/(?:require\(|from\s*|import\()\s*["']([^"'./][^"']*)["']/g)) {
        imported.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
      }
      // Telltales of the dependencies' own code, were a bundler to inline them.
      expect(code, file).not.toMatch(/class JOSEError|class LRUCache|class AxiosError|function AxiosError/);
    }
    const outside = [...imported].filter(
      (name) => !allowed.has(name) && !builtinModules.includes(name.replace(/^node:/, '')),
    );
    expect(outside).toEqual([]);
    expect([...imported].filter((name) => allowed.has(name)).sort()).toEqual([
      'axios',
      'express',
      'http-proxy-agent',
      'https-proxy-agent',
      'jose',
      'lru-cache',
    ]);
  });

  it('runs `npx express-wx-login emulator`: a code minted on /dev/login-code passes code2Session', {
    timeout: SLOW,
  }, async () => {
    // Its own process group: npx runs the emulator in a child that a signal to npx alone leaves
    // running after the test run (seen: one orphaned emulator per run).
    const child = spawn('npx', ['--no-install', 'express-wx-login', 'emulator', '--port', '0'], {
      cwd: join(work, 'express5'),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      let out = '';
      child.stdout?.on('data', (chunk) => {
        out += String(chunk);
      });
      await expect.poll(() => out, { timeout: SLOW - 10_000, interval: 200 }).toContain('Ctrl-C stops');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      expect(out).toContain(`apiBaseUrl: '${url}'`);
      const { code, openid } = (await (await fetch(`${url}/dev/login-code`, { method: 'POST' })).json()) as {
        code: string;
        openid: string;
      };
      const query = new URLSearchParams({
        appid: 'wx_emulator_app00',
        secret: 'emulator_secret_0123456789abcdef',
        js_code: code,
        grant_type: 'authorization_code',
      });
      expect(await (await fetch(`${url}/sns/jscode2session?${query}`)).json()).toMatchObject({ openid });
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });

  it('passes publint with nothing to report', { timeout: SLOW }, async () => {
    const result = await run(join(BIN, 'publint'), ['run', tarball, '--strict'], work, SLOW);
    expect(result.stdout + result.stderr).toContain('All good!');
    expect(result.code).toBe(0);
  });

  it('passes Are the Types Wrong with no problem, for every resolution mode', { timeout: SLOW }, async () => {
    const result = await run(join(BIN, 'attw'), [tarball, '--format', 'json'], work, SLOW);
    const report = JSON.parse(result.stdout) as {
      problems: Record<string, unknown> | unknown[];
      analysis: { entrypoints: object };
    };
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(['.', './package.json', './testing']);
    expect(report.problems).toSatisfy((problems: object) => Object.keys(problems).length === 0);
    expect(result.code).toBe(0);
  });
});

describe.each(EXPRESS_MAJORS)('installed next to Express %i', (major) => {
  const dir = () => join(work, `express${major}`);

  interface ScriptOutput {
    express: string;
    exports: string[];
    testingExports: string[];
    loginStatus: number;
    meStatus: number;
    sameOpenid: boolean;
    anonymousStatus: number;
  }

  it.each([
    ['ESM (import)', 'esm.mjs'],
    ['CommonJS (require)', 'cjs.cjs'],
  ])('loads from %s and logs in through the emulator', { timeout: SLOW }, async (_name, script) => {
    const result = await ok(process.execPath, [script], dir(), SLOW);
    // No warning either (require(esm) of jose is stable on Node >= 20.19).
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as ScriptOutput;
    expect(output.express.split('.')[0]).toBe(String(major));
    expect(output.exports).toEqual(
      expect.arrayContaining([
        'wxLogin',
        'requireWxSession',
        'wxErrorHandler',
        'MemoryStore',
        'RedisStore',
        'WxLoginError',
        'decryptData',
      ]),
    );
    expect(output.testingExports).toEqual(expect.arrayContaining(['startWeChatEmulator', 'WeChatEmulator']));
    expect(output).toMatchObject({ loginStatus: 200, meStatus: 200, sameOpenid: true, anonymousStatus: 401 });
  });

  it.each([
    ['ESM', 'tsconfig.esm.json'],
    ['CommonJS', 'tsconfig.cjs.json'],
  ])(
    'type-checks req.wxUser (declaration merging) from %s TypeScript',
    { timeout: SLOW },
    async (_name, tsconfig) => {
      // app.ts and app.cts hold @ts-expect-error lines: reading req.wxUser.sessionKey, and openid
      // as a number. Were req.wxUser missing or `any`, those directives would be errors themselves.
      const result = await tsc(dir(), tsconfig, SLOW);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it('loads jose, axios and lru-cache from node_modules in CommonJS, not copies of its own', {
    timeout: SLOW,
  }, async () => {
    const result = await ok(process.execPath, ['cjs-modules.cjs'], dir(), SLOW);
    const loaded = JSON.parse(result.stdout.trim()) as string[];
    const modules = join(dir(), 'node_modules');
    for (const name of ['jose', 'axios', 'lru-cache']) {
      expect(
        loaded.some((file) => file.startsWith(join(modules, name, '/'))),
        `${name} in ${loaded.join(', ')}`,
      ).toBe(true);
    }
    expect(loaded.filter((file) => file.startsWith(join(modules, 'express-wx-login', '/')))).toEqual([
      join(modules, 'express-wx-login/dist/index.cjs'),
    ]);
  });
});
