// The steps of one web authorization: the consent page waiting for its answer (a ticket), then the
// single-use code the browser carries back to the site, which /sns/oauth2/access_token redeems.

import { randomBytes } from 'node:crypto';
import { newLoginCode, newOpenid } from './ids.js';
import type { Redeemed } from './state.js';
import type { OAuthScope } from './types.js';

/** A consent page shown and not yet answered. */
export interface PendingConsent {
  appId: string;
  openid: string;
  scope: OAuthScope;
  redirectUri: string;
  state: string | undefined;
  /** `/connect/qrconnect` codes live 10 minutes, `/connect/oauth2/authorize` codes 5. */
  qr: boolean;
  /** A snapshot-mode grant: openid and unionid are virtual, and this is the unionid. */
  snapshotUnionid?: string;
}

interface IssuedOAuthCode {
  appId: string;
  openid: string;
  scope: OAuthScope;
  expiresAt: number;
  used: boolean;
  snapshotUnionid?: string;
}

const CONSENT_TTL_MS = 10 * 60_000;
// Expired consents and codes answer like unknown ones, so they can be forgotten; sweeping every so
// often keeps a long run from growing without bound.
const SWEEP_EVERY = 1000;

/**
 * The authorizations under way: consent tickets and the codes they end in.
 *
 * @example
 * const codes = new OAuthCodes(Date.now, () => {});
 * const code = codes.issue({ appId, openid, scope: 'snsapi_userinfo', redirectUri, state: 's', qr: false });
 * codes.redeem(appId, code); // { ok: true, value: { openid, scope: 'snsapi_userinfo' } }
 */
export class OAuthCodes {
  readonly #now: () => number;
  readonly #alsoSweep: () => void;
  readonly #consents = new Map<string, PendingConsent & { expiresAt: number }>();
  readonly #codes = new Map<string, IssuedOAuthCode>();
  #issued = 0;

  /** `alsoSweep` runs with each sweep of expired consents and codes, for the other OAuth memory. */
  constructor(now: () => number, alsoSweep: () => void) {
    this.#now = now;
    this.#alsoSweep = alsoSweep;
  }

  /**
   * The consent of a snapshot-mode page: a virtual openid and unionid, made up for this grant
   * alone and never linked to the person's real user.
   */
  snapshotConsent(consent: Omit<PendingConsent, 'openid' | 'qr' | 'snapshotUnionid'>): PendingConsent {
    return { ...consent, openid: newOpenid(), qr: false, snapshotUnionid: newOpenid() };
  }

  /** Remembers a consent page until it is answered (once) or 10 minutes pass; returns its ticket. */
  openConsent(consent: PendingConsent): string {
    const ticket = randomBytes(16).toString('hex');
    this.#consents.set(ticket, { ...consent, expiresAt: this.#now() + CONSENT_TTL_MS });
    return ticket;
  }

  /** The consent of a ticket, once; undefined when unknown, answered already or expired. */
  takeConsent(ticket: string): PendingConsent | undefined {
    const consent = this.#consents.get(ticket);
    this.#consents.delete(ticket);
    return consent && consent.expiresAt > this.#now() ? consent : undefined;
  }

  /** A single-use code for the redirect back to the site. */
  issue(consent: PendingConsent): string {
    if (++this.#issued % SWEEP_EVERY === 0) this.#sweep();
    const code = newLoginCode();
    const ttl = consent.qr ? 10 * 60_000 : 5 * 60_000;
    this.#codes.set(code, {
      appId: consent.appId,
      openid: consent.openid,
      scope: consent.scope,
      expiresAt: this.#now() + ttl,
      used: false,
      ...(consent.snapshotUnionid === undefined ? {} : { snapshotUnionid: consent.snapshotUnionid }),
    });
    return code;
  }

  /** /sns/oauth2/access_token's check: 40029 unknown, other app's or expired; 40163 used. */
  redeem(
    appId: string,
    code: string,
  ): Redeemed<{ openid: string; scope: OAuthScope; snapshotUnionid?: string }> {
    const issued = this.#codes.get(code);
    if (!issued || issued.appId !== appId || issued.expiresAt <= this.#now()) {
      return { ok: false, errcode: 40029 };
    }
    if (issued.used) return { ok: false, errcode: 40163 };
    issued.used = true;
    const { openid, scope, snapshotUnionid } = issued;
    return {
      ok: true,
      value: snapshotUnionid === undefined ? { openid, scope } : { openid, scope, snapshotUnionid },
    };
  }

  #sweep(): void {
    const now = this.#now();
    for (const map of [this.#consents, this.#codes] as Map<string, { expiresAt: number }>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
    this.#alsoSweep();
  }
}
