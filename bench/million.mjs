// `npm run bench:million` (issue 20, run on demand, not in `npm test`): the figures for a million
// users. Everything runs on private redis-servers started here (so that their memory counts this
// run's keys only) and one emulator process shared by every login server:
//   1. one million sessions made through the real login path (POST /wx/login, code2Session at the
//      emulator) by 2-4 login processes sharing one Redis: logins/s;
//   2. Redis memory per record (MEMORY USAGE of sampled keys, by kind) and used_memory per user;
//   3. requireWxSession() over a rotating set of 100,000 of those users on a fresh instance, on
//      that Redis and on a 3-master Redis Cluster, next to bare Express in the same rounds;
//   4. MemoryStore memory per user (in the heap and outside it) at 100,000 and 1,000,000 users.
// Flags: --users N (default 1,000,000), --procs P (default 3), --hot N (default 100,000), --quick;
// --report-only rewrites results/million.md from results/million.json.

import { execSync, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startServer } from './lib/children.mjs';
import { dummyTokens, inParallel } from './lib/credentials.mjs';
import { measure } from './lib/load.mjs';
import { redisCli, startCluster, startRedis } from './lib/redis-servers.mjs';
import { environmentLine, median } from './lib/report.mjs';

const flag = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const QUICK = process.argv.includes('--quick');
const USERS = flag('users', QUICK ? 20_000 : 1_000_000);
const PROCS = flag('procs', 3);
const HOT = Math.min(USERS, flag('hot', QUICK ? 10_000 : 100_000));
const ROUNDS = QUICK ? 1 : 3;
const HEAP_SIZES = QUICK ? [20_000] : [100_000, 1_000_000];
const root = new URL('..', import.meta.url);
const started = Date.now();
const step = (what) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${what}`);

/** `count` users logged in across `servers` (round-robin); returns the first `keep` bearer headers. */
async function logIn(emulator, servers, count, keep) {
  const t0 = performance.now();
  const kept = [];
  for (let done = 0; done < count; done += 10_000) {
    const batch = Math.min(10_000, count - done);
    const codes = await emulator.call('codes', { n: batch });
    const headers = await inParallel(batch, 16 * servers.length, async (i) => {
      const server = servers[i % servers.length];
      const res = await fetch(`${server.url}/wx/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: codes[i] }),
      });
      if (res.status !== 200) throw new Error(`POST /wx/login: ${res.status} ${await res.text()}`);
      const { token } = await res.json();
      return done + i < keep ? { authorization: `Bearer ${token}` } : undefined;
    });
    for (const h of headers) if (h) kept.push(h);
    if ((done + batch) % 100_000 === 0 || done + batch === count) {
      const seconds = (performance.now() - t0) / 1000;
      step(`  ${(done + batch).toLocaleString('en')} logins, ${((done + batch) / seconds).toFixed(0)}/s`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { headers: kept, seconds, perSecond: count / seconds };
}

const loginEnv = (wechat, store) => ({
  ...store,
  BENCH_PREFIX: 'wxl:',
  BENCH_EMULATOR_URL: wechat.url,
  BENCH_APP_ID: wechat.appId,
  BENCH_APP_SECRET: wechat.appSecret,
});

async function loginServers(wechat, store) {
  return Promise.all(
    Array.from({ length: PROCS }, () => startServer('ours', { env: loginEnv(wechat, store) })),
  );
}

/** Bytes per key kind: `<appId>:sess:…` → sess, `<appId>:{u:…}:sessions` → sessions. */
function kindOf(key) {
  const rest = key.slice('wxl:'.length).split(':').slice(1).join(':');
  return rest.startsWith('{') ? rest.slice(rest.indexOf('}:') + 2) : rest.split(':')[0];
}

async function memoryByKind(port) {
  const client = new Redis({ host: '127.0.0.1', port });
  const sums = new Map();
  let cursor = '0';
  let sampled = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const bytes = await client.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      const entry = sums.get(kindOf(key)) ?? { keys: 0, bytes: 0 };
      entry.keys++;
      entry.bytes += Number(bytes);
      sums.set(kindOf(key), entry);
      sampled++;
    }
  } while (cursor !== '0' && sampled < 30_000);
  await client.quit();
  return Object.fromEntries(
    [...sums].map(([kind, { keys, bytes }]) => [kind, { sampled: keys, bytes: bytes / keys }]),
  );
}

