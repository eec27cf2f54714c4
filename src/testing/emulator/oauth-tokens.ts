// The users' web OAuth tokens: what a redeemed code grants, how /sns/oauth2/refresh_token renews
// them, and the checks of /sns/userinfo, /sns/auth and the refresh.

import { newAccessToken } from './ids.js';
import type { Redeemed } from './state.js';
import type { OAuthScope } from './types.js';

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

/** What /sns/oauth2/access_token and /sns/oauth2/refresh_token answer (a type: a JSON body). */
type TokenAnswer = {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
};

const REFRESH_TTL_MS = 30 * 24 * 3600_000;

/**
 * Issues, renews and checks the users' OAuth access_tokens and refresh_tokens.
 *
 * @example
 * const tokens = new OAuthTokens(Date.now, 7200);
 * const { access_token, openid } = tokens.issue({ appId, openid: user.openid, scope: 'snsapi_userinfo' });
 * tokens.checkAccessToken(access_token, openid).ok; // true
 */
export class OAuthTokens {
  readonly #now: () => number;
  readonly #accessTtlMs: number;
  readonly #tokens = new Map<string, OAuthToken>();
  readonly #refreshTokens = new Map<string, OAuthToken>();

  constructor(now: () => number, accessTtlSeconds: number) {
    this.#now = now;
    this.#accessTtlMs = accessTtlSeconds * 1000;
  }

  /** A new access_token and refresh_token for a code's grant. */
  issue(grant: { appId: string; openid: string; scope: OAuthScope; snapshot?: boolean }): TokenAnswer {
    const now = this.#now();
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
  refresh(refreshToken: string, grant: OAuthToken): TokenAnswer {
    const now = this.#now();
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

  /** /sns/oauth2/refresh_token's check: 40030 unknown or another app's, 42002 expired. */
  checkRefreshToken(appId: string, refreshToken: string | undefined): Redeemed<OAuthToken> {
    const token = refreshToken ? this.#refreshTokens.get(refreshToken) : undefined;
    if (!token || token.appId !== appId) return { ok: false, errcode: 40030 };
    if (token.expiresAt <= this.#now()) return { ok: false, errcode: 42002 };
    return { ok: true, value: { ...token } };
  }

  /** A user access_token's check: 41001 missing, 40014 unknown, 42001 expired, 40003 another openid. */
  checkAccessToken(accessToken: string | undefined, openid: string | undefined): Redeemed<OAuthToken> {
    if (!accessToken) return { ok: false, errcode: 41001 };
    const token = this.#tokens.get(accessToken);
    if (!token) return { ok: false, errcode: 40014 };
    if (token.expiresAt <= this.#now()) return { ok: false, errcode: 42001 };
    if (openid !== token.openid) return { ok: false, errcode: 40003 };
    return { ok: true, value: { ...token } };
  }

  /**
   * Forgets expired tokens, which keeps long runs bounded. A forgotten token answers as unknown
   * (40014, 40030) instead of expired (42001, 42002): it runs only every thousand codes.
   */
  forgetExpired(): void {
    const now = this.#now();
    for (const map of [this.#tokens, this.#refreshTokens]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }

  #answer(
    accessToken: string,
    refreshToken: string,
    grant: { openid: string; scope: OAuthScope },
  ): TokenAnswer {
    return {
      access_token: accessToken,
      expires_in: Math.round(this.#accessTtlMs / 1000),
      refresh_token: refreshToken,
      openid: grant.openid,
      scope: grant.scope,
    };
  }
}
