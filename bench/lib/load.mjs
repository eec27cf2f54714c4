// The load generator: autocannon's programmatic API, 50 connections, a discarded warm-up run and
// then the measured run, with the server's own CPU time read around it.

import autocannon from 'autocannon';

export const QUICK = process.env.BENCH_QUICK === '1';
export const CONNECTIONS = 50;
export const WARMUP_SECONDS = QUICK ? 1 : 2;
export const RUN_SECONDS = QUICK ? 3 : 10;

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Requests spread over every credential: connection k cycles through its own slice of the
 * `headers` list. Requests are built once (no per-request setup cost in the load generator).
 */
export function spreadOver(headers, request = { method: 'GET', path: '/hello' }) {
  let client = 0;
  const perClient = Math.max(1, Math.floor(headers.length / CONNECTIONS));
  return (c) => {
    const start = (client++ * perClient) % headers.length;
    const slice = Array.from({ length: perClient }, (_, i) => headers[(start + i) % headers.length]);
    c.setRequests(slice.map((h) => ({ ...request, headers: h })));
  };
}

/**
 * Runs `duration` seconds against `server` after a warm-up; `options()` gives autocannon's
 * { setupClient } or { requests }. CPU is a fraction of one core, for `server` and for `also`
 * (a second process in the request path, such as the emulator). Returns the row the report prints.
 */
export async function measure(
  server,
  options,
  { duration = RUN_SECONDS, warmup = WARMUP_SECONDS, also } = {},
) {
  if (warmup > 0) await run({ url: server.url, duration: warmup, ...options() });
  const cpuBefore = server.cpuMs();
  const alsoBefore = also?.cpuMs();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const result = await run({ url: server.url, duration, ...options() });
  const wallMs = performance.now() - started;
  const own = process.cpuUsage(ownBefore);
  const serverMs = server.cpuMs() - cpuBefore;
  return {
    // total / duration rather than autocannon's mean of per-second samples, which can count an
    // extra partial second.
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpu: serverMs / wallMs,
    serverCpuUsPerRequest: (serverMs * 1000) / result.requests.total,
    loadCpu: (own.user + own.system) / 1000 / wallMs,
    ...(also ? { alsoCpu: (also.cpuMs() - alsoBefore) / wallMs } : {}),
  };
}
