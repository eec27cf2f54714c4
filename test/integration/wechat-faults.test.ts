// A misbehaving WeChat: transient faults are retried within the budget (1 + retries calls), then
// answered 502; errcodes other than -1 are never retried; nothing hangs, nothing leaks the URL.

import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorFault } from '../../src/testing/index.js';
import { buildApp, startEmulator } from '../helpers/app.js';

const emulator = await startEmulator();
const { app, lines } = buildApp(emulator, { timeoutMs: 300, retries: 2 });

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

const transient: Array<[string, EmulatorFault]> = [
  ['errcode -1 (busy)', { type: 'errcode', errcode: -1 }],
  ['HTTP 500', { type: 'http', status: 500 }],
  ['HTTP 503', { type: 'http', status: 503 }],
  ['an HTML page', { type: 'garbage' }],
  ['a truncated JSON body', { type: 'truncated' }],
  ['a connection reset', { type: 'reset' }],
  ['an answer slower than timeoutMs', { type: 'delay', ms: 600 }],
  ['no answer at all', { type: 'hang' }],
];

// A slow answer is the one fault after which WeChat did the work: the code is used up, so a retry
// cannot succeed (see wechat-causes.test.ts for the 502 "get a new code" it gets instead).
const retryable = transient.filter(([, fault]) => fault.type !== 'delay');

describe('transient WeChat faults', () => {
  it.each(retryable)('retries %s and succeeds when WeChat recovers', async (_name, fault) => {
    emulator.fail('jscode2session', fault, { times: 2 });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(200);
    expect(emulator.callsTo('jscode2session')).toHaveLength(3);
  });

  it.each(transient)('answers 502 after 1 + retries calls of %s', async (_name, fault) => {
    emulator.fail('jscode2session', fault, { times: 3 });
    const started = Date.now();
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      error: { code: 'WX_UPSTREAM_UNAVAILABLE', message: 'WeChat did not answer in time; retry later' },
    });
    expect(emulator.callsTo('jscode2session')).toHaveLength(3);
    // 3 attempts of at most 300 ms, plus short backoffs: about 1 s. The bound only has to tell that
    // from an attempt without a timeout (a hang never ends), so it leaves a slow machine room.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('retries a slow answer, whose attempt used the code: 502 WX_UPSTREAM_ERROR, get a new code', async () => {
    emulator.fail('jscode2session', { type: 'delay', ms: 600 }, { times: 2 });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WX_UPSTREAM_ERROR');
    expect(emulator.callsTo('jscode2session')).toHaveLength(3);
  });

  it('answers just under the timeout without a retry', async () => {
    emulator.fail('jscode2session', { type: 'delay', ms: 150 });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(200);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });

  it('logs each failed attempt with its reason and never the URL or secret', async () => {
    emulator.fail('jscode2session', { type: 'http', status: 502 }, { times: 1 });
    await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    const warn = lines.find((l) => l.msg === 'WeChat call failed' && l.obj.reason === 'HTTP 502');
    expect(warn?.obj).toMatchObject({ api: 'jscode2session', attempt: 1, attempts: 3 });
    expect(JSON.stringify(lines)).not.toContain('secret=');
  });
});

describe('WeChat unreachable', () => {
  it('answers 502 when nothing listens at apiBaseUrl', async () => {
    const dead = buildApp(emulator, { apiBaseUrl: 'http://127.0.0.1:9', retries: 1 });
    const res = await request(dead.app).post('/wx/login').send({ code: 'abc' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WX_UPSTREAM_UNAVAILABLE');
    expect(dead.lines.filter((l) => l.msg === 'WeChat call failed')).toHaveLength(2);
  });
});

describe('errcodes that are not transient', () => {
  it('does not retry with retries: 0 either', async () => {
    const once = buildApp(emulator, { retries: 0 });
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 });
    const res = await request(once.app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(502);
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });

  it('answers an unknown errcode with 502 WX_UPSTREAM_ERROR after one call', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: 61451, errmsg: 'invalid parameter' });
    const res = await request(app).post('/wx/login').send({ code: emulator.issueLoginCode() });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WX_UPSTREAM_ERROR');
    expect(emulator.callsTo('jscode2session')).toHaveLength(1);
  });
});

describe('errors thrown by the service', () => {
  it('carry no appSecret in message, properties or cause, whatever went wrong', async () => {
    const { inspect } = await import('node:util');
    const failures: unknown[] = [];
    const dead = buildApp(emulator, { apiBaseUrl: 'http://127.0.0.1:9', retries: 0 }).middleware.auth;
    const live = buildApp(emulator, { retries: 0 }).middleware.auth;
    const wrongSecret = buildApp(emulator, { appSecret: 'wrong-secret-for-this-test-1234' }).middleware.auth;
    await dead.login('abc').catch((e: unknown) => failures.push(e));
    emulator.fail('jscode2session', { type: 'hang' });
    await live.login(emulator.issueLoginCode()).catch((e: unknown) => failures.push(e));
    emulator.fail('jscode2session', { type: 'http', status: 500, body: `secret=${emulator.appSecret}` });
    await live.login(emulator.issueLoginCode()).catch((e: unknown) => failures.push(e));
    await wrongSecret.login(emulator.issueLoginCode()).catch((e: unknown) => failures.push(e));
    expect(failures).toHaveLength(4);
    for (const err of failures) {
      const everything = `${inspect(err, { depth: 10, showHidden: true })} ${JSON.stringify(err)} ${String(err)}`;
      expect(everything).not.toContain(emulator.appSecret);
      expect(everything).not.toContain('wrong-secret-for-this-test-1234');
      expect(everything).not.toContain('secret=');
    }
  });
});
