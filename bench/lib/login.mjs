// The login rows: POST /wx/login with a fresh code per request against our app, whose WeChat is
// the emulator in a third process; and, beside it, the emulator's own /sns/jscode2session alone.

import { startServer } from './children.mjs';
import { measure, QUICK, RUN_SECONDS, WARMUP_SECONDS } from './load.mjs';

/** Hands each request the next unused code; once they run out the requests fail (and show it). */
function feeder(codes) {
  let next = 0;
  return {
    next: () => codes[Math.min(next++, codes.length - 1)],
    get used() {
      return next;
    },
  };
}

/** Warm-up on a first batch, then enough codes for the measured run at the warm-up's rate x 2. */
async function measureWithCodes(target, emulator, request) {
  const warmCodes = await emulator.call('codes', { n: QUICK ? 10_000 : 20_000 });
  const warm = feeder(warmCodes);
  const warmStats = await measure(target, () => ({ requests: [request(warm)] }), {
    duration: WARMUP_SECONDS,
    warmup: 0,
  });
  const needed = Math.ceil(warmStats.requestsPerSecond * RUN_SECONDS * 2) + 5_000;
  const codes = feeder(await emulator.call('codes', { n: needed }));
  const stats = await measure(target, () => ({ requests: [request(codes)] }), {
    warmup: 0,
    also: target === emulator ? undefined : emulator,
  });
  if (codes.used > needed) console.warn(`  ${codes.used - needed} requests found no fresh code`);
  return stats;
}

/** `oursExecArgv` lets the profiler run our server under --cpu-prof. */
export async function measureLogins({ oursExecArgv = [] } = {}) {
  const emulator = await startServer('emulator');
  const wechat = await emulator.call('info');
  const ours = await startServer('ours', {
    execArgv: oursExecArgv,
    env: {
      BENCH_STORE: 'memory',
      BENCH_EMULATOR_URL: wechat.url,
      BENCH_APP_ID: wechat.appId,
      BENCH_APP_SECRET: wechat.appSecret,
    },
  });
  try {
    const login = await measureWithCodes(ours, emulator, (codes) => ({
      method: 'POST',
      path: '/wx/login',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ code: codes.next() }) }),
    }));
    await ours.stop();
    const query = `appid=${encodeURIComponent(wechat.appId)}&secret=${encodeURIComponent(wechat.appSecret)}&grant_type=authorization_code`;
    const direct = await measureWithCodes(emulator, emulator, (codes) => ({
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: `/sns/jscode2session?${query}&js_code=${encodeURIComponent(codes.next())}`,
      }),
    }));
    return [
      { name: 'login: POST /wx/login (ours + emulator)', ...login },
      { name: 'login: emulator /sns/jscode2session alone', ...direct },
    ];
  } finally {
    await ours.stop();
    await emulator.stop();
  }
}
