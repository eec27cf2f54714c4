// A fake of the mini program's `wx` for the auth client's tests: wx.request is real HTTP (fetch),
// wx.login and wx.getWeRunData get their codes and data from the example's WeChat emulator.

import type { WeChatEmulator } from 'express-wx-login/testing';

type Callbacks<T> = { success?: (result: T) => void; fail?: (err: { errMsg: string }) => void };

export interface WxRequestOptions extends Callbacks<WxResponse> {
  url: string;
  method?: string;
  data?: unknown;
  header?: Record<string, string>;
}

export interface WxResponse {
  statusCode: number;
  data: unknown;
  header: Record<string, string>;
}

/** What the fake saw: one line per wx.request, for assertions on order and headers. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  status: number;
}

/** Calls back on a later tick, as the real wx does. */
function later<T>(callbacks: Callbacks<T>, result: T | Error): void {
  setTimeout(() => {
    if (result instanceof Error) callbacks.fail?.({ errMsg: result.message });
    else callbacks.success?.(result);
  }, 0);
}

export class FakeWx {
  readonly storage = new Map<string, unknown>();
  readonly requests: SeenRequest[] = [];
  readonly openid: string;
  loginCalls = 0;
  weRunCalls = 0;
  /** What wx.checkSession() answers: false plays an expired WeChat session. */
  sessionAlive = true;
  /** Runs before wx.getWeRunData() encrypts, e.g. to rotate the session_key as WeChat may. */
  beforeWeRun: (() => void) | undefined;
  /**
   * Answers instead of the network for matching requests (the server cannot be made to answer
   * 401 to a fresh token); undefined lets the request through.
   */
  intercept: ((options: WxRequestOptions) => WxResponse | undefined) | undefined;

  /** A device of a new user, or of the user `openid` (a second phone of someone). */
  constructor(
    private readonly emulator: WeChatEmulator,
    openid?: string,
  ) {
    this.openid = openid ?? emulator.createUser({ withUnionid: true }).openid;
  }

  getStorageSync = (key: string): unknown => this.storage.get(key) ?? '';
  setStorageSync = (key: string, value: unknown): void => {
    this.storage.set(key, value);
  };
  removeStorageSync = (key: string): void => {
    this.storage.delete(key);
  };

  login = (callbacks: Callbacks<{ code: string; errMsg: string }>): void => {
    this.loginCalls += 1;
    later(callbacks, { code: this.emulator.issueLoginCode(this.openid), errMsg: 'login:ok' });
  };

  checkSession = (callbacks: Callbacks<{ errMsg: string }>): void => {
    later(callbacks, this.sessionAlive ? { errMsg: 'checkSession:ok' } : new Error('checkSession:fail'));
  };

  getWeRunData = (callbacks: Callbacks<{ encryptedData: string; iv: string; errMsg: string }>): void => {
    this.weRunCalls += 1;
    this.beforeWeRun?.();
    const data = this.emulator.encrypt(this.openid, {
      stepInfoList: [
        { timestamp: 1_700_000_000, step: 1200 },
        { timestamp: 1_700_086_400, step: 8800 },
      ],
    });
    later(callbacks, { ...data, errMsg: 'getWeRunData:ok' });
  };

  request = (options: WxRequestOptions): void => {
    const url = new URL(options.url);
    const method = options.method ?? 'GET';
    const seen: SeenRequest = {
      method,
      path: url.pathname,
      authorization: options.header?.Authorization,
      status: 0,
    };
    this.requests.push(seen);
    const scripted = this.intercept?.(options);
    if (scripted) {
      seen.status = scripted.statusCode;
      later(options, scripted);
      return;
    }
    const hasBody = method !== 'GET' && options.data !== undefined;
    fetch(url, {
      method,
      headers: options.header ?? {},
      body: hasBody ? JSON.stringify(options.data) : undefined,
    }).then(
      async (res) => {
        const text = await res.text();
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : '';
        } catch {
          // wx.request hands over the text when it is not JSON
        }
        seen.status = res.status;
        options.success?.({ statusCode: res.status, data, header: Object.fromEntries(res.headers) });
      },
      (err: Error) => options.fail?.({ errMsg: `request:fail ${err.message}` }),
    );
  };

  /** "METHOD /path status" per request, the shape most assertions want. */
  trace(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
  }
}
