// The mini program's entry: one auth client for every page, and a login at launch only when there
// is no token to use or renew (WeChat's own wx.checkSession() matters only for open data).

const config = require('./config.js');
const { createAuthClient } = require('./utils/auth.js');
const { emulatorWx } = require('./utils/dev-wx.js');

const api = config.emulator ? emulatorWx(wx, config.apiBaseUrl) : wx;

App({
  auth: createAuthClient({ wx: api, baseUrl: config.apiBaseUrl }),
  wx: api,

  onLaunch() {
    // Pages call auth.api(), which logs in by itself if this has not finished yet.
    this.auth.onLaunch().catch((err) => console.warn('login at launch failed', err));
  },
});
