// Every ```ts snippet of README.md, type-checked against the package (src/, through tsconfig's
// paths) as the reader would paste it; the ones marked runnable are also run, and no async route
// may lack the `next` that keeps Express 4 from crashing on a rejected promise.
//
// Conventions, as HTML comments on the lines right above a ```ts fence (invisible on GitHub/npm):
//   <!-- snippet: run -->           also run it: with vitest when it imports 'vitest' (its tests
//                                   must pass), else with tsx (it must exit 0)
//   <!-- snippet-context: …TS… -->  declarations prepended to this snippet only (may span lines),
//                                   for names the text around it introduces
// A snippet whose first line is `// name.ts` is the file name.ts: the others import it as './name'.
// Every snippet may also use README_CONTEXT below: the Quick start's `app` and `options`, the
// reader's `users` and `logger`, and the parts of NestJS that its section uses.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const README = join(REPO, 'README.md');
/** Where the snippets live for the compiler (virtual files) and, when run, on disk (git-ignored). */
const VIRTUAL_DIR = join(REPO, 'test/docs/__readme__');
const RUN_DIR = join(REPO, 'test-results/readme-snippets');

/** Names any snippet may use; a global script, so that a snippet's own declarations shadow them. */
const README_CONTEXT = `
/** The Express app of the Quick start, which later snippets add to. */
declare var app: import('express').Express;
/** The wxLogin() options of the Quick start. */
declare var options: import('express-wx-login').WxLoginOptions;
/** The reader's own user table. */
declare var users: {
  upsert(openid: string, unionid?: string): Promise<number>;
  setPhone(openid: string, purePhoneNumber: string): Promise<void>;
};
/** The reader's pino-style logger. */
declare var logger: Record<'debug' | 'info' | 'warn' | 'error', (obj: object, msg?: string) => void>;

// The NestJS section: the few parts of Nest its snippets use (Nest is not installed here).
declare module '@nestjs/core' {
  export const NestFactory: { create<T>(module: unknown): Promise<T> };
}
declare module '@nestjs/platform-express' {
  export interface NestExpressApplication {
    use(...handlers: unknown[]): this;
    listen(port: number): Promise<unknown>;
  }
}
declare module '@nestjs/common' {
  export interface ExecutionContext {
    switchToHttp(): { getRequest<T>(): T; getResponse<T>(): T };
  }
  export interface CanActivate {
    canActivate(context: ExecutionContext): boolean | Promise<boolean>;
  }
  export function Injectable(): ClassDecorator;
  export function Controller(prefix?: string): ClassDecorator;
  export function Get(path?: string): MethodDecorator;
  export function UseGuards(...guards: unknown[]): MethodDecorator & ClassDecorator;
  export function Req(): ParameterDecorator;
}
`;
/** The NestJS section's `import { AppModule } from './app.module'`. */
const APP_MODULE = 'export class AppModule {}\n';

interface Snippet {
  /** The line of README.md where the code starts (after the fence). */
  line: number;
  /** Its file name: `// name.ts` on its first line, else snippet-<line>.ts. */
  file: string;
  code: string;
  context: string;
  run: boolean;
}

/** The ```ts snippets of a Markdown text, with the HTML comments right above each. */
function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const end = lines.indexOf('```', i + 1);
    if (end === -1) throw new Error(`README.md:${i + 1}: a \`\`\`ts fence that never closes`);
    const code = lines.slice(i + 1, end).join('\n');
    // The comments right above the fence (blank lines between them allowed).
    let above = '';
    for (let j = i - 1; j >= 0; j--) {
      if (lines[j]!.trim() === '') continue;
      if (!lines[j]!.trimEnd().endsWith('-->')) break;
      let start = j;
      while (start > 0 && !lines[start]!.includes('<!--')) start--;
      above = `${lines.slice(start, j + 1).join('\n')}\n${above}`;
      j = start;
    }
    const context = [...above.matchAll(/<!--\s*snippet-context:([\s\S]*?)-->/g)].map((m) => m[1]!.trim());
    const named = /^\/\/ ([\w.-]+\.ts)\s*$/.exec(code.split('\n')[0] ?? '');
    snippets.push({
      line: i + 2,
      file: named ? named[1]! : `snippet-${i + 2}.ts`,
      code,
      context: context.join('\n'),
      run: /<!--\s*snippet:\s*run\s*-->/.test(above),
    });
    i = end;
  }
  return snippets;
}

