// Child side of a bench server: listens on a free loopback port, tells the parent over IPC, and
// answers the parent's IPC requests (credentials, login codes, heap size after gc).

/** Starts `server` (an http.Server or an Express app) and serves `handlers` to the parent. */
export async function serve(appOrServer, handlers = {}) {
  const all = { heap, ...handlers };
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

/** Heap used after a full gc (needs --expose-gc), in bytes. */
function heap() {
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss, gc: typeof globalThis.gc === 'function' };
}
