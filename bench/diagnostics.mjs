// `npm run bench:diagnostics` (issue 20): what the diagnostics_channel instrumentation costs.
//   1. The no-subscriber cost: a request's publish point (`publish()` of src/diagnostics.ts, one
//      per request on the guard path) timed in a tight loop with nobody listening, and the same
//      loop with an empty function in its place, so that the difference is the publish point alone.
//   2. The same server with and without a listener on every channel (what an APM agent does),
//      interleaved with bare Express over 10,000 rotating users, as ratios to bare in each round.

import { execFileSync, execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { measure } from './lib/load.mjs';
import { environmentLine, median } from './lib/report.mjs';
import { KINDS, prepare, stopWechat } from './lib/rotation.mjs';

const QUICK = process.argv.includes('--quick');
const USERS = QUICK ? 1_000 : 10_000;
const ROUNDS = QUICK ? 2 : 5;
const root = new URL('..', import.meta.url);
const step = (what) => console.log(what);

step('publish point with no subscriber (tight loop, ns per call):');
const publishPoint = execFileSync('node', ['--import', 'tsx', 'bench/memory/publish-point.ts'], {
  cwd: root,
  encoding: 'utf8',
});
step(publishPoint);

execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const ours = KINDS.find((k) => k.key === 'ours-memory');
const rows = [
  KINDS.find((k) => k.key === 'bare'),
  ours,
  { ...ours, key: 'ours-observed', env: { ...ours.env, BENCH_SUBSCRIBE: '1' } },
];
const prepared = [];
for (const kind of rows) prepared.push(await prepare(kind, { count: USERS }));
await stopWechat();
const ratios = new Map(rows.map((k) => [k.key, []]));
const cpu = new Map(rows.map((k) => [k.key, []]));
for (const p of prepared) await measure(p.server, p.headers, { passes: 1 });
for (let round = 0; round < ROUNDS; round++) {
  const order = prepared.map((_, i) => prepared[(i + round) % prepared.length]);
  const rps = new Map();
  for (const p of order) {
    const stats = await measure(p.server, p.headers);
    rps.set(p.kind.key, stats.requestsPerSecond);
    cpu.get(p.kind.key).push(stats.serverCpuUsPerRequest);
    if (stats.non2xx + stats.errors) throw new Error(`${p.kind.key}: ${stats.non2xx} non-2xx`);
  }
  for (const [key, value] of rps) ratios.get(key).push(value / rps.get('bare'));
  step(`round ${round + 1}: ${[...rps].map(([k, v]) => `${k} ${v.toFixed(0)} req/s`).join(', ')}`);
}
for (const p of prepared) await p.server.stop();
const names = {
  bare: 'bare Express 5',
  'ours-memory': 'express-wx-login + MemoryStore, nobody subscribed',
  'ours-observed': 'the same, a listener on every wxChannels channel',
};
const lines = [
  '<!-- written by npm run bench:diagnostics; do not edit -->',
  environmentLine(),
  '',
  'One publish point with nobody subscribed (`bench/memory/publish-point.ts`, 20 million calls):',
  '',
  '```',
  publishPoint.trimEnd(),
  '```',
  '',
  `${USERS.toLocaleString('en')} users rotating, ${ROUNDS} rounds, ratios to bare Express 5 in the same round:`,
  '',
  '| row | x bare (median, min-max) | CPU us/req |',
  '| --- | --- | --- |',
  ...rows.map(({ key }) => {
    const r = ratios.get(key);
    return `| ${names[key]} | ${median(r).toFixed(2)} (${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}) | ${median(cpu.get(key)).toFixed(1)} |`;
  }),
  '',
];
const out = new URL(`./results/diagnostics${QUICK ? '-quick' : ''}.md`, import.meta.url);
writeFileSync(out, lines.join('\n'));
step(lines.join('\n'));
process.exit(0);
