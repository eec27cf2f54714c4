// Where the mini program finds its backend. `emulator: true` matches `npm run example` on its
// built-in WeChat emulator; with your own AppID and a backend on real WeChat, set it to false.

module.exports = {
  // DevTools: tick "Does not verify valid domain names" (project.config.json sets urlCheck: false).
  // A phone needs an https domain registered in the mini program's admin console instead.
  apiBaseUrl: 'http://127.0.0.1:3000',
  emulator: true,
};
