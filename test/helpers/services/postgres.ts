// PostgreSQL for tests on a machine that has none: PGlite (Postgres compiled to WASM) served over
// TCP with pglite-socket, so that the ordinary `pg` driver talks to it like to a real server.

import { createServer, type Server } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

const STARTUP_PROTOCOL = 196608; // 3.0
const DEFAULT_SEARCH_PATH = '"$user", public';

/** The search_path a startup message asks for through `options=-c search_path=…`, if any. */
function searchPathOf(message: Uint8Array): string | undefined {
  const fields = Buffer.from(message).subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'options') continue;
    const match = /(?:-c\s*|--)search_path=((?:\\ |\S)+)/.exec(fields[i + 1] ?? '');
    if (match) return match[1]!.replaceAll('\\ ', ' ');
  }
  return undefined;
}

interface Queued {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

/**
 * One PGlite backend shared by every connection, one message at a time (pglite-socket's own queue
 * does the same), plus what a real server keeps per connection and the tests rely on: the
 * search_path of the connection's startup options (the example app puts each test's tables in a
 * schema of its own that way). A connection inside a transaction keeps the backend until it ends.
 */
class SharedBackendQueue {
  readonly #db: PGlite;
  readonly #queue: Queued[] = [];
  readonly #searchPaths = new Map<number, string>();
  #processing = false;
  #owner: number | undefined;
  #currentPath = DEFAULT_SEARCH_PATH;

  constructor(db: PGlite) {
    this.#db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#process();
    });
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.#searchPaths.delete(handlerId);
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      if (this.#queue[i]!.handlerId === handlerId) {
        this.#queue.splice(i, 1)[0]!.reject(new Error('connection closed'));
      }
    }
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#db.isInTransaction() && this.#owner === handlerId) {
      await this.#db.exec('ROLLBACK');
      this.#owner = undefined;
      void this.#process();
    }
  }

  async #process(): Promise<void> {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#queue.length > 0) {
        const inTransaction = this.#db.isInTransaction() && this.#owner !== undefined;
        const index = inTransaction ? this.#queue.findIndex((q) => q.handlerId === this.#owner) : 0;
        if (index === -1) break; // the owner's next message has not arrived yet
        const item = this.#queue.splice(index, 1)[0]!;
        try {
          await this.#run(item);
        } catch (err) {
          item.reject(err);
        }
      }
    } finally {
      this.#processing = false;
    }
  }

  async #run(item: Queued): Promise<void> {
    const view = Buffer.from(item.message);
    const startup = view.length >= 8 && view.readInt32BE(4) === STARTUP_PROTOCOL;
    if (startup) {
      this.#searchPaths.set(item.handlerId, searchPathOf(item.message) ?? DEFAULT_SEARCH_PATH);
    } else {
      const wanted = this.#searchPaths.get(item.handlerId) ?? DEFAULT_SEARCH_PATH;
      if (wanted !== this.#currentPath) {
        await this.#db.query("SELECT set_config('search_path', $1, false)", [wanted]);
        this.#currentPath = wanted;
      }
    }
    let bytes = 0;
    await this.#db.runExclusive(() =>
      this.#db.execProtocolRawStream(item.message, {
        onRawData: (data: Uint8Array) => {
          bytes += data.length;
          item.onData(data);
        },
      }),
    );
    this.#owner = item.handlerId;
    item.resolve(bytes);
  }
}

/**
 * Serves PGlite on 127.0.0.1, a free port, booting it on the first connection. The URL names user `postgres`, database
 * `postgres`; any password is accepted.
 *
 * @example
 * const pg = await startPGlite();
 * process.env.DATABASE_URL = pg.url;
 */
export async function startPGlite(): Promise<{ url: string; stop: () => Promise<void> }> {
  // Postgres boots on the first connection: a run without database tests pays nothing for it.
  let started: Promise<{ db: PGlite; queue: SharedBackendQueue }> | undefined;
  const boot = () => {
    started ??= PGlite.create().then((db) => ({ db, queue: new SharedBackendQueue(db) }));
    return started;
  };
  const handlers = new Set<PGLiteSocketHandler>();
  const server: Server = createServer((socket) => {
    socket.pause(); // nothing is lost while Postgres boots
    boot().then(
      ({ queue }) => {
        // The handler reads the wire protocol; the queue above decides what runs when.
        const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
        handlers.add(handler);
        const forget = (): void => {
          handlers.delete(handler);
        };
        handler.addEventListener('close', forget);
        handler.addEventListener('error', forget);
        void handler.attach(socket).then(() => socket.resume());
      },
      (err: unknown) => {
        process.stderr.write(`PGlite did not start: ${String(err)}\n`);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      for (const handler of handlers) await handler.detach(true);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (started) await (await started).db.close();
    },
  };
}
