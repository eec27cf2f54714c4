// WeChat's errcode parsing and the one mapping table from errcode to our codes and statuses.

import { describe, expect, it } from 'vitest';
import { configHint, errorFromWeChat, extractRid, parseErrcode } from '../../src/wechat/errcode.js';

describe('parseErrcode', () => {
  it.each([
    [undefined, undefined],
    [null, undefined],
    [0, undefined],
    ['0', undefined],
    [40029, 40029],
    ['40029', 40029],
    [' 45011 ', 45011],
    [-1, -1],
    ['-1', -1],
    ['abc', -2],
    [1.5, -2],
    [{}, -2],
  ])('reads %j as %j', (raw, expected) => {
    expect(parseErrcode(raw)).toBe(expected);
  });
});

describe('extractRid', () => {
  it('finds the new-style rid and the older req_id', () => {
    expect(extractRid('invalid code, rid: 652d44d0-1d0af18b-5b069232')).toBe('652d44d0-1d0af18b-5b069232');
    expect(extractRid('invalid code, hints: [ req_id: Ab12-cd ]')).toBe('Ab12-cd');
    expect(extractRid('invalid code')).toBeUndefined();
  });
});

describe('errorFromWeChat', () => {
  it.each([
    ['login', 40029, 'WX_CODE_INVALID', 401],
    ['login', 40163, 'WX_CODE_USED', 401],
    ['login', 45011, 'WX_RATE_LIMITED', 429],
    ['login', 40226, 'WX_USER_BLOCKED', 403],
    ['login', 40013, 'WX_CONFIG_REJECTED', 500],
    ['login', 40125, 'WX_CONFIG_REJECTED', 500],
    ['token', 40164, 'WX_CONFIG_REJECTED', 500],
    ['phone', 40029, 'WX_PHONE_CODE_INVALID', 400],
    ['phone', 40013, 'WX_PHONE_CODE_INVALID', 400],
    ['phone', 45011, 'WX_RATE_LIMITED', 429],
    ['login', 99999, 'WX_UPSTREAM_ERROR', 502],
    ['phone', 48001, 'WX_API_UNAUTHORIZED', 403],
    ['session-key', 87009, 'WX_SESSION_KEY_STALE', 400],
    ['session-key', 40003, 'WX_SESSION_KEY_STALE', 400],
    ['token', 40001, 'WX_CONFIG_REJECTED', 500],
    ['token', 40125, 'WX_CONFIG_REJECTED', 500],
    ['token', 40243, 'WX_CONFIG_REJECTED', 500],
    // 40001 from an API that uses the token: a rejected token, refreshed once by the core.
    ['phone', 40001, 'WX_UPSTREAM_ERROR', 502],
    ['session-key', 40001, 'WX_UPSTREAM_ERROR', 502],
  ] as const)('maps a %s call’s errcode %i to %s (%i)', (kind, errcode, code, status) => {
    const err = errorFromWeChat(kind, { errcode, errmsg: 'x rid: 1-2-3', rid: '1-2-3' });
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.errcode).toBe(errcode);
    expect(err.rid).toBe('1-2-3');
  });
});

describe('configHint', () => {
  it('names the egress IP of a 40164, in IPv4 and IPv6 answers', () => {
    expect(
      configHint('token', 40164, 'invalid ip 1.2.3.4 ipv6 ::ffff:1.2.3.4, not in whitelist rid: a-b-c'),
    ).toMatchObject({
      setting: 'ipWhitelist',
      egressIp: '1.2.3.4',
    });
    expect(configHint('token', 40164, 'invalid ip 2001:db8::1, not in whitelist')?.egressIp).toBe(
      '2001:db8::1',
    );
    expect(configHint('token', 40164, 'not in whitelist')).toMatchObject({ setting: 'ipWhitelist' });
    expect(configHint('token', 40164, 'not in whitelist')?.egressIp).toBeUndefined();
  });

  it('points at the secret for 40125 everywhere and for 40001 on the token endpoints only', () => {
    expect(configHint('login', 40125, '')?.setting).toBe('appSecret');
    expect(configHint('token', 40001, '')?.setting).toBe('appSecret');
    expect(configHint('phone', 40001, '')).toBeUndefined();
    expect(configHint('token', 40013, '')?.setting).toBe('appId');
    expect(configHint('login', 40029, '')).toBeUndefined();
  });
});
