// The package as users get it, for test/package: built from a copy of the repository, packed with
// `npm pack`, and installed from the tarball into throwaway projects; plus running commands there.

import { type SpawnOptions, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');

/** What the build needs, and what package.json's `files` publishes besides dist/. */
const PACKAGE_ENTRIES = [
  'package.json',
  'tsconfig.json',
  'tsup.config.ts',
  'README.md',
  'CHANGELOG.md',
  'SECURITY.md',
  'LICENSE',
  'src',
];

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end; npm's own environment variables (set by `npm test`) stay out. Past
 * `timeoutMs` the command is killed and the promise fails: a hang, named with what it printed.
 */
export function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Result> {
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

/** `run`, failing unless the command exits 0. */
export async function ok(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Result> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** A folder under the system's temp folder for the tarball and the projects, removed after the file. */
export function workFolder(prefix: string): string {
  const work = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  return work;
}

/**
 * Builds the package and packs it into `work`; resolves with the tarball's path and the packed
 * files (sorted). The build runs on a copy: `npm run build` cleans dist/, which must not pull the
 * rug from under anything else running in the repository meanwhile.
 */
export async function buildAndPack(
  work: string,
  timeoutMs: number,
): Promise<{ tarball: string; files: string[] }> {
  const pkg = join(work, 'pkg');
  mkdirSync(pkg);
  for (const entry of PACKAGE_ENTRIES) {
    if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(pkg, entry), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  await ok('npm', ['run', 'build', '--silent'], pkg, timeoutMs);
  const packed = await ok('npm', ['pack', '--json', '--pack-destination', work], pkg, timeoutMs);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(work, info!.filename), files: info!.files.map((file) => file.path).sort() };
}

/**
 * A user's project in `dir` (an ESM package.json named `name`, and `files` by their names), with
 * the tarball and `packages` installed from the registry.
 */
export async function installProject(
  dir: string,
  project: { name: string; files: Record<string, string>; tarball: string; packages: string[] },
  timeoutMs: number,
): Promise<void> {
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: project.name, private: true, type: 'module' }, null, 2),
  );
  for (const [file, text] of Object.entries(project.files)) writeFileSync(join(dir, file), text);
  await ok(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      project.tarball,
      ...project.packages,
    ],
    dir,
    timeoutMs,
  );
}

/** The project's own tsc (installed with it) on `tsconfig`; its exit code and what it printed. */
export function tsc(dir: string, tsconfig: string, timeoutMs: number): Promise<Result> {
  return run(
    process.execPath,
    [join(dir, 'node_modules/typescript/bin/tsc'), '-p', tsconfig],
    dir,
    timeoutMs,
  );
}
