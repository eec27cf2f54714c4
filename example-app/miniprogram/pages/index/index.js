// The one page: loads /me when shown, and wires the buttons to the auth client (WeRun steps,
// phone number, log out), showing the backend's error codes as they come.

const config = require('../../config.js');

const app = getApp();

Page({
  data: { user: null, steps: null, phone: null, error: '', emulator: config.emulator },

  onShow() {
    this.loadMe();
  },

  async loadMe() {
    try {
      const me = await app.auth.api({ url: '/me' });
      this.setData({ user: me.user, error: '' });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  async onWeRun() {
    try {
      this.setData({ steps: await app.auth.getWeRun(), error: '' });
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  async onPhone(event) {
    try {
      const phone = await app.auth.getPhoneNumber(event);
      if (phone) this.setData({ phone, error: '' });
      this.loadMe();
    } catch (err) {
      this.setData({ error: err.message });
    }
  },

  async onEmulatedPhone() {
    this.onPhone(await app.wx.phoneNumberEvent());
  },

  async onLogoutEverywhere() {
    await app.auth.logout({ everywhere: true });
    this.setData({ user: null, steps: null, phone: null });
    this.loadMe();
  },

  async onLogout() {
    await app.auth.logout();
    this.setData({ user: null, steps: null, phone: null });
    // The next call logs in again by itself: show that it does.
    this.loadMe();
  },
});