/** The compiler's complaints about each snippet, as `README.md:line: message`. */
function typeCheck(snippets: Snippet[]): Map<Snippet, string[]> {
  const parsed = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(REPO, 'tsconfig.json'), ts.sys.readFile).config,
    ts.sys,
    REPO,
  );
  const options: ts.CompilerOptions = {
    ...parsed.options,
    // As in a reader's project: extensionless relative imports, top-level await, decorators (Nest),
    // and every snippet a module of its own. Unused names are fine in an excerpt.
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    experimentalDecorators: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    noEmit: true,
  };
  const virtual = new Map<string, string>([
    [join(VIRTUAL_DIR, 'readme-context.d.ts'), README_CONTEXT],
    [join(VIRTUAL_DIR, 'app.module.ts'), APP_MODULE],
  ]);
  const offsets = new Map<string, { snippet: Snippet; shift: number }>();
  for (const snippet of snippets) {
    const path = join(VIRTUAL_DIR, snippet.file);
    if (virtual.has(path))
      throw new Error(`README.md:${snippet.line}: a second snippet named ${snippet.file}`);
    const prelude = snippet.context ? `${snippet.context}\n` : '';
    virtual.set(path, prelude + snippet.code);
    offsets.set(path, { snippet, shift: prelude.split('\n').length - 1 });
  }
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.directoryExists = (dir) =>
    dir === VIRTUAL_DIR || (directoryExists?.call(host, dir) ?? ts.sys.directoryExists(dir));
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError) => {
    const text = virtual.get(file);
    return text === undefined
      ? getSourceFile.call(host, file, language, onError)
      : ts.createSourceFile(file, text, language, true);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const found = new Map<Snippet, string[]>(snippets.map((s) => [s, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const at = diagnostic.file && offsets.get(diagnostic.file.fileName);
    if (!at || diagnostic.start === undefined) {
      // A problem of the context itself (or global): every snippet shares it.
      for (const list of found.values()) list.push(`(context) ${message}`);
      continue;
    }
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
    found.get(at.snippet)!.push(`README.md:${at.snippet.line + line - at.shift}: ${message}`);
  }
  return found;
}

/** Runs a file to its end; resolves with its exit code and output. */
function run(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

const snippets = extractSnippets(readFileSync(README, 'utf8'));
let diagnostics = new Map<Snippet, string[]>();

beforeAll(() => {
  diagnostics = typeCheck(snippets);
}, 180_000);

describe('README.md TypeScript snippets', () => {
  it('are there to check, and some of them run', () => {
    expect(snippets.length).toBeGreaterThan(10);
    expect(snippets.some((s) => s.run)).toBe(true);
  });

  it.each(snippets.map((s) => [`${s.file} (README.md:${s.line})`, s] as const))(
    '%s compiles as written',
    (_name, snippet) => {
      expect(diagnostics.get(snippet)).toEqual([]);
    },
  );

  it.each(snippets.map((s) => [`${s.file} (README.md:${s.line})`, s] as const))(
    '%s has no async route without next (Express 4 does not catch a rejected promise)',
    (_name, snippet) => {
      // An async (req, res) handler that throws takes an Express 4 process down: take `next`,
      // catch, and pass the error on.
      const unsafe = [...snippet.code.matchAll(/async\s*\(\s*_?req\b[^,)]*,\s*_?res\b[^,)]*\)\s*=>/g)];
      expect(unsafe.map((m) => m[0])).toEqual([]);
      for (const handler of snippet.code.matchAll(/async\s*\(\s*_?req\b[^)]*,\s*next\b[^)]*\)\s*=>/g)) {
        const body = snippet.code.slice(handler.index);
        expect(body, `${handler[0]} catches and calls next(err)`).toMatch(
          /catch\s*\(\s*(\w+)\s*\)\s*\{[^}]*next\(\1\)/,
        );
      }
    },
  );

  const runnable = snippets.filter((s) => s.run);
  it.each(runnable.map((s) => [`${s.file} (README.md:${s.line})`, s] as const))(
    '%s runs',
    { timeout: 180_000 },
    async (_name, snippet) => {
      const dir = join(RUN_DIR, `line-${snippet.line}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      try {
        const body = `${snippet.context}\n${snippet.code}\n`;
        if (/from 'vitest'/.test(snippet.code)) {
          writeFileSync(join(dir, 'snippet.test.ts'), body);
          writeFileSync(
            join(dir, 'vitest.config.mjs'),
            `export default { resolve: { alias: {
    'express-wx-login/testing': ${JSON.stringify(join(REPO, 'src/testing/index.ts'))},
    'express-wx-login': ${JSON.stringify(join(REPO, 'src/index.ts'))} } },
    test: { include: ['snippet.test.ts'], testTimeout: 60000 } };\n`,
          );
          const result = await run(
            [
              join(REPO, 'node_modules/vitest/vitest.mjs'),
              'run',
              '--root',
              dir,
              '--config',
              join(dir, 'vitest.config.mjs'),
            ],
            170_000,
          );
          expect(result.output).toMatch(/Tests\s+\d+ passed \(\d+\)/);
          expect(result.code, result.output).toBe(0);
        } else {
          writeFileSync(join(dir, 'snippet.ts'), body);
          const result = await run(['--import', 'tsx', join(dir, 'snippet.ts')], 170_000);
          expect(result.code, result.output).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('the snippet reader', () => {
  it('takes the comments right above a fence, names files, and counts lines', () => {
    const markdown = [
      'text',
      '<!-- snippet: run -->',
      '<!-- snippet-context:',
      'declare const a: number;',
      '-->',
      '',
      '```ts',
      '// main.ts',
      'a + 1;',
      '```',
      '```js',
      'not: ts',
      '```',
      '```ts',
      'const b = 2;',
      '```',
    ].join('\n');
    expect(extractSnippets(markdown)).toEqual([
      {
        line: 8,
        file: 'main.ts',
        code: '// main.ts\na + 1;',
        context: 'declare const a: number;',
        run: true,
      },
      { line: 15, file: 'snippet-15.ts', code: 'const b = 2;', context: '', run: false },
    ]);
  });
});
