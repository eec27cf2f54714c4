// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per package, so
// that the top costs of a server under load can be read without DevTools.

import { readFileSync } from 'node:fs';

/** Where a frame's code lives: a package, our build, Node itself, or V8's pseudo-frames. */
function areaOf(url) {
  if (!url) return 'v8/native';
  if (url.startsWith('node:')) return 'node core';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/')) return 'express-wx-login (dist)';
  if (url.includes('/bench/')) return 'bench server';
  return url;
}

function frameLabel({ functionName, url, lineNumber }) {
  const file = url ? url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/') : '';
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

/**
 * Self time (ms) per function and per area, largest first, the total busy time, and the wall time
 * the samples cover (`sampledMs`). With
 * `lastMs`, only the samples of the profile's last `lastMs` (the measured run, which ends just
 * before the server is stopped) count, not its start-up and logins.
 */
export function summarize(path, { lastMs = Number.POSITIVE_INFINITY } = {}) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const from = profile.endTime - lastMs * 1000;
  const selfMs = new Map();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= from) selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
  });
  const byFunction = new Map();
  const byArea = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    total += ms;
    const label = frameLabel(node.callFrame);
    byFunction.set(label, (byFunction.get(label) ?? 0) + ms);
    const area = name.startsWith('(') ? name : areaOf(node.callFrame.url);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  }
  const sorted = (m) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms, share: ms / total }));
  const sampledMs = (profile.endTime - Math.max(from, profile.startTime)) / 1000;
  return { total, sampledMs, functions: sorted(byFunction), areas: sorted(byArea) };
}
