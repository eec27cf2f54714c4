// Logs many users in before a run, the way each kind of app issues credentials, and returns the
// request headers that carry them: a bearer token, or a session cookie.

import { benchOpenid } from './shared.mjs';

export const USERS = 1000;

async function inParallel(n, width, task) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/** Bearer tokens signed by the peer's own POST /login. */
export function peerTokens(server, n = USERS) {
  return inParallel(n, 20, async (i) => {
    const { token } = await (await postJson(`${server.url}/login`, { openid: benchOpenid(i) })).json();
    return { authorization: `Bearer ${token}` };
  });
}

/** Session cookies from the peer's POST /login (express-session). */
export function peerCookies(server, n = USERS) {
  return inParallel(n, 20, async (i) => {
    const res = await postJson(`${server.url}/login`, { openid: benchOpenid(i) });
    const cookie = res.headers.getSetCookie()[0]?.split(';')[0];
    if (!cookie) throw new Error('no session cookie');
    return { cookie };
  });
}

/** Our tokens: a fresh emulator code per user, exchanged at POST /wx/login. */
export async function ourTokens(server, n = USERS) {
  const codes = await server.call('codes', { n });
  return inParallel(n, 20, async (i) => {
    const { token } = await (await postJson(`${server.url}/wx/login`, { code: codes[i] })).json();
    return { authorization: `Bearer ${token}` };
  });
}

/** For the bare row: a header of the same shape and size, which nothing reads. */
export function dummyTokens(n = USERS) {
  const filler = 'x'.repeat(200);
  return Array.from({ length: n }, (_, i) => ({ authorization: `Bearer ${i}.${filler}` }));
}
