// The mini program's auth client: one login for any number of concurrent callers, the token in
// wx storage and on every wx.request, re-login once on 401, phone numbers and WeRun open data.

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
function createAuthClient({ wx, baseUrl, tokenKey = 'wx_login_token' }) {
  const base = baseUrl.replace(/\/+$/, '');
  let pendingLogin = null;

  const getToken = () => wx.getStorageSync(tokenKey) || null;

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
        wx.setStorageSync(tokenKey, res.data.token);
        return res.data;
      })().finally(() => {
        pendingLogin = null;
      });
    }
    return pendingLogin;
  }

  async function ensureToken() {
    return getToken() || (await login()).token;
  }

  /**
   * wx.request with `Authorization: Bearer <token>`, logging in first when there is no token.
   * On 401 (expired, revoked) it logs in again and retries once; the answer is returned as is.
   */
  async function request(options, retried = false) {
    const token = await ensureToken();
    const res = await send({ ...options, header: { ...options.header, Authorization: `Bearer ${token}` } });
    if (res.statusCode === 401 && !retried) {
      // Only drop the token we sent: a concurrent caller may already have stored a newer one.
      if (getToken() === token) wx.removeStorageSync(tokenKey);
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
   * For App.onLaunch: logs in when there is no token, or when wx.checkSession() says WeChat's
   * session (and so the session_key the server holds) has expired. Resolves whether it logged in.
   */
  async function onLaunch() {
    const sessionAlive = await promisify(wx.checkSession, {}).then(
      () => true,
      () => false,
    );
    if (getToken() && sessionAlive) return false;
    await login();
    return true;
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
    await ensureToken();
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

  /** POST /wx/logout, then forgets the token; the server refuses it from now on. */
  async function logout() {
    const token = getToken();
    if (!token) return;
    try {
      const res = await send({
        url: '/wx/logout',
        method: 'POST',
        header: { Authorization: `Bearer ${token}` },
      });
      // 401: already gone on the server, which is what we wanted.
      if (res.statusCode !== 204 && res.statusCode !== 401) throw new ApiError(res);
    } finally {
      if (getToken() === token) wx.removeStorageSync(tokenKey);
    }
  }

  return { login, request, api, onLaunch, getPhoneNumber, getWeRun, logout, getToken };
}

module.exports = { createAuthClient, ApiError };
