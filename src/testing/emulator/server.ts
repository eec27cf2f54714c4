// The emulator's HTTP server: WeChat's paths, with the /dev routes in front of them when asked; a
// loopback address to listen on; and a close that ends every connection at once.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One emulator's server.
 *
 * @example
 * const server = new EmulatorServer(createDispatcher(ctx, faults, log));
 * const url = await server.listen(0, '127.0.0.1'); // 'http://127.0.0.1:PORT'
 * await server.close();
 */
export class EmulatorServer {
  readonly #server: Server;
  #closing: Promise<void> | undefined;

  /** `dev` answers first, returning true for the requests it took (see `createDevRoutes`). */
  constructor(wechat: Listener, dev?: (req: IncomingMessage, res: ServerResponse) => boolean) {
    this.#server = createServer((req, res) => {
      if (!dev?.(req, res)) wechat(req, res);
    });
  }

  /** Listens on `host:port` (`0`: a free port) and resolves with the base URL. */
  async listen(port: number, host: string): Promise<string> {
    const server = this.#server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const hostname = address.address.includes(':') ? `[${address.address}]` : address.address;
    return `http://${hostname}:${address.port}`;
  }

  /** Stops listening and ends every connection, hanging and keep-alive ones included. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }
}
