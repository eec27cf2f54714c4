// What the emulated WeChat remembers: its apps, their users and each user's one current
// session_key, and the single-use login and phone codes it issued.

import { newLoginCode, newOpenid, newPhoneCode, newSessionKey } from './ids.js';
import type { PhoneInfo } from './phone-info.js';
import type { EmulatedUser } from './types.js';

/** What a user may be created with (see `WeChatEmulator.createUser`). */
export interface UserInput {
  appId?: string;
  openid?: string;
  unionid?: string;
  withUnionid?: boolean;
  phoneNumber?: string;
  countryCode?: string;
}

interface IssuedCode {
  appId: string;
  openid: string;
  issuedAt: number;
  used: boolean;
}

interface IssuedPhoneCode extends IssuedCode {
  phone: PhoneInfo;
  /** Overrides of the answer's watermark, for tests. */
  watermark: { appid?: string; timestamp?: number };
}

/** The outcome of redeeming a code: the user, or WeChat's errcode and errmsg. */
export type Redeemed<T> = { ok: true; value: T } | { ok: false; errcode: number; errmsg?: string };

// Expired codes answer exactly like unknown ones, so they can be forgotten; sweeping every so
// often keeps a long benchmark run from growing without bound.
const SWEEP_EVERY = 1000;

/**
 * The emulator's memory. Users are keyed by appId and openid: one person has a different openid
 * in each app, as on WeChat.
 *
 * @example
 * const state = new EmulatorState([{ appId, appSecret }], { codeTtlMs: 300_000, rotate: true, now: Date.now });
 * const code = state.issueLoginCode(state.createUser({}).openid);
 */
export class EmulatorState {
  readonly apps: ReadonlyMap<string, string>;
  readonly defaultAppId: string;
  readonly #users = new Map<string, EmulatedUser>();
  readonly #loginCodes = new Map<string, IssuedCode>();
  readonly #phoneCodes = new Map<string, IssuedPhoneCode>();
  readonly #o: { codeTtlMs: number; rotate: boolean; now: () => number };
  #issued = 0;

  constructor(
    apps: ReadonlyArray<{ appId: string; appSecret: string }>,
    options: { codeTtlMs: number; rotate: boolean; now: () => number },
  ) {
    this.apps = new Map(apps.map((a) => [a.appId, a.appSecret]));
    this.defaultAppId = apps[0]!.appId;
    this.#o = options;
  }

  now(): number {
    return this.#o.now();
  }

  /** The app's secret, or undefined for an appid WeChat does not know. */
  secretOf(appId: string): string | undefined {
    return this.apps.get(appId);
  }

  /** Creates a user, or returns the existing one after taking the fields given. */
  createUser(input: UserInput): EmulatedUser {
    const appId = this.#knownApp(input.appId);
    const existing = input.openid === undefined ? undefined : this.#users.get(userKey(appId, input.openid));
    if (existing) {
      if (input.unionid !== undefined) existing.unionid = input.unionid;
      else if (input.withUnionid && existing.unionid === undefined) existing.unionid = newOpenid();
      if (input.phoneNumber !== undefined) existing.phoneNumber = input.phoneNumber;
      if (input.countryCode !== undefined) existing.countryCode = input.countryCode;
      return existing;
    }
    if (input.openid !== undefined && (typeof input.openid !== 'string' || input.openid.length === 0)) {
      throw new TypeError('WeChat emulator: openid must be a non-empty string');
    }
    const user: EmulatedUser = { appId, openid: input.openid ?? newOpenid(), sessionKey: this.#newKey() };
    const unionid = input.unionid ?? (input.withUnionid ? newOpenid() : undefined);
    if (unionid !== undefined) user.unionid = unionid;
    if (input.phoneNumber !== undefined) user.phoneNumber = input.phoneNumber;
    if (input.countryCode !== undefined) user.countryCode = input.countryCode;
    this.#users.set(userKey(appId, user.openid), user);
    return user;
  }

  /** The user with that openid: in `appId` when given, else in the first app that has one. */
  findUser(openid: string, appId?: string): EmulatedUser | undefined {
    if (appId !== undefined) return this.#users.get(userKey(appId, openid));
    for (const id of this.apps.keys()) {
      const user = this.#users.get(userKey(id, openid));
      if (user) return user;
    }
    return undefined;
  }

  /** The user of `appId` with that unionid: one person, seen by another app of the same Open Platform account. */
  findByUnionid(unionid: string, appId: string): EmulatedUser | undefined {
    for (const user of this.#users.values()) {
      if (user.appId === appId && user.unionid === unionid) return user;
    }
    return undefined;
  }

  /** Gives the user a new session_key; the old one stops working at once. */
  rotateSessionKey(user: EmulatedUser): string {
    user.sessionKey = this.#newKey();
    return user.sessionKey;
  }

  /** Every session_key ever handed out, current or not: what a leak check must look for. */
  readonly issuedSessionKeys: string[] = [];

  #newKey(): string {
    const sessionKey = newSessionKey();
    this.issuedSessionKeys.push(sessionKey);
    return sessionKey;
  }

