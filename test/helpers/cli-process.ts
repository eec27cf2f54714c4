// A command as a person runs it, in its own process, for the CLI tests (the emulator's CLI, the
// example's server): its output as it comes, its exit code, and its banner's URL once it listens.

import { spawn } from 'node:child_process';
import { expect, onTestFinished } from 'vitest';

/** A running command: what it printed so far, how it ended. */
export interface CliRun {
  stdout: () => string;
  stderr: () => string;
  /** Its exit code once it has exited. */
  exited: Promise<number | null>;
  /** Asks it to stop (SIGTERM), as Ctrl-C or a process manager would. */
  stop: () => void;
}

/**
 * Runs `node --import tsx <script> ...args` from the repository; killed (SIGKILL) when the test
 * ends, whatever happened.
 *
 * @example
 * const run = runTsx('src/testing/cli.ts', ['emulator', '--port', '0']);
 * const url = await listeningUrl(run, 'Ctrl-C stops');
 */
export function runTsx(script: string, args: string[] = [], env?: NodeJS.ProcessEnv): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    ...(env ? { env } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  return { stdout: () => stdout, stderr: () => stderr, exited, stop: () => child.kill('SIGTERM') };
}

/**
 * Waits until stdout holds `banner` (the last line the command prints once it serves); returns the
 * `http://127.0.0.1:PORT` its "listening on" line names, and fails where there is none.
 */
export async function listeningUrl(run: CliRun, banner: string, timeoutMs = 60_000): Promise<string> {
  await expect.poll(run.stdout, { timeout: timeoutMs, interval: 100 }).toContain(banner);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())?.[1];
  if (!url) throw new Error(`no "listening on http://127.0.0.1:PORT" in:\n${run.stdout()}`);
  return url;
}