const usedMemory = (port) => Number(/used_memory:(\d+)/.exec(redisCli(port, 'info', 'memory'))[1]);
const dbsize = (port) => Number(redisCli(port, 'dbsize').trim());

/** Rounds of bare Express and a fresh instance over the `hot` users' tokens, interleaved. */
async function throughput(hot, store) {
  const bare = await startServer('bare');
  const ours = await startServer('ours', { env: { ...store, BENCH_PREFIX: 'wxl:' } });
  const dummies = dummyTokens(hot.length);
  // Every token is new to this instance: its first pass verifies each and reads each session.
  const cold = await measure(ours, hot, { passes: 1 });
  const rows = { bare: [], ours: [], cold };
  for (let round = 0; round < ROUNDS; round++) {
    const pair = round % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
    for (const which of pair) {
      const stats = which === 'bare' ? await measure(bare, dummies) : await measure(ours, hot);
      rows[which].push(stats);
      step(
        `  ${which}: ${stats.requestsPerSecond.toFixed(0)} req/s, ${stats.serverCpuUsPerRequest.toFixed(0)} us CPU/req, ${stats.non2xx} non-2xx`,
      );
    }
  }
  await bare.stop();
  await ours.stop();
  return rows;
}

function storeHeap(count) {
  const file = fileURLToPath(new URL('./memory/store-heap.ts', import.meta.url));
  const child = fork(file, [String(count)], {
    execArgv: ['--expose-gc', '--max-old-space-size=6144', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => code !== 0 && reject(new Error(`store-heap exited with ${code}`)));
  });
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Ratio to bare of each round (rows alternate bare/ours, so round i pairs bare[i] with ours[i]). */
function throughputRow(name, rows) {
  const ratios = rows.ours.map((o, i) => o.requestsPerSecond / rows.bare[i].requestsPerSecond);
  const rps = median(rows.ours.map((o) => o.requestsPerSecond));
  const cpu = median(rows.ours.map((o) => o.serverCpuUsPerRequest));
  const bareCpu = median(rows.bare.map((o) => o.serverCpuUsPerRequest));
  return (
    `| ${name} | ${fmt(rps)} | ${fmt(median(ratios), 2)} (${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)}) | ` +
    `${fmt(cpu)} (bare ${fmt(bareCpu)}) | ${fmt(rows.cold.requestsPerSecond)} (${fmt(rows.cold.serverCpuUsPerRequest)} us) |`
  );
}

function writeMarkdown(result, file) {
  const m = result.redisMemory;
  const lines = [
    '<!-- written by npm run bench:million; do not edit -->',
    `${result.env}, ${fmt(result.seconds / 60, 1)} min`,
    '',
    `**Logins**: ${fmt(result.users)} sessions through POST /wx/login (code2Session at the emulator) by ` +
      `${result.procs} processes sharing one Redis: ${fmt(result.logins.seconds)} s, **${fmt(result.logins.perSecond)} logins/s** ` +
      `(on 2 cores shared with the load generator, the emulator and Redis). Redis Cluster: ${fmt(result.hot)} logins, ` +
      `${fmt(result.clusterLogins.perSecond)} logins/s.`,
    '',
    `**Redis memory** after ${fmt(result.users)} users (${fmt(m.keys)} keys): used_memory grew **${fmt(m.usedMemoryPerUser)} B per user**. ` +
      'MEMORY USAGE of sampled keys (bytes, average):',
    '',
    '| record | key | bytes |',
    '| --- | --- | --- |',
    `| session | \`<prefix><appId>:sess:<sid>\` | ${fmt(m.byKind.sess?.bytes ?? 0)} |`,
    `| session_key | \`<prefix><appId>:skey:<openid>\` | ${fmt(m.byKind.skey?.bytes ?? 0)} |`,
    `| the user's session index (sorted set) | \`<prefix><appId>:{u:<openid>}:sessions\` | ${fmt(m.byKind.sessions?.bytes ?? 0)} |`,
    '',
    `**requireWxSession()** over ${fmt(result.hot)} rotating users, on an instance that issued none of their tokens, ` +
      `${result.rounds} rounds interleaved with bare Express 5 (ioredis with \`enableAutoPipelining\`):`,
    '',
    '| store | req/s (median) | x bare (median, min-max) | CPU us/req | first pass, every token new |',
    '| --- | --- | --- | --- | --- |',
    throughputRow('RedisStore, one Redis', result.redis),
    throughputRow('RedisStore, Redis Cluster (3 masters)', result.cluster),
    '',
    '**MemoryStore memory** per user (session, session_key, session index; after gc): in the V8 heap, ' +
      'and outside it (typed arrays and byte buffer):',
    '',
    '| users | entries | heap per user | outside the heap per user |',
    '| --- | --- | --- | --- |',
    ...result.memoryStore.map(
      (h) =>
        `| ${fmt(h.count)} | ${fmt(h.entries)} | ${fmt(h.bytesPerUser)} B | ${h.offHeapBytesPerUser === undefined ? '-' : `${fmt(h.offHeapBytesPerUser)} B`} |`,
    ),
    '',
  ];
  writeFileSync(file, lines.join('\n'));
}

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
if (process.argv.includes('--report-only')) {
  writeMarkdown(JSON.parse(readFileSync(`${resultsDir}million.json`, 'utf8')), `${resultsDir}million.md`);
  process.exit(0);
}

step('npm run build');
execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const emulator = await startServer('emulator');
const wechat = await emulator.call('wechat');
const result = { users: USERS, procs: PROCS, hot: HOT, rounds: ROUNDS };

step(`Redis: ${USERS.toLocaleString('en')} logins through ${PROCS} login processes`);
const redisPort = await startRedis();
const redisStore = { BENCH_STORE: 'redis', BENCH_REDIS_PORT: String(redisPort) };
const memoryBefore = usedMemory(redisPort);
let servers = await loginServers(wechat, redisStore);
const redisLogins = await logIn(emulator, servers, USERS, HOT);
for (const s of servers) await s.stop();
result.logins = { seconds: redisLogins.seconds, perSecond: redisLogins.perSecond };
result.redisMemory = {
  keys: dbsize(redisPort),
  usedMemoryPerUser: (usedMemory(redisPort) - memoryBefore) / USERS,
  byKind: await memoryByKind(redisPort),
};
step(`Redis memory: ${JSON.stringify(result.redisMemory)}`);

step(`requireWxSession() over ${HOT.toLocaleString('en')} rotating users on Redis`);
result.redis = await throughput(redisLogins.headers, redisStore);
redisCli(redisPort, 'flushall');

step(`Redis Cluster (3 masters): ${HOT.toLocaleString('en')} logins, then the same rounds`);
const clusterPorts = await startCluster(3);
const clusterStore = { BENCH_STORE: 'cluster', BENCH_CLUSTER_PORTS: clusterPorts.join(',') };
servers = await loginServers(wechat, clusterStore);
const clusterLogins = await logIn(emulator, servers, HOT, HOT);
for (const s of servers) await s.stop();
result.clusterLogins = { seconds: clusterLogins.seconds, perSecond: clusterLogins.perSecond };
result.cluster = await throughput(clusterLogins.headers, clusterStore);
await emulator.stop();

result.memoryStore = [];
for (const count of HEAP_SIZES) {
  step(`MemoryStore heap at ${count.toLocaleString('en')} users`);
  result.memoryStore.push(await storeHeap(count));
}
result.seconds = (Date.now() - started) / 1000;
result.env = environmentLine();
const out = `${resultsDir}million${QUICK ? '-quick' : ''}`;
writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
writeMarkdown(result, `${out}.md`);
step(`done: ${out}.md`);
process.exit(0);
