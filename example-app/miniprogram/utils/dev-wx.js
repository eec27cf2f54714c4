// For WeChat DevTools against `npm run example` on its emulator: a wx whose login(),
// getWeRunData() and phone codes come from the example's /dev routes instead of WeChat.

const OPENID_KEY = 'dev_emulator_openid';

/**
 * Wraps the real `wx`: everything passes through except what only WeChat could give the device,
 * which the emulator-backed /dev routes give instead. The emulated user is kept in storage, so
 * that the mini program comes back as the same user.
 *
 * @example
 * const auth = createAuthClient({ wx: emulatorWx(wx, 'http://127.0.0.1:3000'), baseUrl });
 */
function emulatorWx(wx, baseUrl) {
  const base = baseUrl.replace(/\/+$/, '');

  function dev(path, data, { success, fail }) {
    wx.request({
      url: base + path,
      method: 'POST',
      header: { 'content-type': 'application/json' },
      data,
      success: (res) =>
        res.statusCode === 200 ? success(res.data) : fail({ errMsg: `${path}: HTTP ${res.statusCode}` }),
      fail,
    });
  }

  const openid = () => wx.getStorageSync(OPENID_KEY) || undefined;

  return Object.assign(Object.create(wx), {
    login({ success, fail }) {
      dev('/dev/login-code', openid() ? { openid: openid() } : {}, {
        success: (data) => {
          wx.setStorageSync(OPENID_KEY, data.openid);
          success({ code: data.code, errMsg: 'login:ok' });
        },
        fail,
      });
    },
    getWeRunData({ success, fail }) {
      dev(
        '/dev/werun-sample',
        { openid: openid() },
        {
          success: (data) => success({ ...data, errMsg: 'getWeRunData:ok' }),
          fail,
        },
      );
    },
    /** What the getPhoneNumber button's event would carry: `{ detail: { code } }`. */
    phoneNumberEvent() {
      return new Promise((resolve, reject) => {
        dev(
          '/dev/phone-code',
          { openid: openid() },
          {
            success: (data) => resolve({ detail: { code: data.code, errMsg: 'getPhoneNumber:ok' } }),
            fail: (err) => reject(new Error(err.errMsg)),
          },
        );
      });
    },
  });
}

module.exports = { emulatorWx };
