// The WeChat API emulator as a test holds it: startWeChatEmulator() and the handles to play the
// mini program and to break WeChat. Its server, memory and endpoints are in the files beside it.

import { CallLog } from './call-log.js';
import { createDevRoutes } from './dev-routes.js';
import { createDispatcher } from './dispatch.js';
import { createEndpointContext, type EndpointContext } from './endpoint.js';
import { FaultQueue } from './faults.js';
import { encryptOpenData } from './open-data.js';
import { emulatorSettings } from './options.js';
import { phoneInfo } from './phone-info.js';
import { EmulatorServer } from './server.js';
import type { UserInput } from './state.js';
import type {
  EmulatedUser,
  EmulatorCall,
  EmulatorEndpoint,
  EmulatorFault,
  OAuthUserInput,
  WeChatEmulatorOptions,
} from './types.js';

/**
 * A running emulator; get one from {@link startWeChatEmulator}.
 *
 * @example
 * const emulator = await startWeChatEmulator();
 * const code = emulator.issueLoginCode();
 * await fetch(`${emulator.url}/sns/jscode2session?appid=${emulator.appId}&secret=${emulator.appSecret}&js_code=${code}&grant_type=authorization_code`);
 * await emulator.close();
 */
export class WeChatEmulator {
  /** What the emulated WeChat remembers, as its endpoints share it. */
  readonly #wechat: EndpointContext;
  readonly #faults = new FaultQueue();
  readonly #log = new CallLog();
  readonly #server: EmulatorServer;
  #url = '';

  private constructor(options: WeChatEmulatorOptions) {
    const settings = emulatorSettings(options);
    this.#wechat = createEndpointContext(settings);
    // /dev routes are not WeChat's: they bypass the fault queue and the call log.
    const dev = settings.devRoutes ? createDevRoutes(this) : undefined;
    this.#server = new EmulatorServer(createDispatcher(this.#wechat, this.#faults, this.#log), dev);
  }

  /** @internal Use {@link startWeChatEmulator}. */
  static async start(options: WeChatEmulatorOptions = {}): Promise<WeChatEmulator> {
    const emulator = new WeChatEmulator(options);
    emulator.#url = await emulator.#server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return emulator;
  }

  /** The base URL, e.g. `http://127.0.0.1:PORT`: what the package takes as `apiBaseUrl`. */
  get url(): string {
    return this.#url;
  }

  /** The first app's appId. */
  get appId(): string {
    return this.#wechat.state.defaultAppId;
  }

  /** The first app's appSecret. */
  get appSecret(): string {
    return this.#wechat.state.secretOf(this.#wechat.state.defaultAppId)!;
  }