  /**
   * What `wx.login()` does: a fresh code for the user and, when rotating, a new session_key. The
   * user is named by openid (created if absent), or given as for `createUser`, or new.
   */
  issueLoginCode(who: string | UserInput | undefined): string {
    const user =
      typeof who === 'string'
        ? (this.findUser(who) ?? this.createUser({ openid: who }))
        : this.createUser(who ?? {});
    if (this.#o.rotate) this.rotateSessionKey(user);
    const code = newLoginCode();
    this.#loginCodes.set(code, this.#issue(user));
    return code;
  }

  /** What the getPhoneNumber button does: a fresh phone code bound to the user. */
  issuePhoneCode(
    user: EmulatedUser,
    phone: PhoneInfo,
    watermark: { appid?: string; timestamp?: number } = {},
  ): string {
    const code = newPhoneCode();
    this.#phoneCodes.set(code, { ...this.#issue(user), phone: { ...phone }, watermark: { ...watermark } });
    return code;
  }

  /** jscode2session's check of a code: 40029 unknown, of another app or expired; 40163 used. */
  redeemLoginCode(appId: string, code: string): Redeemed<EmulatedUser> {
    const issued = this.#loginCodes.get(code);
    if (!issued || issued.appId !== appId || this.#expired(issued)) return { ok: false, errcode: 40029 };
    if (issued.used) return { ok: false, errcode: 40163 };
    issued.used = true;
    return { ok: true, value: this.#users.get(userKey(issued.appId, issued.openid))! };
  }

  /**
   * getuserphonenumber's check of a code: 40013 when another app produced it; 40029 unknown,
   * expired, used, or bound to another openid than the one given.
   */
  redeemPhoneCode(
    appId: string,
    code: string,
    openid: string | undefined,
  ): Redeemed<{ phone: PhoneInfo; watermark: { appid: string; timestamp: number } }> {
    const issued = this.#phoneCodes.get(code);
    if (issued && issued.appId !== appId) return { ok: false, errcode: 40013 };
    if (!issued || issued.used || this.#expired(issued)) return { ok: false, errcode: 40029 };
    if (openid !== undefined && openid !== issued.openid) {
      return { ok: false, errcode: 40029, errmsg: 'invalid code, openid mismatch' };
    }
    issued.used = true;
    const watermark = {
      appid: issued.watermark.appid ?? issued.appId,
      // When the user got the number, in seconds.
      timestamp: issued.watermark.timestamp ?? Math.floor(issued.issuedAt / 1000),
    };
    return { ok: true, value: { phone: { ...issued.phone }, watermark } };
  }

  #expired(issued: IssuedCode): boolean {
    return this.now() - issued.issuedAt >= this.#o.codeTtlMs;
  }

  #issue(user: EmulatedUser): IssuedCode {
    if (++this.#issued % SWEEP_EVERY === 0) this.#sweep();
    return { appId: user.appId, openid: user.openid, issuedAt: this.now(), used: false };
  }

  #sweep(): void {
    for (const codes of [this.#loginCodes, this.#phoneCodes] as Map<string, IssuedCode>[]) {
      for (const [code, issued] of codes) if (this.#expired(issued)) codes.delete(code);
    }
  }

  #knownApp(appId: string | undefined): string {
    const id = appId ?? this.defaultAppId;
    if (!this.apps.has(id)) throw new TypeError(`WeChat emulator: unknown appId ${JSON.stringify(id)}`);
    return id;
  }
}

/**
 * The key of a user in the emulator's maps: one person has a different openid in each app.
 *
 * @example
 * userKey('wx123', 'oGZUI0egBJY1zhBYw2KhdUfwVJJE');
 */
export function userKey(appId: string, openid: string): string {
  return `${appId}\n${openid}`;
}
