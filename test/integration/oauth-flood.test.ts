// The anonymous flood: 100,000 web-login starts (2 kB returnTo each) leave every logged-in session
// alive, the store's size unchanged and the heap bounded (MemoryStore, RedisStore). The starts are
// direct calls of the Express app (real node:http request/response objects, no socket): over HTTP,
// 100,000 requests took ~18 minutes per store on the two shared cores. 1,000 go over real HTTP too.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, IncomingMessage, type Server, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express, { type Express } from 'express';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryStore,
  RedisStore,
  requireWxSession,
  type SessionStore,
  wxErrorHandler,
  wxLogin,
  wxOAuth,
} from '../../src/index.js';
import { TOKEN_SECRET } from '../helpers/app.js';
import { deleteUnder, keysUnder } from '../helpers/redis-clients.js';
import { record } from '../helpers/secret-watch.js';
import { services } from '../helpers/services/index.js';
import { MINI, OFFICIAL, officialOAuth, startWebEmulator } from '../helpers/web-app.js';

const STARTS = 100_000;
/** Of them, sent over real HTTP (the rest are direct calls of the same Express app). */
const HTTP_STARTS = 1_000;
const SESSIONS = 50;
/** Direct calls in flight at once. */
const CONCURRENCY = 32;
const RETURN_TO = `/${'r'.repeat(2047)}`;

// A real garbage collection between measurements (as --expose-gc would give).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const emulator = await startWebEmulator();

interface FloodApp {
  base: string;
  app: Express;
  server: Server;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  location: string;
  setCookie: string[];
}

/**
 * Runs one GET through the Express app as its HTTP server would, with real node:http request and
 * response objects on an unconnected socket; resolves when the app ends the response.
 */
function direct(app: Express, url: string, cookie?: string): Promise<Answer> {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = url;
  req.headers = cookie === undefined ? { host: '127.0.0.1' } : { host: '127.0.0.1', cookie };
  const res = new ServerResponse(req);
  return new Promise((resolve, reject) => {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const ended = end(...args);
      const setCookie = res.getHeader('set-cookie');
      resolve({
        status: res.statusCode,
        location: String(res.getHeader('location')),
        setCookie: Array.isArray(setCookie) ? setCookie : [String(setCookie)],
      });
      return ended;
    }) as typeof res.end;
    app(req as express.Request, res as express.Response, (err?: unknown) =>
      reject(err ?? new Error(`${url} was not handled`)),
    );
  });
}

/** wxLogin + wxOAuth on `store`, listening on loopback (sessions read from the store every time). */
async function startApp(store: SessionStore): Promise<FloodApp> {
  const app = express();
  app.use(express.json());
  const wx = wxLogin({
    appId: MINI.appId,
    appSecret: MINI.appSecret,
    tokenSecret: TOKEN_SECRET,
    apiBaseUrl: emulator.url,
    store,
    sessionCacheMs: 0,
  });
  app.use(wx);
  const server = createServer(app);
  // The HTTP clients' pooled connections sit idle through minutes of direct calls: keep them open.
  server.keepAliveTimeout = 900_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const oauth = wxOAuth(officialOAuth(wx.auth, emulator, base));
  app.use(oauth);
  app.get('/me', requireWxSession(), (req, res) => {
    res.json(req.wxUser);
  });
  app.use(wxErrorHandler());
  return {
    base,
    app,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      oauth.close();
      wx.auth.close();
    },
  };
}

/** Runs `body` on an app of `store` (see startApp), closed afterwards whatever happened. */
async function withApp(store: SessionStore, body: (app: FloodApp) => Promise<void>): Promise<void> {
  const app = await startApp(store);
  try {
    await body(app);
  } finally {
    await app.close();
  }
}

