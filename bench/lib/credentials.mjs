// Credentials for many users, made the way each kind of app issues them: ours through the real
// login path (POST /wx/login with an emulator code per user), the peers through their own code.

export async function inParallel(n, width, task) {
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

/**
 * Our tokens for `n` users: a fresh emulator code per user from `codeSource` (the emulator
 * process, bench/servers/emulator.mjs), exchanged at `loginServer`'s POST /wx/login. Returns the
 * Authorization headers and how long the logins took.
 */
export async function ourLogins(loginServer, n, { codeSource = loginServer, onProgress } = {}) {
  const started = performance.now();
  const headers = [];
  for (let done = 0; done < n; done += 5000) {
    const batch = Math.min(5000, n - done);
    const codes = await codeSource.call('codes', { n: batch });
    const part = await inParallel(batch, 16, async (i) => {
      const res = await fetch(`${loginServer.url}/wx/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: codes[i] }),
      });
      if (res.status !== 200) throw new Error(`POST /wx/login: ${res.status} ${await res.text()}`);
      return { authorization: `Bearer ${(await res.json()).token}` };
    });
    headers.push(...part);
    onProgress?.(done + batch);
  }
  return { headers, seconds: (performance.now() - started) / 1000 };
}

/** Bearer tokens the JWT peer signs itself (the code of its POST /login), in bulk over IPC. */
export async function peerTokens(server, n) {
  const headers = [];
  for (let from = 0; from < n; from += 10_000) {
    const tokens = await server.call('tokens', { from, n: Math.min(10_000, n - from) });
    headers.push(...tokens.map((t) => ({ authorization: `Bearer ${t}` })));
  }
  return headers;
}

/** express-session cookies of sessions written through the peer's own store, in bulk over IPC. */
export async function peerCookies(server, n) {
  const headers = [];
  for (let from = 0; from < n; from += 10_000) {
    const cookies = await server.call('sessions', { from, n: Math.min(10_000, n - from) });
    headers.push(...cookies.map((cookie) => ({ cookie })));
  }
  return headers;
}

/** For bare Express: a header of the same shape and size per user, which nothing reads. */
export function dummyTokens(n) {
  const filler = 'x'.repeat(280);
  return Array.from({ length: n }, (_, i) => ({ authorization: `Bearer ${i}.${filler}` }));
}
