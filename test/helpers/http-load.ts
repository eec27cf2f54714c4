// Many concurrent HTTP clients against one server for a while, each sending one request after
// another: what a busy app sees while its Redis is partitioned. Counts statuses and failures.

import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a load run saw. */
export interface LoadResult {
  /** Responses by HTTP status. */
  statuses: Map<number, number>;
  /** Requests that got no response within `requestTimeoutMs` (or failed on the socket). */
  failures: number;
  /** Why they failed: error codes or messages, counted. */
  reasons: Map<string, number>;
}

/**
 * Runs `concurrency` clients for `durationMs`, each sending `GET path` (with `headers`) and waiting
 * `pauseMs` between requests. Every request must be answered within `requestTimeoutMs`.
 *
 * @example
 * const { statuses, failures } = await runLoad({ url, path: '/me', concurrency: 1000, durationMs: 30_000 });
 */
export async function runLoad(options: {
  url: string;
  path: string;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs: number;
  pauseMs?: number;
  requestTimeoutMs?: number;
  /** Reuse the connections of an earlier run (`loadAgent()`), so that no new connection is opened. */
  agent?: http.Agent;
}): Promise<LoadResult> {
  const agent = options.agent ?? loadAgent(options.concurrency);
  const statuses = new Map<number, number>();
  let failures = 0;
  const reasons = new Map<string, number>();
  const until = Date.now() + options.durationMs;
  const one = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const req = http.get(
        `${options.url}${options.path}`,
        { agent, headers: options.headers, timeout: options.requestTimeoutMs ?? 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        failures += 1;
        const reason = err.code ?? err.message;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        resolve();
      });
    });
  const worker = async (index: number): Promise<void> => {
    // Connections open over the first half second: a thousand SYNs at once overflow the listen
    // backlog, and the kernel's SYN retries would look like a server that does not answer.
    await sleep((index % 50) * 10);
    while (Date.now() < until) {
      await one();
      await sleep(options.pauseMs ?? 100);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  if (!options.agent) agent.destroy();
  return { statuses, failures, reasons };
}

/**
 * A keep-alive agent for `concurrency` connections, to share between runs; destroy it after.
 *
 * @example
 * const agent = loadAgent(1000);
 * await runLoad({ ...options, agent }); await runLoad({ ...options, agent }); agent.destroy();
 */
export function loadAgent(concurrency: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: concurrency });
}