  /**
   * Creates a user of an app (the first unless `appId` is given), or returns the one with that
   * openid after taking the fields given. The openid is generated like WeChat's unless given;
   * a unionid only when given or with `withUnionid: true`. Returns a snapshot.
   *
   * @example
   * const user = emulator.createUser({ withUnionid: true });
   */
  createUser(input: UserInput = {}): EmulatedUser {
    return { ...this.#wechat.state.createUser(input) };
  }

  /**
   * What `wx.login()` gives the mini program: a fresh single-use code for that user (by openid,
   * created if absent), or for a new user when none is named. Like WeChat may, it gives the user
   * a new session_key at once (unless `rotateSessionKeyOnLogin: false`): data encrypted from now
   * on uses it, even before the code is exchanged.
   *
   * @example
   * const code = emulator.issueLoginCode(user.openid);
   */
  issueLoginCode(user?: string | Omit<UserInput, 'phoneNumber' | 'countryCode'>): string {
    return this.#wechat.state.issueLoginCode(user);
  }

  /**
   * What the getPhoneNumber button gives: a single-use phone code bound to the user (created if
   * absent). The number defaults to the user's, else `13800138000`, country code `'86'`. The
   * answer carries `watermark: { timestamp, appid }` (when the code was issued, the user's app)
   * unless `watermarkTimestamp` / `watermarkAppId` say otherwise.
   *
   * @example
   * const code = emulator.issuePhoneCode(user.openid, { purePhoneNumber: '13912345678' });
   */
  issuePhoneCode(
    openid: string,
    phone: {
      phoneNumber?: string;
      purePhoneNumber?: string;
      countryCode?: string;
      /** The answer's `watermark.appid`, to play a number issued for another app. Defaults to the user's app. */
      watermarkAppId?: string;
      /** The answer's `watermark.timestamp` in seconds. Defaults to when the code was issued. */
      watermarkTimestamp?: number;
    } = {},
    appId?: string,
  ): string {
    const state = this.#wechat.state;
    const user = state.findUser(openid, appId) ?? state.createUser({ openid, appId });
    const watermark = { appid: phone.watermarkAppId, timestamp: phone.watermarkTimestamp };
    return state.issuePhoneCode(user, phoneInfo(user, phone), watermark);
  }

  /**
   * The user's current session_key, or undefined for an unknown user.
   *
   * @example
   * expect(responseText).not.toContain(emulator.sessionKeyOf(user.openid));
   */
  sessionKeyOf(openid: string, appId?: string): string | undefined {
    return this.#wechat.state.findUser(openid, appId)?.sessionKey;
  }

  /**
   * Every session_key this emulator ever issued, current or replaced: what a test that checks
   * responses and logs for leaks must look for.
   *
   * @example
   * for (const key of emulator.issuedSessionKeys()) expect(allLogs).not.toContain(key);
   */
  issuedSessionKeys(): string[] {
    return [...this.#wechat.state.issuedSessionKeys];
  }

  /**
   * Encrypts open data as WeChat does for the mini program: with the user's CURRENT session_key
   * (or `sessionKey`), adding `watermark: { timestamp, appid }` (now, and the user's app, unless
   * `timestamp` in seconds or `watermarkAppId` are given).
   *
   * @example
   * const { encryptedData, iv } = emulator.encrypt(user.openid, { stepInfoList: [] });
   */
  encrypt(
    openid: string,
    data: Record<string, unknown>,
    options: { appId?: string; timestamp?: number; sessionKey?: string; watermarkAppId?: string } = {},
  ): { encryptedData: string; iv: string } {
    const user = this.#wechat.state.findUser(openid, options.appId);
    const sessionKey = options.sessionKey ?? user?.sessionKey;
    if (sessionKey === undefined)
      throw new TypeError(`WeChat emulator: unknown user ${JSON.stringify(openid)}`);
    return encryptOpenData(sessionKey, data, {
      appid: options.watermarkAppId ?? user?.appId ?? options.appId ?? this.appId,
      timestamp: options.timestamp ?? Math.floor(this.#wechat.state.now() / 1000),
    });
  }

  /**
   * Chooses who is signed in to WeChat in the browser that opens the web OAuth pages
   * (`/connect/oauth2/authorize`, `/connect/qrconnect`) from now on, and how they answer the
   * consent page. Their user in the app that asks is found by `openid`, else by `unionid` (the
   * same person as a mini-program user with that unionid), else created. With no argument: a new
   * user at each authorization, and the consent page shown.
   *
   * @example
   * const mini = emulator.createUser({ withUnionid: true });
   * emulator.oauthUser({ unionid: mini.unionid, nickname: 'Mei', consent: 'allow' }); // redirects back at once
   */
  oauthUser(person: OAuthUserInput = {}): void {
    this.#wechat.oauth.person.signIn(person);
  }

  /**
   * Makes WeChat reject every access_token issued so far (40001), as after a leak or a forced
   * refresh elsewhere. stable_token's normal mode keeps handing back its (now rejected) token until
   * a `force_refresh`, the worst case a client must handle. The next forced refresh is granted even
   * within 30 s of the last one, so that one emulator can serve many such tests.
   *
   * @example
   * emulator.invalidateAccessTokens();
   */
  invalidateAccessTokens(): void {
    this.#wechat.tokens.revokeAll();
  }

  /**
   * Queues a fault for the next `times` calls (default 1) to an endpoint (`'*'`: any). Faults are
   * consumed in the order they were queued; a faulted call changes nothing in the emulator, except
   * `delay`, which does the work at once and only answers late (a code it redeems is used up).
   *
   * @example
   * emulator.fail('stable_token', { type: 'http', status: 503 }, { times: 2 });
   */
  fail(endpoint: EmulatorEndpoint | '*', fault: EmulatorFault, options: { times?: number } = {}): void {
    this.#faults.add(endpoint, fault, options.times);
  }

  /**
   * Drops every queued fault.
   *
   * @example
   * beforeEach(() => emulator.clearFaults());
   */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** Every call received, in order (copies). */
  get calls(): readonly EmulatorCall[] {
    return this.#log.all();
  }

  /**
   * The calls received by one endpoint, in order.
   *
   * @example
   * expect(emulator.callsTo('jscode2session')).toHaveLength(1);
   */
  callsTo(endpoint: EmulatorEndpoint): EmulatorCall[] {
    return this.#log.to(endpoint);
  }

  /**
   * Forgets the calls received so far.
   *
   * @example
   * beforeEach(() => emulator.resetCalls());
   */
  resetCalls(): void {
    this.#log.reset();
  }

  /**
   * Stops the server and ends every connection, hanging and keep-alive ones included, so that it
   * resolves at once. Idempotent.
   *
   * @example
   * afterAll(() => emulator.close());
   */
  close(): Promise<void> {
    return this.#server.close();
  }
}

/**
 * Starts a WeChat API emulator on loopback (a free port unless `port` is given).
 *
 * @example
 * const emulator = await startWeChatEmulator();
 * app.use(wxLogin({ appId: emulator.appId, appSecret: emulator.appSecret, apiBaseUrl: emulator.url, tokenSecret }));
 */
export function startWeChatEmulator(options?: WeChatEmulatorOptions): Promise<WeChatEmulator> {
  return WeChatEmulator.start(options);
}
