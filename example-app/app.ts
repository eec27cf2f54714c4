// The example backend as a function: createExampleApp() wires the database, the package and the
// routes into an Express app; startExample() also listens. server.ts runs it; tests import it.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { MemoryStore, type WxLogger, wxErrorHandler, wxLogin } from 'express-wx-login';
import { startWeChatEmulator, type WeChatEmulator } from 'express-wx-login/testing';
import type { ExampleConfig } from './config.js';
import { openDatabase, type UserRepository } from './db/index.js';
import { apiRoutes } from './routes/api.js';
import { devRoutes } from './routes/dev.js';

const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

export interface ExampleApp {
  app: Express;
  users: UserRepository;
  /** The built-in WeChat emulator; undefined when talking to WeChat. */
  emulator: WeChatEmulator | undefined;
  appId: string;
  close(): Promise<void>;
}

export interface CreateExampleOptions extends Partial<ExampleConfig> {
  /** Where wxLogin() logs; silent when absent. */
  logger?: WxLogger;
  /** An already opened repository (tests share one); else one is opened from the config. */
  users?: UserRepository;
}

const DEFAULTS: ExampleConfig = {
  tokenSecret: '',
  sqliteFile: ':memory:',
  host: '127.0.0.1',
  port: 0,
};

/**
 * Builds the example backend. Without `wechat` credentials it starts the WeChat emulator and
 * mounts the /dev routes that stand in for the device.
 *
 * @example
 * const example = await createExampleApp({ tokenSecret: 'x'.repeat(32) });
 * example.app.listen(3000);
 */
export async function createExampleApp(options: CreateExampleOptions = {}): Promise<ExampleApp> {
  const config = { ...DEFAULTS, ...options };
  if (!config.tokenSecret) throw new Error('tokenSecret is required');
  const users = options.users ?? (await openDatabase(config));
  let emulator: WeChatEmulator | undefined;
  try {
    emulator = config.wechat ? undefined : await startWeChatEmulator();
  } catch (err) {
    if (!options.users) await users.close();
    throw err;
  }
  const appId = config.wechat?.appId ?? emulator!.appId;

  const app = express();
  app.disable('x-powered-by');
  app.use(express.static(PUBLIC_DIR));
  app.use(express.json({ limit: '64kb' }));
  const wx = wxLogin({
    appId,
    appSecret: config.wechat?.appSecret ?? emulator!.appSecret,
    tokenSecret: config.tokenSecret,
    apiBaseUrl: emulator?.url,
    // One process: sessions in memory. Several instances would share a RedisStore (see README).
    store: new MemoryStore(),
    // Renewal mode: 15-minute access tokens, renewed by POST /wx/refresh without a new wx.login()
    // (miniprogram/utils/auth.js does it), for at most 30 days.
    refresh: { accessTokenTtl: 15 * 60, absoluteTtl: 30 * 24 * 3600 },
    logger: options.logger,
    onLogin: async (event) => {
      const user = await users.upsertOnLogin(event);
      return { userId: user.id };
    },
    onPhoneNumber: async (event) => {
      await users.setPhone(event.appId, event.openid, event.phone);
    },
  });
  app.use(wx);
  app.use(apiRoutes({ users, mode: emulator ? 'emulator' : 'wechat', appId }));
  if (emulator) app.use(devRoutes(emulator));
  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such route' } });
  });
  app.use(wxErrorHandler());
  app.use(lastResort(options.logger));

  return {
    app,
    users,
    emulator,
    appId,
    async close() {
      wx.auth.close();
      if (!options.users) await users.close();
      await emulator?.close();
    },
  };
}

/** Errors that are not the package's (a database down, a bug): a generic 500, logged. */
function lastResort(logger: WxLogger | undefined): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500)
      logger?.error?.({ error: err instanceof Error ? err.message : String(err) }, 'request failed');
    res
      .status(status)
      .json({ error: { code: status === 500 ? 'INTERNAL' : 'BAD_REQUEST', message: 'request failed' } });
  };
}

export interface RunningExample extends ExampleApp {
  /** `http://host:port`, without a trailing slash. */
  url: string;
}

/**
 * Builds the example and listens (`port: 0` for a free port).
 *
 * @example
 * const { url, close } = await startExample({ port: 0 });
 */
export async function startExample(options: CreateExampleOptions = {}): Promise<RunningExample> {
  const example = await createExampleApp(options);
  const host = options.host ?? DEFAULTS.host;
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = example.app.listen(options.port ?? 0, host, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    await example.close();
    throw err;
  }
  const { address, port } = server.address() as AddressInfo;
  return {
    ...example,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await example.close();
    },
  };
}
