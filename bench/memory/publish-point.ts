// The cost of one publish point when nobody subscribes: a loop calling `publish()` as the guard
// does on every request, against the same loop without it. Prints ns per call.

import { CHANNELS, publish } from '../../src/diagnostics.js';

const CALLS = 20_000_000;
const appId = 'wx_bench_app';
let sink = 0;

function withPublish(): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    sink += i & 1;
    publish(CHANNELS.tokenVerified, () => ({ appId, sessionAppId: appId, cached: (i & 1) === 1 }));
  }
  return Number(process.hrtime.bigint() - start) / CALLS;
}

function without(): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += i & 1;
  return Number(process.hrtime.bigint() - start) / CALLS;
}

// Warm both loops first, then time them alternately; the fastest of five runs of each.
withPublish();
without();
const published: number[] = [];
const bare: number[] = [];
for (let i = 0; i < 5; i++) {
  published.push(withPublish());
  bare.push(without());
}
const min = (xs: number[]) => Math.min(...xs);
console.log(`  loop with publish(), nobody subscribed: ${min(published).toFixed(1)} ns/iteration`);
console.log(`  the same loop without it:               ${min(bare).toFixed(1)} ns/iteration (${sink > 0})`);
console.log(
  `  one publish point costs:                ${(min(published) - min(bare)).toFixed(1)} ns per request`,
);
