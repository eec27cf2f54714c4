// Child side of a bench server: listens on a free loopback port, tells the parent over IPC, and
// answers the parent's IPC requests (credentials, login codes, heap size after gc, GC pauses).

import { constants, PerformanceObserver } from 'node:perf_hooks';

/** Starts `server` (an http.Server or an Express app) and serves `handlers` to the parent. */
export async function serve(appOrServer, handlers = {}) {
  const all = { heap, gc: gcPauses(), ...handlers };
  const server = await new Promise((resolve) => {
    const s = appOrServer.listen(0, '127.0.0.1', () => resolve(s));
  });
  // Some peers answer slowly under 50 connections; never let Node's defaults cut them off.
  server.keepAliveTimeout = 60_000;
  process.on('message', async (msg) => {
    try {
      const handler = all[msg.type];
      if (!handler) throw new Error(`unknown request ${msg.type}`);
      process.send({ id: msg.id, result: await handler(msg) });
    } catch (err) {
      process.send({ id: msg.id, error: String(err?.stack ?? err) });
    }
  });
  // A clean exit on SIGINT writes a --cpu-prof profile; the parent uses it to stop us.
  process.on('SIGINT', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', port: server.address().port });
  return server;
}

/**
 * With BENCH_GC_STATS=1 (bench/compare.mjs), the collector's pauses of the JavaScript thread so
 * far: count and ms of young-generation collections, and of full ones with their incremental
 * steps. Off otherwise, so that the rows of `npm run bench` carry no observer.
 */
function gcPauses() {
  const totals = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  if (process.env.BENCH_GC_STATS !== '1') return () => totals;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : 'major';
      totals[kind]++;
      totals[`${kind}Ms`] += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  return () => totals;
}

/** Heap used after a full gc (needs --expose-gc), in bytes. */
function heap() {
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss, gc: typeof globalThis.gc === 'function' };
}
