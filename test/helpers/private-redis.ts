// A redis-server of the test's own, on a free port, that the test may reconfigure, pause or fill
// (CONFIG SET, CLIENT PAUSE, DEBUG SLEEP): the shared Redis on 6379 is never touched.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { freePort } from './processes.js';
import { services } from './services/index.js';

// Stopped after the file, however they were started: an afterAll() registered from inside a test
// (a server brought back on a stopped one's port) never runs, and left its redis-server behind.
const running = new Set<() => Promise<void>>();
afterAll(async () => {
  await Promise.all([...running].map((stop) => stop()));
});

/** A private redis-server and an admin connection to it that bypasses any proxy. */
export interface PrivateRedis {
  port: number;
  /** A direct connection for CONFIG SET, CLIENT PAUSE, DEBUG SLEEP, EXISTS and PTTL checks. */
  admin: Redis;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` (found on PATH) with nothing on disk and `extraArgs` (e.g.
 * `['--maxmemory', '4mb', '--maxmemory-policy', 'noeviction']`), on a free port or on `onPort`
 * (to bring one back where a stopped one was); stopped after the test file.
 *
 * @example
 * const redis = await startPrivateRedis(['--enable-debug-command', 'local']);
 * await redis.admin.call('DEBUG', 'SLEEP', '2');
 */
export async function startPrivateRedis(extraArgs: string[] = [], onPort?: number): Promise<PrivateRedis> {
  const port = onPort ?? (await freePort());
  const child = spawn(
    services.redisServer ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)}:\n${output}`));
    });
  });
  const admin = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  await once(admin, 'ready');
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      admin.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    })();
    return stopped;
  };
  running.add(stop);
  return { port, admin, stop };
}
