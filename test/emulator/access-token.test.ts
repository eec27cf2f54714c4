// The emulator's /cgi-bin/token and /cgi-bin/stable_token over real HTTP: what each hands out,
// the 5-minute overlap, stable_token's same-token and force_refresh rules, and token checks.

import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { classicToken, get, post, RID, stableToken, tokenErrcode } from '../helpers/wechat-http.js';

let clock = 1_700_000_000_000;
const emulator = await startWeChatEmulator({ now: () => clock });
afterAll(() => emulator.close());
const MIN = 60_000;

beforeEach(() => {
  clock += 24 * 3600_000; // every test starts with tokens and the daily force quota run out
});

const token = (answer: { json: Record<string, unknown> }) => String(answer.json.access_token);

/** What both token endpoints take: the app's credentials. */
const CREDENTIALS = { grant_type: 'client_credential', appid: emulator.appId, secret: emulator.appSecret };

/** What both token endpoints answer for bad credentials, as WeChat's tables give it. */
const CREDENTIAL_ERRORS: Array<[string, Record<string, string | undefined>, number]> = [
  ['no appid', { appid: undefined }, 41002],
  ['an unknown appid', { appid: 'wx_unknown' }, 40013],
  ['no secret', { secret: undefined }, 41004],
  ['a wrong secret', { secret: 'nope' }, 40125],
  ['another grant_type', { grant_type: 'authorization_code' }, 40002],
];
describe('GET /cgi-bin/token', () => {
  it('issues a new token on every call, and the previous one keeps working 5 minutes more', async () => {
    const first = await classicToken(emulator);
    expect(first.json).toEqual({
      access_token: expect.stringMatching(/^\d+_[\w-]{100,}$/),
      expires_in: 7200,
    });
    clock += MIN;
    const second = await classicToken(emulator);
    expect(token(second)).not.toBe(token(first));
    clock += 5 * MIN - 1;
    expect(await tokenErrcode(emulator, token(first))).toBe(0);
    clock += 1;
    expect(await tokenErrcode(emulator, token(first))).toBe(40001);
    expect(await tokenErrcode(emulator, token(second))).toBe(0);
  });

  it('answers 42001 once a token has expired', async () => {
    const issued = await classicToken(emulator);
    clock += 7200_000 - 1;
    expect(await tokenErrcode(emulator, token(issued))).toBe(0);
    clock += 1;
    expect(await tokenErrcode(emulator, token(issued))).toBe(42001);
  });

  it.each(CREDENTIAL_ERRORS)('answers %s with errcode %i', async (_n, change, errcode) => {
    const query = { ...CREDENTIALS, ...change };
    const res = await get(
      emulator,
      '/cgi-bin/token',
      Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ errcode, errmsg: expect.stringMatching(RID) });
  });
});

