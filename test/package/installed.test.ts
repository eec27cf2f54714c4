// The package as users get it: built and packed (npm pack), installed from the tarball into
// throwaway projects on Express 4 and on Express 5, then imported, required, type-checked, linted.

import { type SpawnOptions, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CJS_MODULES_SCRIPT, CJS_SCRIPT, ESM_SCRIPT, TSCONFIG, TYPED_CJS, TYPED_ESM } from './fixtures.js';

const REPO = resolve(import.meta.dirname, '../..');
const BIN = join(REPO, 'node_modules/.bin');
const EXPRESS_MAJORS = [4, 5] as const;
// tsc, npm install and publint on a loaded two-core machine: minutes, not seconds. A test here
// fails on a hang, never on slowness.
const SLOW = 180_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; npm's own environment variables (set by `npm test`) stay out. */
function run(command: string, args: string[], cwd: string, timeoutMs = SLOW): Promise<Result> {
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

const work = mkdtempSync(join(tmpdir(), 'express-wx-login-installed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let tarball = '';
let packedFiles: string[] = [];

beforeAll(async () => {
  // Build from a copy: `npm run build` cleans dist/, which must not pull the rug from under
  // anything else that runs in the repository meanwhile.
  const pkg = join(work, 'pkg');
  mkdirSync(pkg);
  for (const entry of [
    'package.json',
    'tsconfig.json',
    'tsup.config.ts',
    'README.md',
    'CHANGELOG.md',
    'SECURITY.md',
    'LICENSE',
    'src',
  ]) {
    if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(pkg, entry), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  await ok('npm', ['run', 'build', '--silent'], pkg);
  const packed = await ok('npm', ['pack', '--json', '--pack-destination', work], pkg);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info!.filename);
  packedFiles = info!.files.map((file) => file.path).sort();

  // Both projects install at once: most of the time is the registry's.
  await Promise.all(
    EXPRESS_MAJORS.map(async (major) => {
      const dir = join(work, `express${major}`);
      mkdirSync(dir);
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: `installed-express${major}`, private: true, type: 'module' }, null, 2),
      );
      writeFileSync(join(dir, 'esm.mjs'), ESM_SCRIPT);
      writeFileSync(join(dir, 'cjs.cjs'), CJS_SCRIPT);
      writeFileSync(join(dir, 'cjs-modules.cjs'), CJS_MODULES_SCRIPT);
      writeFileSync(join(dir, 'app.ts'), TYPED_ESM);
      writeFileSync(join(dir, 'app.cts'), TYPED_CJS);
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
          tarball,
          `express@${major}`,
          `@types/express@${major}`,
          '@types/node@20',
          'typescript@~5.9',
        ],
        dir,
      );
    }),
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
    const child = spawn('npx', ['--no-install', 'express-wx-login', 'emulator', '--port', '0'], {
      cwd: join(work, 'express5'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      child.kill('SIGTERM');
    }
  });

  it('passes publint with nothing to report', { timeout: SLOW }, async () => {
    const result = await run(join(BIN, 'publint'), ['run', tarball, '--strict'], work);
    expect(result.stdout + result.stderr).toContain('All good!');
    expect(result.code).toBe(0);
  });

  it('passes Are the Types Wrong with no problem, for every resolution mode', { timeout: SLOW }, async () => {
    const result = await run(join(BIN, 'attw'), [tarball, '--format', 'json'], work);
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
    const result = await ok(process.execPath, [script], dir());
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
      const result = await run(
        process.execPath,
        [join(dir(), 'node_modules/typescript/bin/tsc'), '-p', tsconfig],
        dir(),
      );
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it('loads jose, axios and lru-cache from node_modules in CommonJS, not copies of its own', {
    timeout: SLOW,
  }, async () => {
    const result = await ok(process.execPath, ['cjs-modules.cjs'], dir());
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
