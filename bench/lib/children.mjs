// Parent side of the bench servers: forks each one as its own process (so the load generator does
// not share its CPU), waits until it listens, sends it IPC requests, reads its CPU time, stops it.

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Forks bench/servers/<name>.mjs; resolves once it listens. */
export async function startServer(name, { env = {}, execArgv = [] } = {}) {
  const file = fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url));
  const child = fork(file, [], {
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  const pending = new Map();
  let nextId = 0;
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.on('message', (msg) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.port);
        return;
      }
      const waiter = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) waiter?.reject(new Error(`${name}: ${msg.error}`));
      else waiter?.resolve(msg.result);
    });
    child.on('exit', (code) => {
      running.delete(child);
      reject(new Error(`${name} exited with ${code}`));
      for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited with ${code}`));
    });
  });
  return {
    name,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    call: (type, payload = {}) =>
      new Promise((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        child.send({ ...payload, type, id });
      }),
    /** User + system CPU time of the process so far, in ms (Linux /proc). */
    cpuMs: () => cpuMsOf(child.pid),
    /** The same, of the main (JavaScript) thread alone: the rest is V8's and libuv's threads. */
    mainThreadCpuMs: () => cpuMsOf(child.pid, child.pid),
    /** SIGINT, so that a --cpu-prof child writes its profile; resolves when it has exited. */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGINT');
      }),
  };
}

/** CPU ms of process `pid`, or of its thread `tid` (the main thread's tid is the pid). */
function cpuMsOf(pid, tid) {
  try {
    // Fields after the ")" of the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(
      tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`,
      'utf8',
    );
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