/** SESSIONS mini-program logins; their tokens. */
async function logIn(base: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const user = emulator.createUser({ appId: MINI.appId });
    const res = await fetch(`${base}/wx/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: emulator.issueLoginCode(user.openid) }),
    });
    expect(res.status).toBe(200);
    tokens.push(((await res.json()) as { token: string }).token);
  }
  return tokens;
}

/** How many of `tokens` still open `/me`. */
async function alive(base: string, tokens: string[]): Promise<number> {
  let ok = 0;
  for (const token of tokens) {
    const res = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status === 200) ok++;
  }
  return ok;
}

const START_PATH = `/wx/web/login?returnTo=${encodeURIComponent(RETURN_TO)}`;

/**
 * STARTS anonymous `GET /wx/web/login?returnTo=<2 kB>`: HTTP_STARTS over HTTP, then the rest as
 * direct calls, CONCURRENCY at a time. Counts answers by status and Set-Cookie count.
 */
async function flood(target: FloodApp): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const count = (status: number, cookies: number) => {
    const key = `${status} with ${cookies} cookie`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };
  for (let i = 0; i < HTTP_STARTS; i++) {
    const res = await fetch(target.base + START_PATH, { redirect: 'manual' });
    await res.arrayBuffer();
    count(res.status, res.headers.getSetCookie().length);
    if (i === 0) record(`${res.status} ${JSON.stringify([...res.headers])}`);
  }
  let next = HTTP_STARTS;
  const worker = async () => {
    while (next < STARTS) {
      next++;
      const answer = await direct(target.app, START_PATH);
      count(answer.status, answer.setCookie.length);
      if (next % 20_000 === 0) record(`${answer.status} ${answer.location} ${answer.setCookie}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

/** The flood between two heaps measured after a garbage collection: its outcomes, the heap's growth. */
async function measuredFlood(
  target: FloodApp,
): Promise<{ outcomes: Record<string, number>; growthMb: number; seconds: number }> {
  const heapBefore = heapAfterGc();
  const started = Date.now();
  const outcomes = await flood(target);
  const seconds = (Date.now() - started) / 1000;
  const growthMb = (heapAfterGc() - heapBefore) / 2 ** 20;
  return { outcomes, growthMb, seconds };
}

/**
 * `count` scripted start + callback pairs: a client that keeps its own cookie and answers the
 * callback itself without a code (the user's "deny", which uses the state up all the same). The
 * first one is replayed once (403). Returns the last state.
 */
async function pairs(target: FloodApp, count: number): Promise<string> {
  let state = '';
  for (let i = 0; i < count; i++) {
    const start = await direct(target.app, '/wx/web/login');
    state = new URL(start.location).searchParams.get('state')!;
    const cookie = start.setCookie[0]!.split(';')[0]!;
    const back = await direct(target.app, `/wx/web/callback?state=${state}`, cookie);
    expect(back.status).toBe(302);
    expect(back.location).toBe('/?wx_login=denied');
    if (i === 0) {
      const replay = await direct(target.app, `/wx/web/callback?state=${state}`, cookie);
      expect(replay.status).toBe(403);
    }
  }
  return state;
}

/** What each run measured, printed at the end for SECURITY.md. */
const figures: Record<string, unknown>[] = [];
afterAll(() => {
  console.log(`oauth flood figures: ${JSON.stringify(figures)}`);
});

describe(`${STARTS.toLocaleString('en')} anonymous OAuth starts`, () => {
  it('MemoryStore (default size): every session alive, store size unchanged, heap bounded', async () => {
    const store = new MemoryStore();
    await withApp(store, async (app) => {
      const tokens = await logIn(app.base);
      expect(await alive(app.base, tokens)).toBe(SESSIONS);
      const sizeBefore = store.size;
      const { outcomes, growthMb, seconds } = await measuredFlood(app);
      expect(outcomes).toEqual({ '302 with 1 cookie': STARTS });
      expect(store.size).toBe(sizeBefore);
      expect(await alive(app.base, tokens)).toBe(SESSIONS);
      figures.push({
        store: 'MemoryStore',
        starts: STARTS,
        sizeBefore,
        sizeAfter: store.size,
        heapGrowthMb: +growthMb.toFixed(1),
        seconds,
      });
      // Before the stateless state this was +238 MB and 50 of 50 sessions evicted; now nothing is kept.
      expect(growthMb).toBeLessThan(32);
    });
  }, 900_000);

  // Skipped, and reported by the test run, on a machine without Redis.
  describe.skipIf(!services.redisUrl)('RedisStore', () => {
    const client = new Redis(services.redisUrl ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: 1,
      lazyConnect: !services.redisUrl,
    });
    const prefix = `wxl-test-${process.pid}-${randomBytes(4).toString('hex')}:`;

    const keyCount = async (): Promise<number> => (await keysUnder(client, prefix)).length;

    /** The logins' code-exchange records live 5 s: let Redis expire them before counting. */
    async function codeRecordsGone(): Promise<void> {
      for (let i = 0; i < 100; i++) {
        const [, keys] = await client.scan('0', 'MATCH', `${prefix}*:code:*`, 'COUNT', 10_000);
        if (keys.length === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error('code-exchange records still there after 20 s');
    }

    afterAll(async () => {
      await deleteUnder(client, prefix);
      await client.quit();
    });

    it('every session alive, no key written under the prefix, heap bounded', async () => {
      if (client.status !== 'ready') await once(client, 'ready');
      await withApp(new RedisStore({ client, prefix }), async (app) => {
        const tokens = await logIn(app.base);
        expect(await alive(app.base, tokens)).toBe(SESSIONS);
        await codeRecordsGone();
        const keysBefore = await keyCount();
        expect(keysBefore).toBeGreaterThanOrEqual(SESSIONS);
        const { outcomes, growthMb, seconds } = await measuredFlood(app);
        expect(outcomes).toEqual({ '302 with 1 cookie': STARTS });
        expect(await keyCount()).toBe(keysBefore);
        expect(await alive(app.base, tokens)).toBe(SESSIONS);
        figures.push({
          store: 'RedisStore',
          starts: STARTS,
          keysBefore,
          keysAfter: await keyCount(),
          heapGrowthMb: +growthMb.toFixed(1),
          seconds,
        });
        expect(growthMb).toBeLessThan(32);
      });
    }, 900_000);

    it('a shared store: a scripted start + callback pair writes one nonce record, expiring with its state', async () => {
      if (client.status !== 'ready') await once(client, 'ready');
      const PAIRS = 1_000;
      await withApp(new RedisStore({ client, prefix }), async (app) => {
        const before = await keyCount();
        const last = await pairs(app, PAIRS);
        const lastNonceKey = `${prefix}${MINI.appId}:oauth-nonce:${OFFICIAL.appId}:${last.slice(0, 32)}`;
        expect(await keyCount()).toBe(before + PAIRS);
        // The default stateTtlSeconds (600 s) plus the 30 s of clock skew allowed between instances.
        const pttl = await client.pttl(lastNonceKey);
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(630_000);
        const bytes = await client.memory('USAGE', lastNonceKey);
        figures.push({
          store: 'RedisStore',
          startCallbackPairs: PAIRS,
          recordsWritten: (await keyCount()) - before,
          ttlMsAtMost: 630_000,
          bytesPerRecord: bytes,
        });
      });
    }, 300_000);
  });
});

it('MemoryStore: scripted start + callback pairs keep their nonces beside the store, never evicting sessions', async () => {
  // A store just big enough for the 50 sessions (150 entries): one nonce record each would evict them.
  const store = new MemoryStore({ max: 200 });
  await withApp(store, async (app) => {
    const tokens = await logIn(app.base);
    const before = store.size;
    await pairs(app, 2_000);
    expect(store.size).toBe(before);
    expect(await alive(app.base, tokens)).toBe(SESSIONS);
    figures.push({
      store: 'MemoryStore({ max: 200 })',
      startCallbackPairs: 2_000,
      sizeBefore: before,
      sizeAfter: store.size,
    });
  });
}, 300_000);
