// The person signed in to WeChat in the browser that opens the web OAuth pages: who they are in
// each app, how they answer the consent page, and the profile /sns/userinfo answers for them.

import { type EmulatorState, userKey } from './state.js';
import type { EmulatedUser, OAuthUserInput } from './types.js';

/** The profile /sns/userinfo answers; the emulator makes one up unless the test gave one. */
export interface OAuthProfile {
  nickname: string;
  sex: number;
  headimgurl: string;
}

/**
 * The signed-in person, on top of the emulator's users: one person has a different openid in each
 * app, and the same unionid in all apps of one Open Platform account.
 *
 * @example
 * const person = new OAuthPerson(state);
 * person.signIn({ unionid, nickname: 'Mei', consent: 'allow' });
 * const user = person.userFor('wx_official_account');
 */
export class OAuthPerson {
  readonly #state: EmulatorState;
  #person: OAuthUserInput = {};
  readonly #profiles = new Map<string, OAuthProfile>();

  constructor(state: EmulatorState) {
    this.#state = state;
  }

  /** Who the next authorizations are by, and how they answer the consent page. */
  signIn(person: OAuthUserInput): void {
    if (person.consent !== undefined && !['page', 'allow', 'deny'].includes(person.consent)) {
      throw new TypeError('WeChat emulator: consent must be "page", "allow" or "deny"');
    }
    this.#person = { ...person };
  }

  get consentMode(): 'page' | 'allow' | 'deny' {
    return this.#person.consent ?? 'page';
  }

  /** Whether the person browses official-account pages in snapshot mode (快照页). */
  get snapshotMode(): boolean {
    return this.#person.snapshot === true;
  }

  /** The person's user in `appId`: found by openid or unionid, else created. */
  userFor(appId: string): EmulatedUser {
    const p = this.#person;
    let user: EmulatedUser | undefined;
    if (p.openid !== undefined) user = this.#state.findUser(p.openid, appId);
    else if (p.unionid !== undefined) user = this.#state.findByUnionid(p.unionid, appId);
    user ??= this.#state.createUser({
      appId,
      ...(p.openid === undefined ? {} : { openid: p.openid }),
      ...(p.unionid === undefined ? {} : { unionid: p.unionid }),
      ...(p.withUnionid ? { withUnionid: true } : {}),
    });
    const key = userKey(appId, user.openid);
    const known = this.#profiles.get(key);
    this.#profiles.set(key, {
      nickname: p.nickname ?? known?.nickname ?? '微信用户',
      sex: p.sex ?? known?.sex ?? 0,
      headimgurl: p.headimgurl ?? known?.headimgurl ?? 'https://thirdwx.qlogo.cn/mmopen/emulator/132',
    });
    return user;
  }

  /** The profile of a user the person was seen as, or undefined. */
  profileOf(appId: string, openid: string): OAuthProfile | undefined {
    const profile = this.#profiles.get(userKey(appId, openid));
    return profile && { ...profile };
  }
}
