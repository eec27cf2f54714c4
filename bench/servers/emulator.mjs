// Bench server: the package's WeChat emulator in a process of its own, for the login rows. Login
// codes are issued in bulk over IPC, so that issuing them costs nothing during a measured run.

import { startWeChatEmulator } from '../../dist/testing/index.js';

const emulator = await startWeChatEmulator();
// The call log is for tests; under load it would only grow, so it is emptied every second.
setInterval(() => emulator.resetCalls(), 1000).unref();

process.on('message', (msg) => {
  try {
    const result =
      msg.type === 'codes'
        ? Array.from({ length: msg.n }, () => emulator.issueLoginCode())
        : { url: emulator.url, appId: emulator.appId, appSecret: emulator.appSecret };
    process.send({ id: msg.id, result });
  } catch (err) {
    process.send({ id: msg.id, error: String(err?.stack ?? err) });
  }
});
process.on('SIGINT', () => process.exit(0));
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', port: Number(new URL(emulator.url).port) });
