// wxLogin() validates its options at once, with a message that names the package and the option.

import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/core/options.js';
import { MemoryStore, requireWxSession, type WxLoginOptions, wxLogin } from '../../src/index.js';

const valid: WxLoginOptions = { appId: 'wx123', appSecret: 'secret-value', tokenSecret: 'x'.repeat(32) };

function messageOf(options: unknown): string {
  try {
    wxLogin(options as WxLoginOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(TypeError);
    return (err as Error).message;
  }
  throw new Error('wxLogin() accepted invalid options');
}

describe('wxLogin() options', () => {
  it('builds with the required options and fills the documented defaults', () => {
    expect(wxLogin(valid).auth.appId).toBe('wx123');
    const config = parseOptions(valid);
    expect(config).toMatchObject({
      apiBaseUrl: 'https://api.weixin.qq.com',
      timeoutMs: 5000,
      retries: 2,
      tokenTtl: 604800,
      tokenEndpoint: 'stable',
      sessionCacheMs: 1000,
    });
    expect(config.store).toBeInstanceOf(MemoryStore);
  });

  it('treats an option given as undefined as not given', () => {
    expect(parseOptions({ ...valid, timeoutMs: undefined, store: undefined }).timeoutMs).toBe(5000);
  });

  it.each([
    [undefined, 'options must be an object'],
    [{ ...valid, appId: undefined }, 'option "appId" is required'],
    [{ ...valid, appId: '  ' }, 'option "appId" is required'],
    [{ ...valid, appSecret: 42 }, 'option "appSecret" is required'],
    [{ ...valid, tokenSecret: undefined }, 'option "tokenSecret" is required'],
    [{ ...valid, tokenSecret: 'short' }, 'option "tokenSecret" must be a string of at least 32 bytes'],
    [{ ...valid, signingKeys: [] }, 'option "signingKeys" must be a non-empty array'],
    [{ ...valid, signingKeys: [{ kid: 'a', secret: 'short' }] }, 'option "signingKeys[0].secret"'],
    [{ ...valid, signingKeys: [{ kid: 'a b', secret: 'y'.repeat(32) }] }, 'option "signingKeys[0].kid"'],
    [
      {
        ...valid,
        signingKeys: [
          { kid: 'a', secret: 'y'.repeat(32) },
          { kid: 'a', secret: 'z'.repeat(32) },
        ],
      },
      'option "signingKeys[1].kid" must be unique',
    ],
    [
      { ...valid, store: {} },
      'option "store" must implement SessionStore; missing: get, set, delete, add, deleteIfEquals',
    ],
    [{ ...valid, store: { get() {}, set() {}, delete() {} } }, 'missing: add, deleteIfEquals'],
    [{ ...valid, apiBaseUrl: 'ftp://x' }, 'option "apiBaseUrl" must be an http(s) URL'],
    [{ ...valid, timeoutMs: 0 }, 'option "timeoutMs" must be an integer from 1 to 120000, got 0'],
    [{ ...valid, timeoutMs: '5000' }, 'option "timeoutMs" must be an integer from 1 to 120000, got string'],
    [{ ...valid, retries: 11 }, 'option "retries" must be an integer from 0 to 10'],
    [{ ...valid, tokenTtl: 10 }, 'option "tokenTtl" must be an integer from 60'],
    [{ ...valid, sessionCacheMs: 5000 }, 'option "sessionCacheMs" must be an integer from 0 to 1000'],
    [{ ...valid, tokenEndpoint: 'fast' }, 'option "tokenEndpoint" must be "stable" or "classic"'],
    [{ ...valid, onLogin: 'yes' }, 'option "onLogin" must be a function'],
    [{ ...valid, logger: 'console' }, 'option "logger" must be a pino-style logger object'],
    [{ ...valid, phoneMaxAgeSeconds: 0 }, 'option "phoneMaxAgeSeconds" must be a positive number, got 0'],
    [
      { ...valid, phoneMaxAgeSeconds: '60' },
      'option "phoneMaxAgeSeconds" must be a positive number, got string',
    ],
    [{ ...valid, routes: { login: 'wx/login' } }, 'option "routes.login" must be a path starting with "/"'],
    [{ ...valid, routes: { logout: '/wx/login' } }, 'option "routes.logout" repeats the path /wx/login'],
  ])('refuses %j', (options, expected) => {
    const message = messageOf(options);
    expect(message.startsWith('express-wx-login:')).toBe(true);
    expect(message).toContain(expected);
  });

  it('never puts the appSecret or tokenSecret in a validation message', () => {
    const message = messageOf({
      ...valid,
      appSecret: 'the-app-secret-value',
      tokenSecret: 'too-short-secret',
    });
    expect(message).not.toContain('the-app-secret-value');
    expect(message).not.toContain('too-short-secret');
  });

  it('warns once through the logger about the memory store in production and a short tokenTtl', () => {
    const lines: string[] = [];
    const logger = { warn: (_o: Record<string, unknown>, msg?: string) => lines.push(msg ?? '') };
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      wxLogin({ ...valid, logger, tokenTtl: 120 });
    } finally {
      process.env.NODE_ENV = env;
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/MemoryStore in production/);
    expect(lines[1]).toMatch(/tokenTtl is under 5 minutes/);
  });
});

describe('the parsed configuration', () => {
  it('keeps the secrets out of inspect() and JSON of the service and its config', async () => {
    const { inspect } = await import('node:util');
    const { auth } = wxLogin({
      ...valid,
      appSecret: 'app-secret-never-printed',
      tokenSecret: 't'.repeat(40),
    });
    const config = parseOptions({
      ...valid,
      appSecret: 'app-secret-never-printed',
      tokenSecret: 't'.repeat(40),
    });
    expect(config.appSecret).toBe('app-secret-never-printed');
    for (const text of [
      inspect(auth, { depth: 6, showHidden: true }),
      inspect(config, { depth: 6 }),
      JSON.stringify(config),
      JSON.stringify(auth),
    ]) {
      expect(text).not.toContain('app-secret-never-printed');
      expect(text).not.toContain('t'.repeat(40));
    }
  });
});

describe('requireWxSession() options', () => {
  it.each([
    [{ appId: '' }, 'option "appId" must be a non-empty string'],
    [{ appId: 42 }, 'option "appId" must be a non-empty string'],
    [{ optional: 'yes' }, 'option "optional" must be'],
  ])('refuses %j with ERR_INVALID_ARG_VALUE', (options, expected) => {
    let thrown: unknown;
    try {
      requireWxSession(options as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE');
    expect((thrown as Error).message).toContain(expected);
  });

  it('accepts an appId, and no appId at all', () => {
    expect(typeof requireWxSession({ appId: 'wx123' })).toBe('function');
    expect(typeof requireWxSession()).toBe('function');
  });
});
