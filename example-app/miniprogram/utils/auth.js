// The mini program's auth client: one login for any number of concurrent callers, the token in
// wx storage and on every wx.request, renewal (POST /wx/refresh) or else a new login on 401, phone
// numbers and WeRun open data.

/** A non-2xx answer of the backend, with the package's stable error code when it sent one. */
class ApiError extends Error {
  constructor(res) {
    const error = res?.data?.error;
    super(error ? `${res.statusCode} ${error.code}: ${error.message}` : `HTTP ${res?.statusCode}`);
    this.name = 'ApiError';
    this.statusCode = res?.statusCode;
    this.code = error?.code;
  }
}

/** wx's callback style as a promise; `pick` checks the success result. */
function promisify(api, options, pick) {
  return new Promise((resolve, reject) => {
    api({
      ...options,
      success: (result) => {
        try {
          resolve(pick ? pick(result) : result);
        } catch (err) {
          reject(err);
        }
      },
      fail: (err) => reject(new Error(err?.errMsg || 'wx call failed')),
    });
  });
}

/**
 * Creates the client. `wx` is the mini program's global (tests pass a fake); `baseUrl` is the
 * backend, e.g. 'https://api.example.com'.
 *
 * @example
 * const auth = createAuthClient({ wx, baseUrl: 'https://api.example.com' });
 * const me = await auth.request({ url: '/me' });
 */
