// The load generator: autocannon's programmatic API, 50 connections, no pipelining, requests
// prebuilt per connection, with the server's own CPU time (and its helper threads' part of it)
// read around the measured run.

import autocannon from 'autocannon';

export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const CONNECTIONS = 50;
export const RUN_SECONDS = QUICK ? 2 : 6;

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Requests spread over every credential: connection k cycles through its own slice of the
 * `headers` list, so each credential is used once per pass. Requests are built once.
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

/** Requests each connection makes for one pass over its slice of `count` credentials. */
export const onePass = (count) => Math.max(1, Math.floor(count / CONNECTIONS));

/**
 * One autocannon run against `server` with `headers` spread over the connections: for `duration`
 * seconds, or (with `passes`) until each connection went through its slice that many times.
 * CPU is the server's, as a fraction of one core and per request.
 */
export async function measure(server, headers, { duration = RUN_SECONDS, passes } = {}) {
  const limit = passes ? { maxConnectionRequests: onePass(headers.length) * passes } : { duration };
  const cpuBefore = server.cpuMs();
  const mainBefore = server.mainThreadCpuMs();
  const started = performance.now();
  const result = await run({ url: server.url, setupClient: spreadOver(headers), ...limit });
  const wallMs = performance.now() - started;
  const serverMs = server.cpuMs() - cpuBefore;
  const mainMs = server.mainThreadCpuMs() - mainBefore;
  const seconds = wallMs / 1000;
  return {
    requestsPerSecond: result.requests.total / seconds,
    total: result.requests.total,
    seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    serverCpu: serverMs / wallMs,
    serverCpuUsPerRequest: (serverMs * 1000) / result.requests.total,
    // V8's helper threads do the collector's concurrent and parallel work (marking, sweeping,
    // scavenging beside the main thread), which neither a --cpu-prof profile nor the main thread's
    // GC pauses show; libuv's threads are idle on these servers.
    helperCpuUsPerRequest: ((serverMs - mainMs) * 1000) / result.requests.total,
  };
}
