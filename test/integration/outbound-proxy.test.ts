// WeChat calls through an outbound forward proxy (a fixed egress IP for WeChat's IP whitelist): a
// real tiny proxy on loopback, serving absolute-form HTTP requests and CONNECT tunnels, records
// what went through it. The proxy's password never shows in a log line, a response or an inspect().

import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { HttpsProxyAgent } from 'https-proxy-agent';
import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { wxOAuth } from '../../src/index.js';
import { buildApp, loggedInUser, startEmulator } from '../helpers/app.js';
import { secret } from '../helpers/secret-watch.js';

const USER = 'wx-egress';
const PASSWORD = 'proxy-pass-Zq81!x';
secret(PASSWORD);
const EXPECTED_AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface Passed {
  method: string;
  /** The request target: an absolute URL, or `host:port` for CONNECT. */
  target: string;
  auth: string | undefined;
}

/** A forward proxy that checks Basic credentials, as squid or tinyproxy would. */
async function startProxy(): Promise<{ url: string; passed: Passed[]; close: () => Promise<void> }> {
  const passed: Passed[] = [];
  const sockets = new Set<Socket>();
  const authorized = (req: IncomingMessage) => req.headers['proxy-authorization'] === EXPECTED_AUTH;
  const server = createServer((req, res) => {
    passed.push({
      method: req.method ?? '',
      target: req.url ?? '',
      auth: req.headers['proxy-authorization'],
    });
    if (!authorized(req)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="egress"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    passed.push({ method: 'CONNECT', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    sockets.add(client);
    if (!authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`,
    passed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const emulator = await startEmulator();
const proxy = await startProxy();
afterAll(() => proxy.close());

beforeEach(() => {
  proxy.passed.length = 0;
  emulator.resetCalls();
});

/** A new user logs in (200) and asks for their phone number; the phone answer. */
async function loginAndPhone(app: Parameters<typeof request>[0]) {
  const { openid, token } = await loggedInUser(app, emulator);
  return request(app)
    .post('/wx/phone')
    .set('Authorization', `Bearer ${token}`)
    .send({ code: emulator.issuePhoneCode(openid) });
}

describe('the proxy option', () => {
  it('sends every WeChat call of an http:// apiBaseUrl to the proxy in absolute form, with its credentials', async () => {
    const { app, lines, middleware } = buildApp(emulator, { proxy: proxy.url });
    const phone = await loginAndPhone(app);
    expect(phone.status).toBe(200);
    const paths = proxy.passed.map((p) => `${p.method} ${new URL(p.target).pathname}`);
    expect(paths).toEqual([
      'GET /sns/jscode2session',
      'POST /cgi-bin/stable_token',
      'POST /wxa/business/getuserphonenumber',
    ]);
    expect(proxy.passed.every((p) => p.target.startsWith(`${emulator.url}/`))).toBe(true);
    expect(proxy.passed.every((p) => p.auth === EXPECTED_AUTH)).toBe(true);
    // ... and WeChat got exactly those calls.
    expect(emulator.calls.map((c) => c.endpoint)).toEqual([
      'jscode2session',
      'stable_token',
      'getuserphonenumber',
    ]);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
    const config = `${inspect(middleware.auth, { depth: 8, showHidden: true })} ${JSON.stringify(middleware.auth)}`;
    expect(config).not.toContain(PASSWORD);
    expect(config).not.toContain(USER);
  });

  it('answers a proxy that refuses the credentials (407) with 500 WX_CONFIG_REJECTED, naming the proxy in the log only', async () => {
    const wrong = proxy.url.replace(encodeURIComponent(PASSWORD), 'not-the-password-1');
    secret('not-the-password-1');
    const { app, lines } = buildApp(emulator, { proxy: wrong });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { code: 'WX_CONFIG_REJECTED', message: 'the server is misconfigured for WeChat' },
    });
    expect(proxy.passed).toHaveLength(1);
    expect(emulator.calls).toHaveLength(0);
    const line = lines.find((l) => l.obj.setting === 'proxy');
    expect(line?.msg).toContain('proxy');
    expect(JSON.stringify(lines)).not.toContain('not-the-password-1');
  });

  it('tunnels an https:// apiBaseUrl with CONNECT (the proxy sees only host:port)', async () => {
    // Nothing speaks TLS behind the tunnel here: the call fails, but it went the right way.
    const { app, lines } = buildApp(emulator, {
      proxy: proxy.url,
      apiBaseUrl: `https://127.0.0.1:${new URL(emulator.url).port}`,
      retries: 0,
    });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(502);
    expect(proxy.passed).toEqual([
      { method: 'CONNECT', target: `127.0.0.1:${new URL(emulator.url).port}`, auth: EXPECTED_AUTH },
    ]);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('is refused at once when it is not an http(s) URL, without repeating the value', () => {
    expect(() => buildApp(emulator, { proxy: 'socks5://u:secret-in-url@10.0.0.1:1080' })).toThrow(/proxy/);
    try {
      buildApp(emulator, { proxy: 'socks5://u:secret-in-url@10.0.0.1:1080' });
    } catch (err) {
      expect(String(err)).not.toContain('secret-in-url');
    }
    expect.assertions(2);
  });
});

describe('an agent of the app’s own', () => {
  it('httpAgent carries every call (here a CONNECT tunnel through the proxy)', async () => {
    const agent = new HttpsProxyAgent(proxy.url, { keepAlive: false });
    const { app } = buildApp(emulator, { httpAgent: agent });
    const phone = await loginAndPhone(app);
    expect(phone.status).toBe(200);
    expect(proxy.passed.length).toBeGreaterThanOrEqual(1);
    expect(proxy.passed.every((p) => p.method === 'CONNECT' && p.target === new URL(emulator.url).host)).toBe(
      true,
    );
    expect(emulator.calls.map((c) => c.endpoint)).toEqual([
      'jscode2session',
      'stable_token',
      'getuserphonenumber',
    ]);
  });
});

describe('web login through the proxy', () => {
  it('wxOAuth() uses the wxLogin’s proxy for its code exchange, or its own', async () => {
    const { middleware } = buildApp(emulator, { proxy: proxy.url });
    const oauth = wxOAuth({
      auth: middleware.auth,
      appId: emulator.appId,
      appSecret: emulator.appSecret,
      scope: 'snsapi_base',
      redirectUri: 'http://127.0.0.1/wx/web/callback',
    });
    afterAll(() => oauth.close());
    await oauth.webLogin.refreshUserToken('no-such-refresh-token').catch(() => undefined);
    expect(proxy.passed.map((p) => new URL(p.target).pathname)).toEqual(['/sns/oauth2/refresh_token']);
  });
});
