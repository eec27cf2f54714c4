// The playground's logic: each button plays one step of the mini-program login against this
// server (the /dev routes stand in for the device's WeChat), and logs every HTTP exchange.

const state = { code: null, openid: null, token: null, refreshToken: null, renewals: 0 };
const $ = (selector) => document.querySelector(selector);

/** Shortens a token for display; the log shows enough to recognise it, not to copy it around. */
function abbreviate(value) {
  return typeof value === 'string' && value.length > 24 ? `${value.slice(0, 12)}…${value.slice(-6)}` : value;
}

function pretty(value) {
  return JSON.stringify(
    value,
    (key, v) =>
      key === 'token' || key === 'refreshToken' || key === 'encryptedData' || key === 'Authorization'
        ? abbreviate(v)
        : v,
    2,
  );
}

/** One HTTP exchange, logged on the page: what was sent and what came back. */
async function call(method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const started = performance.now();
  const entry = logRequest(method, path, headers, body);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    logResponse(entry, 0, { error: String(err) }, performance.now() - started);
    throw err;
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  logResponse(entry, response.status, data, performance.now() - started);
  return { status: response.status, data };
}

function logRequest(method, path, headers, body) {
  const item = document.createElement('li');
  item.className = 'exchange';
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = `${method} ${path} `;
  const status = document.createElement('span');
  status.className = 'status';
  status.textContent = '…';
  summary.append(status);
  const request = document.createElement('pre');
  request.className = 'req';
  request.textContent = `→ ${pretty(headers)}${body === undefined ? '' : `\n${pretty(body)}`}`;
  const response = document.createElement('pre');
  response.className = 'res';
  details.append(summary, request, response);
  item.append(details);
  $('#log').append(item);
  return { item, status, response };
}

function logResponse(entry, code, data, ms) {
  entry.status.textContent = `${code || 'network error'} · ${Math.round(ms)} ms`;
  entry.status.classList.toggle('bad', code === 0 || code >= 400);
  entry.item.dataset.status = String(code);
  entry.response.textContent = `← ${code}${data === null ? '' : `\n${pretty(data)}`}`;
}

function show(step, text, ok = true) {
  const output = $(`#step-${step} .result`);
  if (!output) return null;
  output.textContent = text;
  output.className = `result ${ok ? 'ok' : 'error'}`;
  return output;
}

