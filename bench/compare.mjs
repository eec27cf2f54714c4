// `node bench/compare.mjs [--n N] [--seconds S] [--rounds R] row ...`: a few servers side by side
// in short interleaved runs at N rotating users, each as the ratio of its CPU per request to the
// first row's in the same round, with what the garbage collector did meanwhile. The experiments
// behind "Where the time goes" in bench/README.md. Builds nothing: `npm run build` first.
//
// A row is `<key>:<users>[:<option>+<option>...]`: key is a row of `npm run bench` (bare,
// ours-memory, ours-memory-open (its control: /hello unguarded), ours-redis, ours-guard, express-jwt,
// ...) or `layers` (bare Express with a
// do-nothing middleware pair and guard); users, how many users its server has (logged in through
// the real login path for ours); options:
//   self       the server logs its own users in (ours-redis otherwise has another instance do it)
//   gc         two full collections in the server once its users are ready (--expose-gc); the
//              report then shows the heap the server keeps once its caches are warm
//   VAR=value  an environment variable of the server, e.g. NODE_OPTIONS=--max-semi-space-size=64;
//              for ours also BENCH_GUARD=none (the control), BENCH_TOKEN_CACHE_BYTES=0 and
//              BENCH_SESSION_CACHE_BYTES=0 (the cache bounds)
//
// --cold: each round sends a slice of tokens the server has never seen, each once (as the bench's
// N = 100,000 column does): the row's users are split between the rounds, and --n is ignored.
//
// node bench/compare.mjs --n 10000 bare:10000 ours-redis:10000 ours-redis:10000:self
// node bench/compare.mjs --cold --rounds 3 bare:90000 ours-memory:90000

import { measure } from './lib/load.mjs';
import { fmt, median } from './lib/report.mjs';
import { KINDS, prepare, stopWechat } from './lib/rotation.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const n = flag('--n', 10_000);
const seconds = flag('--seconds', 4);
const rounds = flag('--rounds', 6);
const cold = args.includes('--cold');
const VALUED = ['--n', '--seconds', '--rounds'];
const specs = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1]));
if (specs.length < 2) throw new Error('name two rows or more; see the top of bench/compare.mjs');

const LAYERS = { key: 'bare', server: 'layers' };

/** The bench kind a row spec stands for, with its options applied. */
function kindOf(spec) {
  const [key, users, options = ''] = spec.split(':');
  const base = key === 'layers' ? LAYERS : KINDS.find((k) => k.key === key);
  if (!base || !(Number(users) > 0)) throw new Error(`not a row: ${spec}`);
  const kind = { ...base, env: { ...base.env, BENCH_GC_STATS: '1' } };
  for (const option of options.split('+').filter(Boolean)) {
    if (option === 'self') kind.loginInstance = false;
    else if (option === 'gc') kind.fullGc = true;
    else {
      const eq = option.indexOf('=');
      if (eq < 1) throw new Error(`not an option: ${option} (in ${spec})`);
      kind.env[option.slice(0, eq)] = option.slice(eq + 1);
    }
  }
  if (kind.fullGc) kind.env.NODE_OPTIONS = `${kind.env.NODE_OPTIONS ?? ''} --expose-gc`.trim();
  return { kind, users: Number(users) };
}

const rows = [];
for (const spec of specs) {
  const { kind, users } = kindOf(spec);
  const prepared = await prepare(kind, { step: (what) => console.log(`${spec}: ${what}`), count: users });
  if (!prepared) throw new Error(`${spec}: this build cannot start it`);
  // The server's own IPC 'heap' request collects twice when gc is exposed (bench/lib/serve.mjs).
  if (kind.fullGc && !(await prepared.server.call('heap')).gc) throw new Error(`${spec}: gc not exposed`);
  rows.push({
    spec,
    kind,
    prepared,
    headers: cold ? prepared.headers : prepared.headers.slice(0, n),
    runs: [],
  });
}
await stopWechat();
for (const row of cold ? [] : rows) {
  await measure(row.prepared.server, row.headers, { passes: 2 });
  // With gc exposed: the heap the server keeps once its caches are warm.
  if (row.kind.fullGc) row.heapMb = (await row.prepared.server.call('heap')).heapUsed / 2 ** 20;
}

for (let round = 0; round < rounds; round++) {
  // Alternate the order, so that no row always follows the same one.
  for (const row of round % 2 ? [...rows].reverse() : rows) {
    const { server } = row.prepared;
    const before = await server.call('gc');
    const per = Math.floor(row.headers.length / rounds);
    const stats = cold
      ? await measure(server, row.headers.slice(round * per, (round + 1) * per), { passes: 1 })
      : await measure(server, row.headers, { duration: seconds });
    const after = await server.call('gc');
    const perRequest = (ms) => (ms * 1000) / stats.total;
    row.runs.push({
      cpu: stats.serverCpuUsPerRequest,
      helpers: stats.helperCpuUsPerRequest,
      minorPause: perRequest(after.minorMs - before.minorMs),
      majorPause: perRequest(after.majorMs - before.majorMs),
      majorPer10k: ((after.major - before.major) * 10_000) / stats.total,
    });
  }
}

const first = rows[0].runs;
console.log(
  `\n${cold ? 'cold (each token new, once)' : `N = ${n.toLocaleString('en')}`}, ${rounds} rounds${cold ? '' : ` of ${seconds} s`}; CPU us per request, median over rounds; ` +
    `ratio: CPU per request over ${rows[0].spec}'s in the same round, median (min-max)`,
);
console.log(
  'row | CPU | ratio | V8 helper threads | GC pauses young / full | full GCs per 10k requests | heap after gc (MiB)',
);
for (const row of rows) {
  const ratios = row.runs.map((r, i) => r.cpu / first[i].cpu);
  const m = (key) => median(row.runs.map((r) => r[key]));
  console.log(
    `${row.spec} | ${fmt(m('cpu'))} | ${fmt(median(ratios), 2)} (${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)}) | ` +
      `${fmt(m('helpers'))} | ${fmt(m('minorPause'), 1)} / ${fmt(m('majorPause'), 1)} | ${fmt(m('majorPer10k'), 1)} | ${row.heapMb === undefined ? '-' : fmt(row.heapMb)}`,
  );
}
process.exit(0);