describe('POST /cgi-bin/stable_token', () => {
  it('hands back the same token with the time it has left, then a new one 5 minutes before the end', async () => {
    const first = await stableToken(emulator);
    expect(first.json.expires_in).toBe(7200);
    clock += 1000_000;
    const same = await stableToken(emulator);
    expect(same.json).toEqual({ access_token: token(first), expires_in: 6200 });
    clock += 5899_000; // 301 s left
    expect((await stableToken(emulator)).json).toEqual({ access_token: token(first), expires_in: 301 });
    clock += 1000; // 300 s left: renewed, never below 300
    const renewed = await stableToken(emulator);
    expect(renewed.json.expires_in).toBe(7200);
    expect(token(renewed)).not.toBe(token(first));
    expect(await tokenErrcode(emulator, token(first))).toBe(0); // the two overlap until the old one ends
    clock += 300_000;
    expect(await tokenErrcode(emulator, token(first))).not.toBe(0);
    expect(await tokenErrcode(emulator, token(renewed))).toBe(0);
  });

  it('keeps its tokens apart from /cgi-bin/token', async () => {
    const stable = await stableToken(emulator);
    const classic = await classicToken(emulator);
    await classicToken(emulator);
    expect(token(classic)).not.toBe(token(stable));
    expect(token(await stableToken(emulator))).toBe(token(stable));
    clock += 6 * MIN;
    expect(await tokenErrcode(emulator, token(classic))).toBe(40001);
    expect(await tokenErrcode(emulator, token(stable))).toBe(0);
  });

  it('force_refresh replaces the token at once, at most once per 30 s', async () => {
    const old = await stableToken(emulator);
    clock += 1000;
    const forced = await stableToken(emulator, true);
    expect(forced.json.expires_in).toBe(7200);
    expect(token(forced)).not.toBe(token(old));
    expect(await tokenErrcode(emulator, token(old))).toBe(40001);
    clock += 29_999;
    const tooSoon = await stableToken(emulator, true);
    expect(tooSoon.json).toEqual({ access_token: token(forced), expires_in: 7170 });
    clock += 1;
    expect(token(await stableToken(emulator, true))).not.toBe(token(forced));
  });

  it('force_refresh works 20 times a day, then no longer refreshes', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      seen.add(token(await stableToken(emulator, true)));
      clock += 30_000;
    }
    expect(seen.size).toBe(20);
    const refused = await stableToken(emulator, true);
    expect(seen.has(token(refused))).toBe(true);
  });

  it('answers GET with 43002 and a body that is not JSON with 47001', async () => {
    const asGet = await get(emulator, '/cgi-bin/stable_token', CREDENTIALS);
    expect(asGet.json.errcode).toBe(43002);
    expect((await post(emulator, '/cgi-bin/stable_token', 'grant_type=client_credential')).json.errcode).toBe(
      47001,
    );
    expect((await post(emulator, '/cgi-bin/stable_token', '')).json.errcode).toBe(41002);
  });

  it.each(CREDENTIAL_ERRORS)('answers %s with errcode %i', async (_n, change, errcode) => {
    const body = { ...CREDENTIALS, ...change };
    expect((await post(emulator, '/cgi-bin/stable_token', body)).json).toEqual({
      errcode,
      errmsg: expect.stringMatching(RID),
    });
  });
});

describe('access_token checks', () => {
  it('answers 41001 for none and 40001 for an unknown token', async () => {
    expect(await tokenErrcode(emulator, '')).toBe(41001);
    const unknown = await get(emulator, '/wxa/checksession', { access_token: 'not-a-token' });
    expect(unknown.json.errcode).toBe(40001);
    expect(unknown.json.errmsg).toMatch(/^invalid credential, access_token is invalid or not latest rid: /);
  });

  it('invalidateAccessTokens() makes every token fail with 40001; stable_token hands its own back until forced', async () => {
    const classic = await classicToken(emulator);
    const stable = await stableToken(emulator);
    emulator.invalidateAccessTokens();
    expect(await tokenErrcode(emulator, token(classic))).toBe(40001);
    expect(await tokenErrcode(emulator, token(stable))).toBe(40001);
    expect(token(await stableToken(emulator))).toBe(token(stable));
    expect(await tokenErrcode(emulator, token(await stableToken(emulator, true)))).toBe(0);
    expect(await tokenErrcode(emulator, token(await classicToken(emulator)))).toBe(0);
  });

  it('grants the next forced refresh after invalidateAccessTokens(), even within 30 s of the last', async () => {
    const forced = await stableToken(emulator, true);
    clock += 1000;
    emulator.invalidateAccessTokens();
    expect(token(await stableToken(emulator))).toBe(token(forced));
    const recovered = await stableToken(emulator, true);
    expect(token(recovered)).not.toBe(token(forced));
    expect(await tokenErrcode(emulator, token(recovered))).toBe(0);
    clock += 1000;
    expect(token(await stableToken(emulator, true))).toBe(token(recovered)); // the 30 s hold again
  });

  it('scales the early renewal down for short lifetimes', async () => {
    const short = await startWeChatEmulator({ accessTokenTtlSeconds: 2 });
    try {
      expect((await classicToken(short)).json.expires_in).toBe(2);
      const a = await stableToken(short);
      expect(a.json.expires_in).toBe(2);
      expect(token(await stableToken(short))).toBe(token(a));
    } finally {
      await short.close();
    }
  });
});
