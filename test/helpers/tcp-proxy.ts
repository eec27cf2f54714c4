// A TCP proxy in front of a private redis-server that a test can break on purpose: forward, pause
// (hold bytes, deliver them later), blackhole (accept and swallow), drop (reset) and close.

import net from 'node:net';
import { afterAll } from 'vitest';

export type ProxyMode = 'forward' | 'pause' | 'blackhole';

/** A controllable proxy; see `startTcpProxy`. */
export interface TcpProxy {
  port: number;
  /** How the proxy treats bytes from now on, in both directions, on every connection. */
  setMode(mode: ProxyMode): void;
  /** Resets every open connection (RST), as a crashed peer or a firewall would. */
  drop(): void;
  /** Stops listening and ends every connection (FIN); further connects are refused. */
  close(): Promise<void>;
  /** How many connections are open now. */
  readonly connections: number;
}

interface Pipe {
  client: net.Socket;
  server: net.Socket;
  held: { to: net.Socket; chunk: Buffer }[];
}

/**
 * Starts a proxy on a free loopback port (or `listenPort`, to stand in for one closed before) to
 * `targetPort`. In `pause`, bytes are held and delivered
 * in order on the next `forward`; in `blackhole`, they are thrown away (the connection stays open,
 * nothing ever comes back: a partition). Closed after the test file.
 *
 * @example
 * const proxy = await startTcpProxy(redis.port);
 * proxy.setMode('blackhole');
 */
export async function startTcpProxy(targetPort: number, listenPort = 0): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  const pipes = new Set<Pipe>();

  const relay = (pipe: Pipe, to: net.Socket, chunk: Buffer): void => {
    if (mode === 'forward') to.write(chunk);
    else if (mode === 'pause') pipe.held.push({ to, chunk });
    // blackhole: swallowed
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pipe: Pipe = { client, server: upstream, held: [] };
    pipes.add(pipe);
    client.on('data', (chunk) => relay(pipe, upstream, chunk));
    upstream.on('data', (chunk) => relay(pipe, client, chunk));
    const end = (): void => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const pipe of pipes) {
        pipe.client.end();
        pipe.server.end();
      }
    });
    return closing;
  };
  afterAll(async () => {
    for (const pipe of pipes) {
      pipe.client.destroy();
      pipe.server.destroy();
    }
    await close();
  });

  return {
    port,
    setMode(next) {
      mode = next;
      if (next !== 'forward') return;
      for (const pipe of pipes) {
        for (const { to, chunk } of pipe.held.splice(0)) to.write(chunk);
      }
    },
    drop() {
      for (const pipe of pipes) {
        pipe.client.resetAndDestroy();
        pipe.server.resetAndDestroy();
      }
    },
    close,
    get connections() {
      return pipes.size;
    },
  };
}
