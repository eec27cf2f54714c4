// `npm run bench`: builds the package, makes sure Redis answers, measures GET /hello on ours and
// the peers, login throughput, and memory, then prints and saves the table. BENCH_QUICK=1: short.

import { execFileSync, execSync } from 'node:child_process';
import { QUICK } from './lib/load.mjs';
import { measureLogins } from './lib/login.mjs';
import { measureStoreFill, measureSustained } from './lib/memory.mjs';
import { BUSY, writeReport } from './lib/report.mjs';
import { measureRow, ROWS } from './lib/throughput.mjs';

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

const started = Date.now();
const step = (what) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${what}`);

step('npm run build');
execSync('npm run build', { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
ensureRedis();

// A run during which another process took the server's CPU is measured once more (a few times
// per bench at most, to stay within minutes), and the steadier of the two kept.
let retries = 4;
async function measureSteady(row) {
  const first = await measureRow(row);
  if (first.serverCpu >= BUSY || retries === 0) return first;
  retries--;
  step(`${row.name}: the machine was busy (server CPU ${(first.serverCpu * 100).toFixed(0)}%), once more`);
  const second = await measureRow(row);
  return second.serverCpu > first.serverCpu ? second : first;
}

const rows = [];
for (const row of ROWS) {
  step(row.name);
  rows.push({ ...(await measureSteady(row)), ...(row.baseline ? { baseline: true } : {}) });
}
// Bare Express again at the end: the ratios divide by the mean of both, and their gap shows how
// much the machine drifted during the run.
const bare = ROWS.find((r) => r.baseline);
step(`${bare.name}, again`);
rows.push({ ...(await measureSteady(bare)), name: `${bare.name}, again`, baseline: true });
step('login throughput');
const login = await measureLogins();
step('memory: MemoryStore fill');
const fill = await measureStoreFill();
step('memory: sustained run');
const sustained = await measureSustained();
step('done');

writeReport({ quick: QUICK, rows, login, fill, sustained, seconds: (Date.now() - started) / 1000 });
process.exit(0);
