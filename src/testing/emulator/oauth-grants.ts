// What the emulated WeChat remembers of web OAuth: which person is signed in to WeChat in the
// browser, pending consents, single-use codes, and the users' OAuth access and refresh tokens.

import { randomBytes } from 'node:crypto';
import { newAccessToken, newLoginCode, newOpenid } from './ids.js';
import type { EmulatorState, Redeemed } from './state.js';
import type { EmulatedUser, OAuthScope, OAuthUserInput, WeChatEmulatorOptions } from './types.js';

/** What an app may do with web OAuth. */
interface OAuthApp {
  /** `host` (with port, if any) that redirect_uri must have; any when undefined. */
  domain: string | undefined;
  scopes: ReadonlySet<OAuthScope>;
}

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

interface OAuthToken {
  appId: string;
  openid: string;
  scope: OAuthScope;
  expiresAt: number;
  /** Tokens of a snapshot-mode grant: /sns/userinfo answers 48001. */
  snapshot?: boolean;
  /** For a refresh_token: the access_token it last gave out, which a refresh extends while unexpired. */
  accessToken?: string;
}

/** The profile /sns/userinfo answers; the emulator makes one up unless the test gave one. */
export interface OAuthProfile {
  nickname: string;
  sex: number;
  headimgurl: string;
}

const ALL_SCOPES: readonly OAuthScope[] = ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'];
const CONSENT_TTL_MS = 10 * 60_000;
const REFRESH_TTL_MS = 30 * 24 * 3600_000;

/**
 * The emulator's OAuth memory, on top of its users (one person has a different openid in each
 * app, and the same unionid in all apps of one Open Platform account).
 *
 * @example
 * const grants = new OAuthGrants(state, options.apps ?? [DEFAULT_APP], 7200);
 * const code = grants.issueCode({ appId, openid, scope: 'snsapi_userinfo', redirectUri, state: 's', qr: false });
 */
export class OAuthGrants {
  readonly #state: EmulatorState;
  readonly #apps: Map<string, OAuthApp>;
  readonly #accessTtlMs: number;
  #person: OAuthUserInput = {};
  readonly #profiles = new Map<string, OAuthProfile>();
  readonly #consents = new Map<string, PendingConsent & { expiresAt: number }>();
  readonly #codes = new Map<string, IssuedOAuthCode>();
  readonly #tokens = new Map<string, OAuthToken>();
  readonly #refreshTokens = new Map<string, OAuthToken>();
  #issued = 0;

  constructor(
    state: EmulatorState,
    apps: NonNullable<WeChatEmulatorOptions['apps']>,
    accessTtlSeconds: number,
  ) {
    this.#state = state;
    this.#accessTtlMs = accessTtlSeconds * 1000;
    this.#apps = new Map(apps.map((app) => [app.appId, checkOAuthApp(app)]));
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

  /** Whether the signed-in person browses official-account pages in snapshot mode (快照页). */
  get snapshotMode(): boolean {
    return this.#person.snapshot === true;
  }

  /**
   * The consent of a snapshot-mode page: a virtual openid and unionid, made up for this grant
   * alone and never linked to the person's real user.
   */
  snapshotConsent(consent: Omit<PendingConsent, 'openid' | 'qr' | 'snapshotUnionid'>): PendingConsent {
    return { ...consent, openid: newOpenid(), qr: false, snapshotUnionid: newOpenid() };
  }

  /** Whether `host` may receive redirects for the app (10003 otherwise). */
  domainAllowed(appId: string, host: string): boolean {
    const domain = this.#apps.get(appId)?.domain;
    return domain === undefined || domain === host;
  }

  /** Whether the app holds the scope (10005 otherwise). */
  scopeAllowed(appId: string, scope: OAuthScope): boolean {
    return this.#apps.get(appId)?.scopes.has(scope) ?? false;
  }

  /** The signed-in person's user in `appId`: found by openid or unionid, else created. */
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

  profileOf(appId: string, openid: string): OAuthProfile | undefined {
    const profile = this.#profiles.get(userKey(appId, openid));
    return profile && { ...profile };
  }

  /** Remembers a consent page until it is answered (once) or 10 minutes pass. */
  openConsent(consent: PendingConsent): string {
    const ticket = randomBytes(16).toString('hex');
    this.#consents.set(ticket, { ...consent, expiresAt: this.#state.now() + CONSENT_TTL_MS });
    return ticket;
  }

  takeConsent(ticket: string): PendingConsent | undefined {
    const consent = this.#consents.get(ticket);
    this.#consents.delete(ticket);
    return consent && consent.expiresAt > this.#state.now() ? consent : undefined;
  }

  /** A single-use code for the redirect back to the site. */
  issueCode(consent: PendingConsent): string {
    if (++this.#issued % 1000 === 0) this.#sweep();
    const code = newLoginCode();
    const ttl = consent.qr ? 10 * 60_000 : 5 * 60_000;
    this.#codes.set(code, {
      appId: consent.appId,
      openid: consent.openid,
      scope: consent.scope,
      expiresAt: this.#state.now() + ttl,
      used: false,
      ...(consent.snapshotUnionid === undefined ? {} : { snapshotUnionid: consent.snapshotUnionid }),
    });
    return code;
  }

