// The emulator's /sns/jscode2session over real HTTP: success with and without unionid, each
// documented refusal, single-use and expiring codes, session_key rotation on wx.login().

import { afterAll, describe, expect, it } from 'vitest';
import { startWeChatEmulator } from '../../src/testing/index.js';
import { code2Session, get, RID } from '../helpers/wechat-http.js';

let clock = 1_700_000_000_000;
const emulator = await startWeChatEmulator({ now: () => clock, codeTtlMs: 60_000 });
const second = { appId: 'wx_second_app000', appSecret: 'second_secret_0123456789abcdef00' };
const two = await startWeChatEmulator({
  apps: [{ appId: 'wx_first_app0000', appSecret: 'first_secret' }, second],
});
afterAll(() => Promise.all([emulator.close(), two.close()]));

describe('GET /sns/jscode2session', () => {
  it('answers the openid and the current session_key, and no unionid for a user without one', async () => {
    const user = emulator.createUser();
    expect(user.openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    const res = await code2Session(emulator, emulator.issueLoginCode(user.openid));
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.json).toEqual({ session_key: emulator.sessionKeyOf(user.openid), openid: user.openid });
    expect(Buffer.from(String(res.json.session_key), 'base64')).toHaveLength(16);
  });

  it('adds the unionid for a user who has one', async () => {
    const user = emulator.createUser({ withUnionid: true });
    expect(user.unionid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    const res = await code2Session(emulator, emulator.issueLoginCode(user.openid));
    expect(res.json).toEqual({
      session_key: emulator.sessionKeyOf(user.openid),
      openid: user.openid,
      unionid: user.unionid,
    });
    const named = emulator.createUser({ unionid: 'oUnion_given_0000000000000000' });
    expect((await code2Session(emulator, emulator.issueLoginCode(named.openid))).json.unionid).toBe(
      'oUnion_given_0000000000000000',
    );
  });

  it('takes a code only once: the second exchange is 40163 "code been used"', async () => {
    const code = emulator.issueLoginCode();
    expect((await code2Session(emulator, code)).json.openid).toEqual(expect.any(String));
    const again = await code2Session(emulator, code);
    expect(again.status).toBe(200);
    expect(again.json.errcode).toBe(40163);
    expect(again.json.errmsg).toMatch(/^code been used rid: /);
    expect(again.json.errmsg).toMatch(RID);
  });

  it('expires a code after codeTtlMs with 40029', async () => {
    const fresh = emulator.issueLoginCode();
    const stale = emulator.issueLoginCode();
    clock += 59_999;
    expect((await code2Session(emulator, fresh)).json.errcode).toBeUndefined();
    clock += 1;
    expect((await code2Session(emulator, stale)).json).toMatchObject({ errcode: 40029 });
  });

  const good = () => ({
    appid: emulator.appId,
    secret: emulator.appSecret,
    js_code: emulator.issueLoginCode(),
    grant_type: 'authorization_code',
  });
  it.each([
    ['no appid', { appid: undefined }, 41002, 'appid missing'],
    ['an unknown appid', { appid: 'wx_unknown' }, 40013, 'invalid appid'],
    ['no secret', { secret: undefined }, 41004, 'appsecret missing'],
    ['a wrong secret', { secret: 'wrong' }, 40125, 'invalid appsecret'],
    ['another grant_type', { grant_type: 'client_credential' }, 40002, 'invalid grant_type'],
    ['no grant_type', { grant_type: undefined }, 40002, 'invalid grant_type'],
    ['no code', { js_code: undefined }, 41008, 'missing code'],
    ['a code never issued', { js_code: '0a3Ngu000Wu7yT1sQp100W5oyK1Ngu0Y' }, 40029, 'invalid code'],
  ])('answers %s with HTTP 200 and errcode %i', async (_name, change, errcode, errmsg) => {
    const query = Object.fromEntries(
      Object.entries({ ...good(), ...change }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const res = await get(emulator, '/sns/jscode2session', query);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['errcode', 'errmsg']);
    expect(res.json.errcode).toBe(errcode);
    expect(res.json.errmsg).toBe(`${errmsg}${String(res.json.errmsg).match(RID)?.[0]}`);
  });

  it('refuses a code issued for another app with 40029, and serves each app its own users', async () => {
    const code = two.issueLoginCode({ appId: second.appId });
    const asFirst = await code2Session(two, code);
    expect(asFirst.json.errcode).toBe(40029);
    const asSecond = await get(two, '/sns/jscode2session', {
      appid: second.appId,
      secret: second.appSecret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    expect(asSecond.json.openid).toEqual(expect.any(String));
    expect(two.sessionKeyOf(String(asSecond.json.openid), second.appId)).toBe(asSecond.json.session_key);
    expect(two.sessionKeyOf(String(asSecond.json.openid), two.appId)).toBeUndefined();
  });
});

describe('users and codes', () => {
  it('gives the user a new session_key at each wx.login(), before the code is exchanged', async () => {
    const user = emulator.createUser();
    const code = emulator.issueLoginCode(user.openid);
    const first = emulator.sessionKeyOf(user.openid);
    expect(first).not.toBe(user.sessionKey);
    expect((await code2Session(emulator, code)).json.session_key).toBe(first);
    emulator.issueLoginCode(user.openid);
    expect(emulator.sessionKeyOf(user.openid)).not.toBe(first);
  });

  it('keeps the session_key across logins with rotateSessionKeyOnLogin: false', async () => {
    const steady = await startWeChatEmulator({ rotateSessionKeyOnLogin: false });
    try {
      const user = steady.createUser();
      const a = await code2Session(steady, steady.issueLoginCode(user.openid));
      const b = await code2Session(steady, steady.issueLoginCode(user.openid));
      expect(a.json.session_key).toBe(user.sessionKey);
      expect(b.json.session_key).toBe(user.sessionKey);
    } finally {
      await steady.close();
    }
  });

  it('issues a code for a new user when none is named, and for a named openid creates it once', async () => {
    const a = await code2Session(emulator, emulator.issueLoginCode());
    const b = await code2Session(emulator, emulator.issueLoginCode());
    expect(a.json.openid).not.toBe(b.json.openid);
    const named = await code2Session(emulator, emulator.issueLoginCode('oNamed_user_00000000000000000'));
    expect(named.json.openid).toBe('oNamed_user_00000000000000000');
    const withUnion = await code2Session(emulator, emulator.issueLoginCode({ withUnionid: true }));
    expect(withUnion.json.unionid).toEqual(expect.any(String));
  });

  it('returns the existing user for a known openid, as a snapshot, and refuses an unknown appId', () => {
    const user = emulator.createUser({ openid: 'oSame_user_000000000000000000' });
    const again = emulator.createUser({
      openid: 'oSame_user_000000000000000000',
      phoneNumber: '13912345678',
    });
    expect(again).toMatchObject({
      openid: user.openid,
      sessionKey: user.sessionKey,
      phoneNumber: '13912345678',
    });
    again.sessionKey = 'tampered';
    expect(emulator.sessionKeyOf(user.openid)).toBe(user.sessionKey);
    expect(() => emulator.createUser({ appId: 'wx_nobody' })).toThrow(TypeError);
    expect(emulator.sessionKeyOf('o_never_created')).toBeUndefined();
  });

  it('refuses bad options at start', async () => {
    await expect(startWeChatEmulator({ apps: [] })).rejects.toThrow(/apps must not be empty/);
    await expect(startWeChatEmulator({ codeTtlMs: 0 })).rejects.toThrow(/codeTtlMs/);
    await expect(startWeChatEmulator({ apps: [second, second] })).rejects.toThrow(/given twice/);
  });
});
