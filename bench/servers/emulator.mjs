// Bench server: the WeChat API emulator alone, in its own process, so that the login servers of
// bench/million.mjs share one WeChat and its CPU is not counted as theirs. Hands out login codes
// in bulk over IPC (what wx.login() gives each user).

import { startWeChatEmulator } from '../../dist/testing/index.js';

const emulator = await startWeChatEmulator();
// The emulator keeps a call log for tests; under a million logins it would only grow.
setInterval(() => emulator.resetCalls(), 1000).unref();

process.on('message', (msg) => {
  const answer = (result) => process.send({ id: msg.id, result });
  if (msg.type === 'codes') answer(Array.from({ length: msg.n }, () => emulator.issueLoginCode()));
  else if (msg.type === 'wechat')
    answer({ url: emulator.url, appId: emulator.appId, appSecret: emulator.appSecret });
  else process.send({ id: msg.id, error: `unknown request ${msg.type}` });
});
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port: new URL(emulator.url).port });