  /** /sns/oauth2/access_token's check: 40029 unknown, other app's or expired; 40163 used. */
  redeemCode(
    appId: string,
    code: string,
  ): Redeemed<{ openid: string; scope: OAuthScope; snapshotUnionid?: string }> {
    const issued = this.#codes.get(code);
    if (!issued || issued.appId !== appId || issued.expiresAt <= this.#state.now()) {
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

  /** A new access_token and refresh_token for a code's grant. */
  issueTokens(grant: { appId: string; openid: string; scope: OAuthScope; snapshot?: boolean }): {
    access_token: string;
    expires_in: number;
    refresh_token: string;
    openid: string;
    scope: string;
  } {
    const now = this.#state.now();
    const accessToken = newAccessToken();
    this.#tokens.set(accessToken, { ...grant, expiresAt: now + this.#accessTtlMs });
    const refresh = newAccessToken();
    this.#refreshTokens.set(refresh, { ...grant, expiresAt: now + REFRESH_TTL_MS, accessToken });
    return this.#answer(accessToken, refresh, grant);
  }

  /**
   * /sns/oauth2/refresh_token: an unexpired access_token is kept and only gets a new lifetime; an
   * expired one is replaced (the Open Platform's login guide). The refresh_token stays the same.
   */
  refresh(refreshToken: string, grant: OAuthToken): ReturnType<OAuthGrants['issueTokens']> {
    const now = this.#state.now();
    const current = grant.accessToken === undefined ? undefined : this.#tokens.get(grant.accessToken);
    let accessToken = grant.accessToken;
    if (current && accessToken !== undefined && current.expiresAt > now) {
      current.expiresAt = now + this.#accessTtlMs;
    } else {
      accessToken = newAccessToken();
      const { accessToken: _old, ...rest } = grant;
      this.#tokens.set(accessToken, { ...rest, expiresAt: now + this.#accessTtlMs });
      const record = this.#refreshTokens.get(refreshToken);
      if (record) record.accessToken = accessToken;
    }
    return this.#answer(accessToken, refreshToken, grant);
  }

  #answer(accessToken: string, refreshToken: string, grant: { openid: string; scope: OAuthScope }) {
    return {
      access_token: accessToken,
      expires_in: Math.round(this.#accessTtlMs / 1000),
      refresh_token: refreshToken,
      openid: grant.openid,
      scope: grant.scope,
    };
  }

  /** /sns/oauth2/refresh_token's check: 40030 unknown or another app's, 42002 expired. */
  checkRefreshToken(appId: string, refreshToken: string | undefined): Redeemed<OAuthToken> {
    const token = refreshToken ? this.#refreshTokens.get(refreshToken) : undefined;
    if (!token || token.appId !== appId) return { ok: false, errcode: 40030 };
    if (token.expiresAt <= this.#state.now()) return { ok: false, errcode: 42002 };
    return { ok: true, value: { ...token } };
  }

  /** A user access_token's check: 41001 missing, 40014 unknown, 42001 expired, 40003 another openid. */
  checkAccessToken(accessToken: string | undefined, openid: string | undefined): Redeemed<OAuthToken> {
    if (!accessToken) return { ok: false, errcode: 41001 };
    const token = this.#tokens.get(accessToken);
    if (!token) return { ok: false, errcode: 40014 };
    if (token.expiresAt <= this.#state.now()) return { ok: false, errcode: 42001 };
    if (openid !== token.openid) return { ok: false, errcode: 40003 };
    return { ok: true, value: { ...token } };
  }

  /** Expired entries answer like unknown ones: forgetting them keeps long runs bounded. */
  #sweep(): void {
    const now = this.#state.now();
    for (const map of [this.#consents, this.#codes, this.#tokens, this.#refreshTokens] as Map<
      string,
      { expiresAt: number }
    >[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }
}

function userKey(appId: string, openid: string): string {
  return `${appId}\n${openid}`;
}

function checkOAuthApp(app: NonNullable<WeChatEmulatorOptions['apps']>[number]): OAuthApp {
  const { oauthDomain, oauthScopes } = app;
  if (oauthDomain !== undefined && (typeof oauthDomain !== 'string' || oauthDomain === '')) {
    throw new TypeError('WeChat emulator: oauthDomain must be a non-empty host');
  }
  const scopes = oauthScopes ?? ALL_SCOPES;
  if (!Array.isArray(scopes) || scopes.some((s) => !ALL_SCOPES.includes(s))) {
    throw new TypeError(`WeChat emulator: oauthScopes may hold only ${ALL_SCOPES.join(', ')}`);
  }
  return { domain: oauthDomain, scopes: new Set(scopes) };
}
