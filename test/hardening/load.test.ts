// Load: 500 concurrent logins with distinct codes and 5,000 authorized requests
// over 50 connections, against the emulator. Every login right, zero 5xx, no session mixed up,
// every code exchanged exactly once.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();
// A loaded two-core machine may take seconds to answer one of 500 concurrent calls: the test
// checks correctness under load, not speed (bench/ measures that), so WeChat calls may take long.
const { app } = buildApp(emulator, { timeoutMs: 30_000 });
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
afterAll(() => {
  agent.destroy();
  server.close();
});

function call(
  method: string,
  path: string,
  body?: object,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('under load', () => {
  it('answers 500 concurrent logins and 5,000 authorized requests correctly', {
    timeout: 600_000,
  }, async () => {
    const users = Array.from({ length: 500 }, () => emulator.createUser());
    const codes = users.map((u) => emulator.issueLoginCode(u.openid));
    emulator.resetCalls();

    const logins = await Promise.all(codes.map((code) => call('POST', '/wx/login', { code })));
    expect(logins.filter((r) => r.status !== 200)).toEqual([]);
    const tokens = logins.map((r, i) => {
      const body = r.body as { openid: string; token: string };
      expect(body.openid).toBe(users[i]?.openid);
      return body.token;
    });
    const exchanged = emulator.callsTo('jscode2session').map((c) => c.query.js_code);
    expect(exchanged).toHaveLength(500);
    expect(new Set(exchanged).size).toBe(500);

    const statuses = new Map<number, number>();
    let mixedUp = 0;
    let next = 0;
    const worker = async () => {
      while (next < 5000) {
        const i = next++ % 500;
        const res = await call('GET', '/me', undefined, tokens[i]);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if ((res.body as { openid?: string }).openid !== users[i]?.openid) mixedUp++;
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(Object.fromEntries(statuses)).toEqual({ 200: 5000 });
    expect(mixedUp).toBe(0);
  });
});
