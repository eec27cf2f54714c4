// `npm run bench` (`-- --quick` for a small version): builds the package, makes sure Redis answers,
// logs N users into every row's server, runs the interleaved rotation rounds, measures heap per entry.

import { execFileSync, execSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { QUICK } from './lib/load.mjs';
import { measureCacheHeap } from './lib/memory.mjs';
import { writeReport } from './lib/report.mjs';
import { KINDS, prepare, REDIS_PREFIX, ROUNDS, rotate, SIZES, stopWechat } from './lib/rotation.mjs';

const root = new URL('..', import.meta.url);

function ensureRedis() {
  const ping = () => {
    try {
      return (
        execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping'], { encoding: 'utf8' }).trim() ===
        'PONG'
      );
    } catch {
      return false;
    }
  };
  if (ping()) return;
  console.log('starting redis-server on 127.0.0.1:6379');
  execSync('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no');
  for (let i = 0; i < 50 && !ping(); i++) execSync('sleep 0.1');
  if (!ping()) throw new Error('Redis does not answer at 127.0.0.1:6379');
}

/** Removes every key this run wrote to the shared Redis (7-day sessions would otherwise stay). */
async function cleanRedis() {
  const client = new Redis({ host: '127.0.0.1', port: 6379 });
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
  await client.quit();
}

const started = Date.now();
const step = (what) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}`);

step('npm run build');
execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
ensureRedis();

const prepared = [];
try {
  for (const kind of KINDS) {
    step(`${kind.key}: starting, ${SIZES.at(-1).toLocaleString('en')} users`);
    const p = await prepare(kind, { step });
    if (p) prepared.push(p);
    else step(`${kind.key}: not in this build, left as a placeholder row`);
  }
  await stopWechat();
  const results = await rotate(prepared, step);
  for (const p of prepared) await p.server.stop();
  step('memory: heap per cached token, cached session, stored user');
  const memory = await measureCacheHeap();
  writeReport({
    kinds: KINDS,
    sizes: SIZES,
    rounds: ROUNDS,
    results,
    logins: prepared.filter((p) => p.login).map((p) => ({ key: p.kind.key, ...p.login })),
    memory,
    seconds: (Date.now() - started) / 1000,
    quick: QUICK,
  });
} finally {
  await cleanRedis();
}
step('done');
process.exit(0);
