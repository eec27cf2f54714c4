// The memory figures: heap per cached token and per cached session, and memory per MemoryStore
// user in the heap and outside it, from bench/memory/cache-heap.ts in a child under --expose-gc
// (it imports the TypeScript source).

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QUICK } from './load.mjs';

export function measureCacheHeap(count = QUICK ? 20_000 : 100_000) {
  const file = fileURLToPath(new URL('../memory/cache-heap.ts', import.meta.url));
  const child = fork(file, [String(count)], {
    // --no-opt: optimized code that V8 throws away between phases would shrink the heap under a
    // measurement (by ~50 B per entry); what the caches keep is the same without it.
    execArgv: ['--expose-gc', '--no-opt', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => code !== 0 && reject(new Error(`cache-heap exited with ${code}`)));
  });
}