function createAuthClient({
  wx,
  baseUrl,
  tokenKey = 'wx_login_token',
  refreshKey = 'wx_login_refresh_token',
}) {
  const base = baseUrl.replace(/\/+$/, '');
  let pendingLogin = null;
  let pendingRenewal = null;

  const getToken = () => wx.getStorageSync(tokenKey) || null;
  const getRefreshToken = () => wx.getStorageSync(refreshKey) || null;

  /** Keeps the tokens of a login or renewal answer (the server sends a refreshToken in renewal mode). */
  function keep(data) {
    wx.setStorageSync(tokenKey, data.token);
    if (data.refreshToken) wx.setStorageSync(refreshKey, data.refreshToken);
    else wx.removeStorageSync(refreshKey);
  }

  function forget() {
    wx.removeStorageSync(tokenKey);
    wx.removeStorageSync(refreshKey);
  }

  const send = (options) =>
    promisify(wx.request, {
      method: 'GET',
      ...options,
      url: base + options.url,
      header: { 'content-type': 'application/json', ...options.header },
    });

  /**
   * wx.login() then POST /wx/login. Every caller that arrives while one is under way shares it:
   * a second wx.login() would replace the session_key the first login is about to hand over.
   */
  function login() {
    if (!pendingLogin) {
      pendingLogin = (async () => {
        const code = await promisify(wx.login, {}, (result) => {
          if (!result.code) throw new Error('wx.login() gave no code');
          return result.code;
        });
        const res = await send({ url: '/wx/login', method: 'POST', data: { code } });
        if (res.statusCode !== 200) throw new ApiError(res);
        keep(res.data);
        return res.data;
      })().finally(() => {
        pendingLogin = null;
      });
    }
    return pendingLogin;
  }

  /**
   * POST /wx/refresh with the stored refresh token: a new token pair, no wx.login(), same session.
   * One renewal at a time: a refresh token works once, and a second use would end the session.
   * Resolves true when renewed, false when the server refused (the session is over: log in).
   */
  function renew() {
    if (!pendingRenewal) {
      pendingRenewal = (async () => {
        const refreshToken = getRefreshToken();
        if (!refreshToken) return false;
        const res = await send({ url: '/wx/refresh', method: 'POST', data: { refreshToken } });
        if (res.statusCode === 200) {
          keep(res.data);
          return true;
        }
        // 401: ended, or reused. 400/404: the server does not renew. Either way a login is next;
        // anything else (5xx, no network) is an error for the caller, not a reason to log in.
        if (res.statusCode === 401 || res.statusCode === 400 || res.statusCode === 404) {
          if (getRefreshToken() === refreshToken) forget();
          return false;
        }
        throw new ApiError(res);
      })().finally(() => {
        pendingRenewal = null;
      });
    }
    return pendingRenewal;
  }

  async function ensureToken() {
    return getToken() || (await login()).token;
  }

  /**
   * After a 401 for `staleToken`: renew, or log in when renewal is refused. Callers that got their
   * 401 together share one renewal; one that got it after another caller renewed just retries.
   */
  async function recover(staleToken) {
    const current = getToken();
    if (current && current !== staleToken) return;
    if (await renew()) return;
    // Only drop the token we sent: a concurrent caller may already have stored a newer one.
    if (getToken() === staleToken) wx.removeStorageSync(tokenKey);
    await ensureToken();
  }

  /**
   * wx.request with `Authorization: Bearer <token>`, logging in first when there is no token.
   * On 401 (expired, revoked) it renews (or logs in again) and retries once; the answer is
   * returned as is.
   */
  async function request(options, retried = false) {
    const token = await ensureToken();
    const res = await send({ ...options, header: { ...options.header, Authorization: `Bearer ${token}` } });
    if (res.statusCode === 401 && !retried) {
      await recover(token);
      return request(options, true);
    }
    return res;
  }

  /** Like request(), but resolves with the body of a 2xx answer and rejects with an ApiError otherwise. */
  async function api(options) {
    const res = await request(options);
    if (res.statusCode < 200 || res.statusCode >= 300) throw new ApiError(res);
    return res.data;
  }

  /**
   * For App.onLaunch: logs in only when there is no token to use or renew. WeChat's own session
   * (wx.checkSession()) is not ours: when WeChat expired the session_key, our session still
   * works; only decrypting open data needs a new key, which getWeRun() takes care of.
   * Resolves whether it logged in.
   */
  async function onLaunch() {
    if (getToken() || getRefreshToken()) return false;
    await login();
    return true;
  }

  /** Whether WeChat still holds the session_key of the last wx.login() (wx.checkSession()). */
  function weChatSessionAlive() {
    return promisify(wx.checkSession, {}).then(
      () => true,
      () => false,
    );
  }

  /**
   * The handler of <button open-type="getPhoneNumber" bindgetphonenumber="...">. Resolves null when
   * the user refused, else { phoneNumber, purePhoneNumber, countryCode }.
   */
  async function getPhoneNumber(event) {
    const code = event?.detail?.code;
    if (!code) return null;
    return api({ url: '/wx/phone', method: 'POST', data: { code } });
  }

  /**
   * WeRun steps, decrypted by the server. Logs in *before* asking WeChat for the data; if the
   * server still holds an older session_key (WX_SESSION_KEY_STALE), logs in again, asks WeChat
   * for the data again (now under the new key) and retries once.
   */
  async function getWeRun() {
    // WeChat encrypts with the session_key of the last wx.login(); if WeChat has expired it, a
    // login now gives the server a key that will fit the data asked for next.
    if (!getToken() || !(await weChatSessionAlive())) await login();
    const fetchSteps = async () => {
      const data = await promisify(wx.getWeRunData, {}, (result) => ({
        encryptedData: result.encryptedData,
        iv: result.iv,
      }));
      return request({ url: '/werun', method: 'POST', data });
    };
    let res = await fetchSteps();
    if (res.statusCode === 400 && res.data?.error?.code === 'WX_SESSION_KEY_STALE') {
      await login();
      res = await fetchSteps();
    }
    if (res.statusCode !== 200) throw new ApiError(res);
    return res.data;
  }

  /**
   * POST /wx/logout, then forgets the tokens; the server refuses them from now on. With
   * `{ everywhere: true }` it ends every session of the user ("log out on all devices").
   */
  async function logout({ everywhere = false } = {}) {
    const token = getToken();
    if (!token) return;
    try {
      const res = await send({
        url: '/wx/logout',
        method: 'POST',
        header: { Authorization: `Bearer ${token}` },
        data: everywhere ? { all: true } : {},
      });
      // 401: already gone on the server, which is what we wanted.
      if (res.statusCode !== 204 && res.statusCode !== 401) throw new ApiError(res);
    } finally {
      if (getToken() === token) forget();
    }
  }

  return { login, renew, request, api, onLaunch, getPhoneNumber, getWeRun, logout, getToken };
}

module.exports = { createAuthClient, ApiError };
