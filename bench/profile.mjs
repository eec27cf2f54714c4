// `node bench/profile.mjs [--quick] [--n N] [row ...]`: rows of the rotation bench under --cpu-prof
// at N users (default: bare, ours-memory, ours-redis at the largest N), each request's CPU by function.

import { execSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { summarize } from './lib/cpuprofile.mjs';
import { KINDS, prepare, runAt, SIZES } from './lib/rotation.mjs';

const results = fileURLToPath(new URL('./results/', import.meta.url));
const args = process.argv.slice(2);
const nAt = args.indexOf('--n');
const n = nAt >= 0 ? Number(args[nAt + 1]) : SIZES.at(-1);
if (!SIZES.includes(n)) throw new Error(`--n must be one of ${SIZES.join(', ')}`);
const wanted = args.filter((a, i) => !a.startsWith('--') && i !== nAt + 1);
const rows = KINDS.filter((k) =>
  wanted.length ? wanted.includes(k.key) : ['bare', 'ours-memory', 'ours-redis'].includes(k.key),
);
const TOP = Number(process.env.BENCH_TOP ?? 25);
const us = (ms, requests) => ((ms * 1000) / requests).toFixed(2).padStart(7);
const step = (what) => console.log(what);

if (process.env.BENCH_NO_BUILD !== '1') execSync('npm run build', { stdio: ['ignore', 'ignore', 'inherit'] });
const functions = new Map();
for (const kind of rows) {
  const name = `${kind.key}-${n}.cpuprofile`;
  const execArgv = ['--cpu-prof', `--cpu-prof-dir=${results}`, `--cpu-prof-name=${name}.tmp`];
  const prepared = await prepare(kind, { step, execArgv, count: n === SIZES.at(-1) ? n : SIZES.at(-2) });
  if (!prepared) continue;
  const stats = await runAt(prepared, n, 0);
  await prepared.server.stop();
  renameSync(`${results}${name}.tmp`, `${results}${name}`);
  // The measured run only (it ends just before the server is stopped), not logins or warm-up.
  const summary = summarize(`${results}${name}`, { lastMs: Math.max(500, stats.seconds * 1000 - 300) });
  const requests = stats.requestsPerSecond * (summary.sampledMs / 1000);
  console.log(
    `\n== ${kind.name} at N = ${n}: ${stats.requestsPerSecond.toFixed(0)} req/s under the profiler, ` +
      `${us(summary.total, requests).trim()} us of CPU per request (idle excluded); results/${name}`,
  );
  console.log('-- self time by function, us per request');
  for (const f of summary.functions.slice(0, TOP)) console.log(`${us(f.ms, requests)}  ${f.name}`);
  console.log('-- self time by area, us per request');
  for (const a of summary.areas.slice(0, 12)) console.log(`${us(a.ms, requests)}  ${a.name}`);
  functions.set(kind.key, new Map(summary.functions.map((f) => [f.name, (f.ms * 1000) / requests])));
}

// What each row adds over bare Express, function by function, when bare was profiled too.
const bare = functions.get('bare');
for (const [key, mine] of bare ? functions : []) {
  if (key === 'bare') continue;
  const extra = [...mine].map(([f, v]) => [f, v - (bare.get(f) ?? 0)]).sort((a, b) => b[1] - a[1]);
  console.log(`\n-- ${key}: self time over bare Express, us per request`);
  for (const [f, v] of extra.slice(0, TOP)) console.log(`${v.toFixed(2).padStart(7)}  ${f}`);
}
process.exit(0);
