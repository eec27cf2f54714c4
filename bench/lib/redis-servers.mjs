// Private Redis for the million-user figures: a standalone redis-server, or a Redis Cluster of
// three masters, each on a free loopback port in a temp folder, killed when the bench exits.
// Private, so that MEMORY USAGE and used_memory count this run's keys and nothing else.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set();
const folders = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startNode(extraArgs = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wxl-bench-redis-'));
  folders.push(dir);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--dir', dir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server :${port} did not start: ${output}`)),
      20_000,
    );
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server :${port} exited with ${code}: ${output}`)));
  });
  return port;
}

const cli = (port, ...args) =>
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });

/** A standalone redis-server; resolves to its port. */
export const startRedis = () => startNode();

/** A Redis Cluster of `masters` masters (no replicas: the figures are per write, not per copy). */
export async function startCluster(masters = 3) {
  const ports = [];
  for (let i = 0; i < masters; i++) ports.push(await startNode(['--cluster-enabled', 'yes']));
  execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    if (ports.every((port) => cli(port, 'cluster', 'info').includes('cluster_state:ok'))) return ports;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the bench Redis Cluster did not reach cluster_state:ok');
}

/** `redis-cli` against one node, for INFO and MEMORY USAGE. */
export const redisCli = cli;
