// The report: for each row and N, the ratio of its requests/s to bare Express 5 in the same round
// (median and spread over rounds) and its CPU per request; targets; printed and written to results/.

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** `n` with `digits` decimals, or '-' when it is not a number (a row that did not run). */
export const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
/** The median of `xs` (the mean of the two middle values for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const count = (n) => n.toLocaleString('en');

/** The machine and the moment, as one line: the first line of every results file. */
export function environmentLine(env = environment()) {
  return `node ${env.node}, ${env.cpu} (${env.cores} cores), load average ${env.loadAverage.join(' ')} at the end, ${env.date}`;
}

export function environment() {
  return {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
    date: new Date().toISOString(),
  };
}

/** Ratios to bare per row and N: median, min, max over rounds; CPU us/req median. */
export function summarize(kinds, sizes, results) {
  const bare = results.get('bare');
  const rows = [];
  for (const kind of kinds) {
    const byN = results.get(kind.key);
    const cells = sizes.map((n) => {
      const runs = byN?.get(n) ?? [];
      const bareRuns = bare.get(n);
      const ratios = runs.map((r, i) => r.requestsPerSecond / (bareRuns[i]?.requestsPerSecond ?? Number.NaN));
      // The same ratio from CPU time per request (bare's over the row's): what it would be if the
      // server had a core to itself, steadier when other processes take the CPU.
      const cpuRatios = runs.map(
        (r, i) => (bareRuns[i]?.serverCpuUsPerRequest ?? Number.NaN) / r.serverCpuUsPerRequest,
      );
      return {
        n,
        runs: runs.length,
        ratio: median(ratios),
        min: Math.min(...ratios),
        max: Math.max(...ratios),
        requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
        cpuUs: median(runs.map((r) => r.serverCpuUsPerRequest)),
        // Results written before the split was measured have no helperCpuUsPerRequest.
        helperUs: median(runs.map((r) => r.helperCpuUsPerRequest ?? Number.NaN)),
        cpuRatio: median(cpuRatios),
        serverCpu: median(runs.map((r) => r.serverCpu)),
        bad: runs.reduce((s, r) => s + r.non2xx + r.errors, 0),
      };
    });
    rows.push({ key: kind.key, name: kind.name, placeholder: !byN, cells });
  }
  return rows;
}

const TARGETS = [
  { key: 'ours-memory', sizeIndex: 0, min: 0.9 },
  { key: 'ours-memory', sizeIndex: 1, min: 0.9 },
  { key: 'ours-memory', sizeIndex: 2, min: 0.85 },
  { key: 'ours-redis', sizeIndex: 1, min: 0.85 },
  { key: 'ours-redis', sizeIndex: 2, min: 0.75 },
];

/**
 * Where the MemoryStore row's gap to bare goes, at each N: the control row (same server and users,
 * route unguarded) over bare is the heap's share; the MemoryStore row over the control, ours.
 */
export function memorySplit(rows, sizes) {
  const row = (key) => rows.find((r) => r.key === key && !r.placeholder);
  const ours = row('ours-memory');
  const control = row('ours-memory-open');
  if (!ours || !control) return [];
  return sizes.map((n, i) => {
    const [o, c] = [ours.cells[i], control.cells[i]];
    return (
      `N = ${count(n)}: the control answers at ${fmt(c.ratio, 2)} of bare (by CPU ${fmt(c.cpuRatio, 2)}): the cost of ` +
      `the users it holds; the MemoryStore row at ${fmt(o.ratio / c.ratio, 2)} of the control (by CPU ` +
      `${fmt(c.cpuUs / o.cpuUs, 2)}, ${fmt(o.cpuUs - c.cpuUs)} us/req): the cost of the package's own work`
    );
  });
}

/** Each target of issue 17, met or not, from the medians of this run. */
export function targets(rows, sizes) {
  const cell = (key, i) => rows.find((r) => r.key === key)?.cells[i];
  const out = TARGETS.map((t) => {
    const c = cell(t.key, t.sizeIndex);
    return {
      what: `${t.key} >= ${t.min.toFixed(2)} at N = ${count(sizes[t.sizeIndex])}`,
      measured: c ? `${fmt(c.ratio, 2)} (${fmt(c.min, 2)}-${fmt(c.max, 2)})` : '-',
      met: c ? c.ratio >= t.min : false,
    };
  });
  for (const key of ['ours-memory', 'ours-redis']) {
    sizes.forEach((n, i) => {
      const ours = cell(key, i);
      const peer = cell('express-jwt', i);
      out.push({
        what: `${key} ahead of express-jwt at N = ${count(n)}`,
        measured: `${fmt(ours?.ratio, 2)} vs ${fmt(peer?.ratio, 2)}`,
        met: (ours?.ratio ?? 0) > (peer?.ratio ?? Number.POSITIVE_INFINITY),
      });
    });
  }
  return out;
}

