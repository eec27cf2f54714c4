// The report: one table (requests/s, p50, p99, ratio to bare Express from the same run, CPU),
// printed, and written to bench/results/latest.json and latest.md with the machine and date.

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const MB = 1024 * 1024;
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const mb = (bytes) => `${fmt(bytes / MB, 1)} MB`;

export function environment() {
  return {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    date: new Date().toISOString(),
  };
}

/** Below this share of one core, something else took the server's CPU during the run. */
export const BUSY = 0.9;

function tableRows(rows, baseline) {
  return rows.map((r) => [
    `${r.name}${r.serverCpu < BUSY ? ' (*)' : ''}`,
    fmt(r.requestsPerSecond),
    fmt(r.p50),
    fmt(r.p99),
    baseline ? fmt(r.requestsPerSecond / baseline, 2) : '-',
    `${fmt(r.serverCpu * 100)}%${r.alsoCpu === undefined ? '' : ` + ${fmt(r.alsoCpu * 100)}%`}`,
    fmt(r.serverCpuUsPerRequest),
    String(r.non2xx + r.errors),
  ]);
}

const HEAD = ['name', 'req/s', 'p50 ms', 'p99 ms', 'x bare', 'server CPU', 'CPU us/req', 'non-2xx/err'];

function markdownTable(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function textTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

function memoryLines({ fill, sustained }) {
  const lines = [];
  if (fill) {
    lines.push(
      `MemoryStore (default bound): ${fill.inserted.toLocaleString('en')} sessions set, ${fill.kept.toLocaleString('en')} kept; ` +
        `heap ${mb(fill.before)} -> ${mb(fill.after)} (+${mb(fill.after - fill.before)}, ${fmt((fill.after - fill.before) / fill.kept)} B per kept entry); ` +
        `${fmt(fill.setsPerSecond)} sets/s`,
    );
  }
  if (sustained) {
    lines.push(
      `Sustained ${sustained.seconds} s on ours + MemoryStore: ${fmt(sustained.requestsPerSecond)} req/s, ` +
        `heap after gc ${mb(sustained.heapBefore)} -> ${mb(sustained.heapAfter)} (${sustained.heapAfter >= sustained.heapBefore ? '+' : ''}${mb(sustained.heapAfter - sustained.heapBefore)}), ` +
        `${sustained.non2xx + sustained.errors} non-2xx/errors`,
    );
  }
  return lines;
}

/** Prints the report and writes bench/results/latest.{json,md}. */
export function writeReport(results) {
  const env = environment();
  const bares = results.rows.filter((r) => r.baseline);
  const baseline = bares.reduce((sum, r) => sum + r.requestsPerSecond, 0) / bares.length;
  results.baselineRequestsPerSecond = baseline;
  const busy = [...results.rows, ...(results.login ?? [])].some((r) => r.serverCpu < BUSY);
  const rows = tableRows(results.rows, baseline);
  const login = tableRows(results.login ?? [], undefined);
  const memory = memoryLines(results);
  const notes = [
    `x bare: requests/s divided by the mean of the two bare Express runs (${fmt(baseline)} req/s). ` +
      'server CPU: the server process, 1 core = 100% (after the +: the emulator process); ' +
      "CPU us/req: the server's CPU time per request, steadier than req/s when the machine is shared.",
    ...(busy
      ? [
          `(*) server CPU under ${BUSY * 100}%: another process took CPU during that run; its numbers are unreliable.`,
        ]
      : []),
  ];
  const envLine = `node ${env.node}, ${env.cpu} (${env.cores} cores), ${env.date}${results.quick ? ', BENCH_QUICK=1' : ''}`;

  console.log(`\n${envLine}\n\n${textTable(HEAD, rows)}\n${notes.join('\n')}`);
  if (login.length) console.log(`\n${textTable(HEAD, login)}`);
  if (memory.length) console.log(`\n${memory.join('\n')}`);

  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('latest.json', dir),
    `${JSON.stringify({ environment: env, ...results }, null, 2)}\n`,
  );
  const md = [
    `<!-- written by npm run bench; do not edit -->`,
    envLine,
    '',
    markdownTable(HEAD, rows),
    '',
    ...notes.map((n) => `${n}  `),
    '',
    ...(login.length ? [markdownTable(HEAD, login), ''] : []),
    ...memory.map((l) => `- ${l}`),
    '',
  ].join('\n');
  writeFileSync(new URL('latest.md', dir), md);
}
