// The memory rows: heap of a default MemoryStore after many inserts (its bound must hold), and
// heap of our MemoryStore server before and after a long run (it must not grow).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from './children.mjs';
import { ourTokens } from './credentials.mjs';
import { measure, QUICK, spreadOver, WARMUP_SECONDS } from './load.mjs';

export const FILL_COUNT = QUICK ? 100_000 : 1_000_000;
export const SUSTAINED_SECONDS = QUICK ? 10 : 60;

export function measureStoreFill(count = FILL_COUNT) {
  const file = fileURLToPath(new URL('../memory/fill-store.mjs', import.meta.url));
  const child = fork(file, [String(count)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => code !== 0 && reject(new Error(`fill-store exited with ${code}`)));
  });
}

export async function measureSustained(seconds = SUSTAINED_SECONDS) {
  const server = await startServer('ours', { env: { BENCH_STORE: 'memory' }, execArgv: ['--expose-gc'] });
  try {
    const headers = await ourTokens(server);
    const options = () => ({ setupClient: spreadOver(headers) });
    // Warm up first, so that JIT code and the caches' own arrays are in "before" too.
    await measure(server, options, { duration: WARMUP_SECONDS, warmup: 0 });
    const before = await server.call('heap');
    const stats = await measure(server, options, { duration: seconds, warmup: 0 });
    const after = await server.call('heap');
    return { seconds, ...stats, heapBefore: before.heapUsed, heapAfter: after.heapUsed, rssAfter: after.rss };
  } finally {
    await server.stop();
  }
}
