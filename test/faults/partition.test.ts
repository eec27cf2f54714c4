// A Redis that stops answering without closing the connection (a partition, through a TCP proxy
// that swallows every byte), under 1,000 concurrent requests: every request gets its 503 in
// bounded time, the client queues no more commands once the breaker is open, and the heap stays
// flat (measured); after the connection is reset, service resumes by itself.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { requireWxSession, wxErrorHandler, wxLogin } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis-store.js';
import { emulatorOptions, startEmulator } from '../helpers/app.js';
import { loadAgent, runLoad } from '../helpers/http-load.js';
import { startPrivateRedis } from '../helpers/private-redis.js';
import { eventually, REDIS_CLIENTS } from '../helpers/redis-clients.js';
import { record, recordError } from '../helpers/secret-watch.js';
import { services } from '../helpers/services/index.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const emulator = await startEmulator();
// Without redis-server the suites below are skipped (and reported): nothing to start.
const redis = !services.redisServer ? (undefined as never) : await startPrivateRedis();

/** How long each client is kept under load: ioredis, whose queue was the one seen to grow, 30 s. */
const LOAD_MS: Record<string, number> = { ioredis: 30_000, 'node-redis': 10_000 };

/**
 * The app under load. Not test/helpers' buildApp: that one keeps every response and log line for the
 * leak watch, which would be the biggest thing growing in the heap over 30,000 requests. This one
 * hands the watch a sample: the first 200 log lines and error bodies.
 */
function loadApp(store: RedisStore): express.Express {
  let sampled = 0;
  const sampling = (): boolean => sampled++ < 200;
  const write = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    if (sampling()) record(`${level} ${inspect(obj, { depth: Number.POSITIVE_INFINITY })} ${msg ?? ''}`);
  };
  const app = express();
  app.use(express.json());
  app.use(
    wxLogin({
      ...emulatorOptions(emulator),
      store,
      sessionCacheMs: 0,
      logger: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
    }),
  );
  app.get('/me', requireWxSession(), (req, res) => {
    res.json(req.wxUser);
  });
  app.use((err: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    if (sampling()) recordError(err);
    next(err);
  });
  app.use(wxErrorHandler());
  return app;
}

describe.skipIf(!services.redisServer).each(REDIS_CLIENTS)(
  'Redis partitioned under load (%s)',
  (name, connect) => {
    const durationMs = LOAD_MS[name] ?? 10_000;
    it(
      'answers every request 503 at once, keeps the queue and the heap flat, and recovers',
      async () => {
        const proxy = await startTcpProxy(redis.port);
        const { client, queued, close } = await connect(proxy.port);
        const store = new RedisStore({
          client,
          prefix: `part-${randomBytes(4).toString('hex')}:`,
          commandTimeoutMs: 500,
        });
        const app = loadApp(store);
        const server = app.listen({ port: 0, host: '127.0.0.1', backlog: 2048 });
        await once(server, 'listening');
        server.keepAliveTimeout = 60_000;
        const agent = loadAgent(1000);
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          const login = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
          expect(login.status).toBe(200);
          const headers = { authorization: `Bearer ${login.body.token as string}` };

          proxy.setMode('blackhole');
          // The first wave is sent before anything can know Redis is gone; it times out.
          const warmup = await runLoad({
            url,
            path: '/me',
            headers,
            concurrency: 1000,
            durationMs: 2000,
            agent,
            requestTimeoutMs: 60_000,
          });
          const queuedAfterWarmup = queued?.();
          const before = heapAfterGc();
          const load = await runLoad({
            url,
            path: '/me',
            headers,
            concurrency: 1000,
            durationMs,
            agent,
            requestTimeoutMs: 60_000,
          });
          const growth = heapAfterGc() - before;

          for (const run of [warmup, load]) {
            expect(run.reasons).toEqual(new Map());
            expect(run.failures).toBe(0);
            expect([...run.statuses.keys()]).toEqual([503]);
          }
          // Every one of the 1,000 clients was answered, each as many times as the machine allowed.
          expect(load.statuses.get(503)).toBeGreaterThanOrEqual(1000);
          // Without the breaker, each of them would wait in the client's queue (25,000 in 30 s, +63 MB).
          // (node-redis keeps its queue private: there the heap is the measure.)
          const after = queued?.();
          if (after !== undefined && queuedAfterWarmup !== undefined) {
            expect(after - queuedAfterWarmup).toBeLessThan(200);
          }
          expect(growth).toBeLessThan(10 * 1024 * 1024);

          // The partition ends the way TCP keep-alive or socketTimeout ends it: the connection is
          // reset, the client reconnects, a probe is answered, and requests are served again.
          proxy.setMode('forward');
          proxy.drop();
          const back = await eventually(
            () => request(app).get('/me').set(headers),
            (r) => r.status === 200,
          );
          expect(back.status).toBe(200);
        } finally {
          agent.destroy();
          server.closeAllConnections();
          server.close();
          close();
        }
      },
      durationMs + 60_000,
    );
  },
);
