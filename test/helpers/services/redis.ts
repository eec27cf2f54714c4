// A private redis-server for a test run: started on a free port from the binary found on PATH,
// keeping nothing on disk, stopped at the end.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Starts `binary` (a redis-server) on 127.0.0.1:`port` with persistence off; resolves once it
 * accepts connections, rejects with its output when it exits or stays silent for 20 s.
 *
 * @example
 * const redis = await startRedisServer('/usr/bin/redis-server', await freePort());
 */
export async function startRedisServer(
  binary: string,
  port: number,
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    // Generous: a loaded two-core machine may take seconds to start a process.
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 20_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${String(code)}:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Whether a Redis answers PING at `url` within a few seconds (a RESP exchange over plain TCP, so
 * that the check needs no client library).
 *
 * @example
 * if (!(await redisAnswers(process.env.REDIS_URL!))) throw new Error('Redis is down');
 */
export async function redisAnswers(url: string): Promise<boolean> {
  const { connect } = await import('node:net');
  const target = new URL(url);
  const auth =
    target.password !== ''
      ? `AUTH ${target.username ? `${decodeURIComponent(target.username)} ` : ''}${decodeURIComponent(target.password)}\r\n`
      : '';
  return new Promise((resolve) => {
    const socket = connect(Number(target.port || 6379), target.hostname);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 5000);
    let reply = '';
    socket.on('connect', () => socket.write(`${auth}PING\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.includes('-')) done(false);
    });
    socket.on('error', () => done(false));
  });
}