function duration(seconds) {
  return seconds >= 3600 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

function failure({ status, data }) {
  const error = data?.error;
  return error ? `${status} ${error.code}: ${error.message}` : `HTTP ${status}`;
}

function setLoggedIn(loggedIn) {
  for (const action of ['me', 'werun', 'phone', 'renew', 'logout', 'everywhere']) {
    $(`[data-action="${action}"]`).disabled = !loggedIn;
  }
  $('#who').textContent = loggedIn ? `Logged in as ${state.openid}` : 'Not logged in';
}

const actions = {
  async code() {
    // Asking again for the same openid is what wx.login() does on a device that already logged in.
    const res = await call('POST', '/dev/login-code', { body: state.openid ? { openid: state.openid } : {} });
    if (res.status !== 200) return show('code', failure(res), false);
    state.code = res.data.code;
    state.openid = res.data.openid;
    $('[data-action="login"]').disabled = false;
    show('code', `code ${state.code}`);
  },

  async login() {
    const res = await call('POST', '/wx/login', { body: { code: state.code } });
    state.code = null; // single use, whatever the answer
    $('[data-action="login"]').disabled = true;
    if (res.status !== 200) return show('login', failure(res), false);
    state.token = res.data.token;
    state.refreshToken = res.data.refreshToken ?? null;
    state.renewals = 0;
    state.openid = res.data.openid;
    setLoggedIn(true);
    show(
      'login',
      `token ${abbreviate(state.token)} · expires in ${duration(res.data.expiresIn)} · user #${res.data.user?.userId}`,
    );
  },

  async renew() {
    // What the mini program does when its access token expires: no wx.login(), the same session.
    const before = await call('GET', '/me', { token: state.token });
    const res = await call('POST', '/wx/refresh', { body: { refreshToken: state.refreshToken } });
    if (res.status !== 200) return show('renew', failure(res), false);
    const used = state.refreshToken;
    state.token = res.data.token;
    state.refreshToken = res.data.refreshToken;
    state.renewals += 1;
    const after = await call('GET', '/me', { token: state.token });
    const same = before.data?.session?.sessionId === after.data?.session?.sessionId;
    show(
      'renew',
      `renewal #${state.renewals} · new token ${abbreviate(state.token)} · ${same ? 'same session' : 'new session'} · the used refresh token ${abbreviate(used)} is spent`,
    );
  },

  async me() {
    const res = await call('GET', '/me', { token: state.token });
    if (res.status !== 200) return show('me', failure(res), false);
    const { user } = res.data;
    show('me', `user #${user.id} · ${user.loginCount} login(s) · phone ${user.phoneNumber ?? '—'}`);
  },

  async werun() {
    // wx.getWeRunData() on a device; here the emulator encrypts a sample for this user.
    const sample = await call('POST', '/dev/werun-sample', { body: { openid: state.openid } });
    if (sample.status !== 200) return show('werun', failure(sample), false);
    const res = await call('POST', '/werun', { token: state.token, body: sample.data });
    if (res.status !== 200) {
      const stale = res.data?.error?.code === 'WX_SESSION_KEY_STALE';
      return show('werun', stale ? `${failure(res)} (log in again, then retry)` : failure(res), false);
    }
    const output = show('werun', `${res.data.days} days · ${res.data.totalSteps.toLocaleString('en')} steps`);
    const bars = document.createElement('div');
    bars.className = 'bars';
    const max = Math.max(1, ...res.data.stepInfoList.map((day) => day.step));
    for (const day of res.data.stepInfoList) {
      const bar = document.createElement('span');
      bar.style.height = `${Math.round((day.step / max) * 100)}%`;
      bar.title = `${new Date(day.timestamp * 1000).toISOString().slice(0, 10)}: ${day.step}`;
      bars.append(bar);
    }
    output.append(bars);
  },

  async phone() {
    // The getPhoneNumber button's code on a device; here the emulator issues one.
    const issued = await call('POST', '/dev/phone-code', { body: { openid: state.openid } });
    if (issued.status !== 200) return show('phone', failure(issued), false);
    const res = await call('POST', '/wx/phone', { token: state.token, body: { code: issued.data.code } });
    if (res.status !== 200) return show('phone', failure(res), false);
    show('phone', `+${res.data.countryCode} ${res.data.purePhoneNumber} (saved)`);
  },

  async logout() {
    const old = state.token;
    const res = await call('POST', '/wx/logout', { token: old });
    if (res.status !== 204) return show('logout', failure(res), false);
    state.token = null;
    state.refreshToken = null;
    setLoggedIn(false);
    // Show that the old token is dead now, not merely forgotten by the page.
    const after = await call('GET', '/me', { token: old });
    show('logout', `logged out · the old token now gets ${failure(after)}`);
  },

  async everywhere() {
    // A second device of the same user: its own wx.login() and session.
    const issued = await call('POST', '/dev/login-code', { body: { openid: state.openid } });
    const other = await call('POST', '/wx/login', { body: { code: issued.data?.code } });
    if (other.status !== 200) return show('everywhere', failure(other), false);
    await call('GET', '/me', { token: other.data.token });
    const res = await call('POST', '/wx/logout', { token: state.token, body: { all: true } });
    if (res.status !== 204) return show('everywhere', failure(res), false);
    state.token = null;
    state.refreshToken = null;
    setLoggedIn(false);
    const after = await call('GET', '/me', { token: other.data.token });
    show('everywhere', `logged out on all devices · the other device now gets ${failure(after)}`);
  },

  clear() {
    $('#log').replaceChildren();
  },
};

async function start() {
  const mode = $('#mode');
  try {
    const { data } = await call('GET', '/info');
    if (data.mode !== 'emulator') {
      mode.textContent = `This server talks to the real WeChat (app ${data.appId}): the playground needs the emulator. Restart without WX_APP_ID.`;
      mode.classList.add('warning');
      $('[data-action="code"]').disabled = true;
      return;
    }
    mode.textContent = `WeChat emulator · app ${data.appId} · ${data.database}`;
  } catch {
    mode.textContent = 'The example server does not answer.';
    mode.classList.add('warning');
  }
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled || button.hasAttribute('aria-busy')) return;
  const run = actions[button.dataset.action];
  button.setAttribute('aria-busy', 'true');
  Promise.resolve(run())
    .catch((err) => show(button.dataset.action, String(err), false))
    .finally(() => button.removeAttribute('aria-busy'));
});

start();