function markdownTable(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function renderTables(rows, sizes) {
  const ratioHead = [
    'row',
    ...sizes.map((n) => `N = ${count(n)}`),
    'CPU us/req',
    'of which V8 helper threads',
    'x bare by CPU',
    'non-2xx/err',
  ];
  const ratioRows = rows.map((r) =>
    r.placeholder
      ? [r.name, ...sizes.map(() => '(placeholder: wx.guard())'), '-', '-', '-', '-']
      : [
          r.name,
          ...r.cells.map((c) =>
            r.key === 'bare'
              ? `1.00 (${fmt(c.requestsPerSecond)} req/s)`
              : `${fmt(c.ratio, 2)} (${fmt(c.min, 2)}-${fmt(c.max, 2)})`,
          ),
          r.cells.map((c) => fmt(c.cpuUs)).join(' / '),
          r.cells.map((c) => fmt(c.helperUs)).join(' / '),
          r.cells.map((c) => fmt(c.cpuRatio, 2)).join(' / '),
          String(r.cells.reduce((s, c) => s + c.bad, 0)),
        ],
  );
  return markdownTable(ratioHead, ratioRows);
}

/** Prints the report and writes bench/results/latest.{json,md}. */
export function writeReport({
  kinds,
  sizes,
  rounds,
  results,
  logins,
  memory,
  seconds,
  quick,
  env = environment(),
}) {
  const rows = summarize(kinds, sizes, results);
  const goals = targets(rows, sizes);
  const table = renderTables(rows, sizes);
  const goalTable = markdownTable(
    ['target', 'measured (median, spread)', ''],
    goals.map((g) => [g.what, g.measured, g.met ? 'met' : '**not met**']),
  );
  const envLine =
    `${environmentLine(env)}, ` + `${rounds} rounds, ${fmt(seconds / 60, 1)} min${quick ? ', --quick' : ''}`;
  const notes = [
    ...(quick
      ? [
          `--quick: a smoke test of the bench. Its sizes stand in for N = 1,000 / 10,000 / 100,000 in the targets below, which are defined at those N only.`,
        ]
      : []),
    `x bare: the row's requests/s over bare Express 5's in the same round at the same N; median of ${rounds} rounds, (min-max).`,
    `CPU us/req: the server process's CPU time per request (median), at each N; of which V8 helper threads: the part spent outside ` +
      'the JavaScript thread, which is the garbage collector working beside it (concurrent marking, parallel scavenges, sweeping) and shows ' +
      "in neither a CPU profile nor GC pause times; x bare by CPU: bare's CPU us/req over the row's, " +
      'the ratio the server would reach with a core to itself; steadier than req/s when other processes take the CPU.',
    `Steady N (${sizes
      .slice(0, -1)
      .map(count)
      .join(
        ', ',
      )}): one pass over the N users first, then a timed run. N = ${count(sizes.at(-1))}: a slice of tokens (cookies) the server has never seen, each sent once.`,
  ];
  const splitLines = memorySplit(rows, sizes).map((line) => `MemoryStore row, ${line}.`);
  const loginLines = logins.map(
    (l) =>
      `${l.key}: ${count(l.users)} users logged in through POST /wx/login against the emulator in ${fmt(l.seconds)} s (${fmt(l.perSecond)} logins/s)`,
  );
  // Under 16 B is the probe's noise (a negative figure included): nothing per entry.
  const bytes = (b) => (Math.abs(b) < 16 ? 'under 16 B' : `${fmt(b)} B`);
  const bytesSplit = (heap, offHeap) =>
    `${bytes(heap)} in the heap${offHeap === undefined ? '' : `, ${bytes(offHeap)} outside it`}`;
  const memoryLines = memory
    ? [
        `memory per cached token: ${bytesSplit(memory.tokenBytes)} (tokenCacheBytes counts ${fmt(memory.tokenEstimate)} B); ` +
          `per cached session: ${bytesSplit(memory.sessionBytes)} (sessionCacheBytes counts ${fmt(memory.sessionEstimate)} B); ` +
          `per user in a MemoryStore (session + session key): ${bytesSplit(memory.storeBytesPerUser, memory.storeOffHeapBytesPerUser)}; measured over ${count(memory.count)}`,
      ]
    : [];
  console.log(
    `\n${envLine}\n\n${table}\n\n${goalTable}\n\n${[...notes, ...splitLines, ...loginLines, ...memoryLines].join('\n')}`,
  );

  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const raw = Object.fromEntries([...results].map(([k, byN]) => [k, Object.fromEntries(byN)]));
  writeFileSync(
    new URL('latest.json', dir),
    `${JSON.stringify({ environment: env, quick, sizes, rounds, rows, targets: goals, logins, memory, raw }, null, 2)}\n`,
  );
  const md = [
    '<!-- written by npm run bench; do not edit -->',
    envLine,
    '',
    table,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    goalTable,
    '',
    ...splitLines.map((l) => `- ${l}`),
    ...loginLines.map((l) => `- ${l}`),
    ...memoryLines.map((l) => `- ${l}`),
    '',
  ].join('\n');
  writeFileSync(new URL('latest.md', dir), md);
}
