// The mini program's entry: one auth client for every page, and a login check at launch
// (wx.checkSession), so that pages find a token, and the server a fresh session_key.

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
