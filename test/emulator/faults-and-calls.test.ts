// The emulator's fault injection and call log over real HTTP: each fault type, their order and
// count, that a faulted call changes nothing, and that close() ends hanging and idle connections.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { classicToken, code2Session, get, post, RID } from '../helpers/wechat-http.js';

const emulator = await startWeChatEmulator();
afterAll(() => emulator.close());

beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

describe('faults', () => {
  it('errcode: HTTP 200 with WeChat’s message and a rid; the code stays usable', async () => {
    const code = emulator.issueLoginCode();
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 });
    const busy = await code2Session(emulator, code);
    expect(busy.status).toBe(200);
    expect(busy.json).toEqual({ errcode: -1, errmsg: expect.stringMatching(/^system error rid: /) });
    expect((await code2Session(emulator, code)).json.openid).toEqual(expect.any(String));
  });

  it('errcode: takes a message of its own, and sends the errcode as a string when asked', async () => {
    emulator.fail('token', { type: 'errcode', errcode: 61451, errmsg: 'invalid parameter' });
    emulator.fail('token', { type: 'errcode', errcode: 45011, errcodeAsString: true });
    expect((await classicToken(emulator)).json.errmsg).toMatch(/^invalid parameter rid: /);
    const limited = await classicToken(emulator);
    expect(limited.json.errcode).toBe('45011');
    expect(limited.json.errmsg).toMatch(RID);
    expect(emulator.callsTo('token').map((c) => c.errcode)).toEqual([61451, 45011]);
  });

  it('delay: answers normally after the delay', async () => {
    emulator.fail('jscode2session', { type: 'delay', ms: 120 });
    const started = Date.now();
    const res = await code2Session(emulator, emulator.issueLoginCode());
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(res.json.openid).toEqual(expect.any(String));
    expect(emulator.callsTo('jscode2session')[0]).toMatchObject({ status: 200, fault: 'delay' });
  });

  it('delay: a caller that gave up loses the answer, not the effect: its code is used up', async () => {
    const code = emulator.issueLoginCode();
    emulator.fail('jscode2session', { type: 'delay', ms: 150 });
    const query = new URLSearchParams({
      appid: emulator.appId,
      secret: emulator.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    await expect(
      fetch(`${emulator.url}/sns/jscode2session?${query}`, { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 200));
    expect(emulator.callsTo('jscode2session')[0]?.status).toBe(0);
    const retry = await code2Session(emulator, code);
    expect(retry.json.errcode).toBe(40163);
    expect(retry.json.openid).toBeUndefined();
  });

  it('http: the status with an HTML page, or the body given', async () => {
    emulator.fail('token', { type: 'http', status: 502 });
    emulator.fail('token', { type: 'http', status: 503, body: 'upstream down' });
    const page = await classicToken(emulator);
    expect(page.status).toBe(502);
    expect(page.contentType).toBe('text/html');
    expect(page.text).toContain('<title>502 Error</title>');
    const plain = await classicToken(emulator);
    expect(plain).toMatchObject({ status: 503, text: 'upstream down' });
  });

  it('garbage: HTTP 200 with an HTML page', async () => {
    emulator.fail('stable_token', { type: 'garbage' });
    const res = await post(emulator, '/cgi-bin/stable_token', {});
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^<html>/);
    expect(() => JSON.parse(res.text)).toThrow();
  });

  it('truncated: HTTP 200, a JSON content type, a body cut in the middle', async () => {
    emulator.fail('jscode2session', { type: 'truncated' });
    const res = await code2Session(emulator, emulator.issueLoginCode());
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.text).toMatch(/^\{"session_key":"/);
    expect(() => JSON.parse(res.text)).toThrow(SyntaxError);
  });

  it('reset: the connection ends without an answer', async () => {
    emulator.fail('checksession', { type: 'reset' });
    await expect(fetch(`${emulator.url}/wxa/checksession`)).rejects.toThrow(/fetch failed/);
    expect(emulator.callsTo('checksession')[0]).toMatchObject({ status: 0, fault: 'reset' });
    expect((await get(emulator, '/wxa/checksession')).json.errcode).toBe(41001);
  });

  it('hang: no answer until the caller gives up, and close() still resolves at once', async () => {
    const hanging = await startWeChatEmulator();
    hanging.fail('*', { type: 'hang' }, { times: 3 });
    await expect(
      fetch(`${hanging.url}/cgi-bin/token`, { signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    const pending = fetch(`${hanging.url}/cgi-bin/token`).catch((err: unknown) => err);
    // Once the emulator holds the second call (however long a loaded machine takes to get there),
    // close() must end it: were it to wait for the hanging call, this test would time out.
    await expect.poll(() => hanging.calls.length).toBe(2);
    await hanging.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(hanging.calls.map((c) => c.fault)).toEqual(['hang', 'hang']);
  });

  it('are consumed in order, each by the calls of its endpoint, `times` times', async () => {
    emulator.fail('jscode2session', { type: 'errcode', errcode: -1 }, { times: 2 });
    emulator.fail('*', { type: 'errcode', errcode: 45011 });
    emulator.fail('jscode2session', { type: 'errcode', errcode: 40226 });
    expect((await classicToken(emulator)).json.errcode).toBe(45011);
    const code = emulator.issueLoginCode();
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await code2Session(emulator, code)).json.errcode);
    expect(seen).toEqual([-1, -1, 40226, undefined]);
  });

  it('clearFaults() drops what is queued, and fail() refuses what it cannot play', async () => {
    emulator.fail('*', { type: 'hang' }, { times: 10 });
    emulator.clearFaults();
    expect((await classicToken(emulator)).json.expires_in).toBe(7200);
    // @ts-expect-error: an endpoint the emulator does not serve
    expect(() => emulator.fail('sns_userinfo', { type: 'hang' })).toThrow(TypeError);
    // @ts-expect-error: a fault type that does not exist
    expect(() => emulator.fail('token', { type: 'explode' })).toThrow(TypeError);
    expect(() => emulator.fail('token', { type: 'hang' }, { times: 0 })).toThrow(TypeError);
    expect(() => emulator.fail('token', { type: 'http', status: 99 })).toThrow(TypeError);
    expect(() => emulator.fail('token', { type: 'delay', ms: -1 })).toThrow(TypeError);
  });
});

describe('the call log', () => {
  it('records each call in order with what was sent and what was answered', async () => {
    let clock = 5_000;
    const logged = await startWeChatEmulator({ now: () => clock });
    try {
      await classicToken(logged);
      clock = 6_000;
      await post(logged, '/cgi-bin/stable_token', { grant_type: 'client_credential', appid: 'wx_nobody' });
      await post(logged, '/cgi-bin/stable_token', 'not json');
      expect(logged.calls).toEqual([
        {
          endpoint: 'token',
          method: 'GET',
          path: '/cgi-bin/token',
          query: { grant_type: 'client_credential', appid: logged.appId, secret: logged.appSecret },
          body: undefined,
          at: 5_000,
          status: 200,
        },
        {
          endpoint: 'stable_token',
          method: 'POST',
          path: '/cgi-bin/stable_token',
          query: {},
          body: { grant_type: 'client_credential', appid: 'wx_nobody' },
          at: 6_000,
          status: 200,
          errcode: 40013,
        },
        expect.objectContaining({ body: 'not json', errcode: 47001 }),
      ]);
      expect(logged.callsTo('token')).toHaveLength(1);
      expect(logged.callsTo('jscode2session')).toEqual([]);
    } finally {
      await logged.close();
    }
  });

  it('answers an unknown path 404 and logs it as unknown', async () => {
    const res = await get(emulator, '/sns/unknown_api', { openid: 'o' });
    expect(res).toMatchObject({ status: 404, text: 'not found' });
    expect(emulator.calls).toEqual([
      expect.objectContaining({ endpoint: 'unknown', path: '/sns/unknown_api', status: 404 }),
    ]);
  });

  it('hands out copies, and resetCalls() empties it', async () => {
    await classicToken(emulator);
    const [call] = emulator.calls;
    call!.query.secret = 'changed';
    expect(emulator.calls[0]?.query.secret).toBe(emulator.appSecret);
    emulator.resetCalls();
    expect(emulator.calls).toEqual([]);
  });
});

describe('close()', () => {
  it('ends idle keep-alive connections so that it resolves at once', async () => {
    const idle = await startWeChatEmulator();
    expect((await classicToken(idle)).status).toBe(200); // fetch keeps the connection open
    const started = Date.now();
    await idle.close();
    await idle.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(fetch(`${idle.url}/cgi-bin/token`)).rejects.toThrow();
  });
});
