// `node bench/profile.mjs [row ...]`: bench rows under --cpu-prof (default: bare, memory, redis),
// profiles in bench/results/, and each request's CPU by function and package, also over bare.

import { execSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/cpuprofile.mjs';
import { RUN_SECONDS } from './lib/load.mjs';
import { measureLogins } from './lib/login.mjs';
import { measureRow, ROWS } from './lib/throughput.mjs';

const results = fileURLToPath(new URL('./results/', import.meta.url));
const wanted = process.argv.slice(2);
const slugOf = (r) =>
  r.ours
    ? `ours-${r.ours}`
    : r.env?.BENCH_SESSION_STORE
      ? `${r.server}-${r.env.BENCH_SESSION_STORE}`
      : r.server;
const LOGIN = { name: 'login: POST /wx/login (ours + emulator)', ours: 'login' };
const picked = (r) => wanted.includes(slugOf(r)) || wanted.includes(r.ours);
const rows = [...ROWS, LOGIN].filter((r) =>
  wanted.length ? picked(r) : (r.ours || r.baseline) && r !== LOGIN,
);
const TOP = Number(process.env.BENCH_TOP ?? 25);
const us = (ms, requests) => ((ms * 1000) / requests).toFixed(2).padStart(7);

if (process.env.BENCH_NO_BUILD !== '1') execSync('npm run build', { stdio: ['ignore', 'ignore', 'inherit'] });
const areas = new Map();
const functions = new Map();
for (const row of rows) {
  const name = `${slugOf(row)}.cpuprofile`;
  const execArgv = ['--cpu-prof', `--cpu-prof-dir=${results}`, `--cpu-prof-name=${name}.tmp`];
  const stats =
    row === LOGIN
      ? (await measureLogins({ oursExecArgv: execArgv }))[0]
      : await measureRow(row, { execArgv });
  // The child writes its profile while exiting, which measureRow has waited for.
  renameSync(`${results}${name}.tmp`, `${results}${name}`);
  // The measured run only (not start-up, logins or warm-up): its last second is left out too.
  const summary = summarize(`${results}${name}`, { lastMs: (RUN_SECONDS - 1) * 1000 });
  const requests = stats.requestsPerSecond * (RUN_SECONDS - 1);
  console.log(
    `\n== ${row.name}: ${stats.requestsPerSecond.toFixed(0)} req/s under the profiler, ` +
      `${us(summary.total, requests).trim()} us of CPU per request (idle excluded); results/${name}`,
  );
  console.log('-- self time by function, us per request');
  for (const f of summary.functions.slice(0, TOP)) console.log(`${us(f.ms, requests)}  ${f.name}`);
  areas.set(slugOf(row), new Map(summary.areas.map((a) => [a.name, (a.ms * 1000) / requests])));
  functions.set(slugOf(row), new Map(summary.functions.map((f) => [f.name, (f.ms * 1000) / requests])));
}

// What each row adds over bare Express, function by function, when bare was profiled too.
const bare = functions.get('bare');
for (const [slug, mine] of bare ? functions : []) {
  if (slug === 'bare') continue;
  const extra = [...mine].map(([name, v]) => [name, v - (bare.get(name) ?? 0)]).sort((a, b) => b[1] - a[1]);
  console.log(`\n-- ${slug}: self time over bare Express, us per request`);
  for (const [name, v] of extra.slice(0, TOP)) console.log(`${v.toFixed(2).padStart(7)}  ${name}`);
}

// Side by side, so that the cost a row adds over bare Express reads off directly.
const names = [...new Set([...areas.values()].flatMap((m) => [...m.keys()]))];
const total = (name) => Math.max(...[...areas.values()].map((m) => m.get(name) ?? 0));
console.log(
  `\n-- self time by area, us per request\n${'area'.padEnd(28)}${[...areas.keys()].map((k) => k.padStart(14)).join('')}`,
);
for (const name of names.sort((a, b) => total(b) - total(a)).slice(0, 16)) {
  console.log(
    `${name.padEnd(28)}${[...areas.values()].map((m) => (m.get(name) ?? 0).toFixed(2).padStart(14)).join('')}`,
  );
}
process.exit(0);
