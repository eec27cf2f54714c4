// Creates a session for an identity WeChat vouched for (a mini-program code2Session or a web
// OAuth grant): runs onLogin, keeps the newest session_key, stores the session, signs a token.

import { randomBytes } from 'node:crypto';
import { log, type WxLogger } from '../logger.js';
import type { WeChatUserInfo } from '../wechat/oauth-client.js';
import { clientSummary } from './client-summary.js';
import { requireStorable, runHook, withRequest } from './hooks.js';
import type { Configuration, LoginEvent, WxAppUser } from './options.js';
import { recordTtlMs } from './session-lifetime.js';
import type { SessionRenewal } from './session-renewal.js';
import type { SessionRecord, SessionRepository } from './sessions.js';
import type { TokenService } from './tokens.js';
import type { UserSessions } from './user-sessions.js';

/** The body of a successful `POST /wx/login`. */
export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
  /** Renewal mode (`refresh` option) only: good for one `POST /wx/refresh`. */
  refreshToken?: string;
  /** Renewal mode only: seconds until the session ends at the latest. */
  refreshExpiresIn?: number;
  openid: string;
  unionid?: string;
  user?: WxAppUser;
}

/** The identity a login starts from: a mini-program code2Session, or a web OAuth exchange. */
export interface VerifiedIdentity {
  openid: string;
  unionid?: string;
  /** Absent for web logins: OAuth gives no session_key. */
  sessionKey?: string;
  source: 'miniprogram' | 'web';
  /** The app WeChat issued the openid for, when not the mini program (an official account, a website app). */
  appId?: string;
  /** The user's profile from `/sns/userinfo`, passed to `onLogin` only (never stored by the package). */
  profile?: WeChatUserInfo;
  /** Web logins: the user's OAuth tokens, passed to `onLogin` only (never stored or logged by the package). */
  oauth?: LoginEvent['oauth'];
}

type IssuerConfig = Pick<Configuration, 'appId' | 'tokenTtl' | 'onLogin' | 'describeClient' | 'refresh'> & {
  logger: WxLogger | undefined;
};

/**
 * @example
 * const issuer = new SessionIssuer(config, sessions, tokens);
 * const result = await issuer.createSession({ openid, sessionKey, source: 'miniprogram' }, req);
 */
export class SessionIssuer {
  readonly #config: IssuerConfig;
  readonly #sessions: SessionRepository;
  readonly #tokens: TokenService;
  readonly #users: UserSessions;
  readonly #renewal: SessionRenewal | undefined;

  constructor(
    config: IssuerConfig,
    sessions: SessionRepository,
    tokens: TokenService,
    users: UserSessions,
    renewal?: SessionRenewal,
  ) {
    this.#config = config;
    this.#sessions = sessions;
    this.#tokens = tokens;
    this.#users = users;
    this.#renewal = renewal;
  }

  /** Runs `onLogin` (which may refuse), stores the session and the newest session_key, signs a token. */
  async createSession(identity: VerifiedIdentity, request: unknown): Promise<LoginResult> {
    const { openid, unionid, sessionKey, source, profile, oauth } = identity;
    const { logger } = this.#config;
    // Renewal mode (mini program only): the session lives absoluteTtl, each access token less.
    const renewal = source === 'miniprogram' ? this.#renewal : undefined;
    const refresh = renewal ? this.#config.refresh : undefined;
    const tokenTtl = refresh?.absoluteTtl ?? this.#config.tokenTtl;
    const accessTtl = refresh?.accessTokenTtl ?? tokenTtl;
    const appId = identity.appId ?? this.#config.appId;
    // Web logins carry no session_key, so there is nothing to look up.
    const isNewSession =
      sessionKey === undefined || (await this.#sessions.loadSessionKey(openid)) === undefined;
    const user = await this.#runOnLogin({
      openid,
      unionid,
      appId,
      isNewSession,
      source,
      profile,
      oauth,
      req: request,
    });
    const now = Math.floor(Date.now() / 1000);
    const ttlMs = recordTtlMs(tokenTtl);
    if (sessionKey !== undefined) {
      // WeChat keeps one valid key per user: the newest one replaces the last for every session.
      await this.#sessions.saveSessionKey(openid, { sessionKey, updatedAt: Date.now() }, ttlMs);
    }
    const record: SessionRecord = {
      sid: randomBytes(16).toString('base64url'),
      openid,
      appId,
      source,
      createdAt: now,
      expiresAt: now + tokenTtl,
      ...(unionid === undefined ? {} : { unionid }),
      ...(user === undefined ? {} : { user }),
    };
    const client = clientSummary(this.#config.describeClient, request);
    if (client !== undefined) record.client = client;
    await this.#sessions.save(record, ttlMs);
    await this.#users.track(record, ttlMs);
    const refreshFields = renewal ? await renewal.start(record) : undefined;
    const token = await this.#tokens.sign({
      openid,
      sid: record.sid,
      issuedAt: now,
      expiresAt: now + accessTtl,
    });
    log(logger, 'info', { openid, sid: record.sid, source, appId }, 'login');
    return {
      token,
      tokenType: 'Bearer',
      expiresIn: accessTtl,
      ...refreshFields,
      openid,
      ...(unionid === undefined ? {} : { unionid }),
      ...(user === undefined ? {} : { user }),
    };
  }

  async #runOnLogin(event: {
    openid: string;
    unionid: string | undefined;
    appId: string;
    isNewSession: boolean;
    source: 'miniprogram' | 'web';
    profile: WeChatUserInfo | undefined;
    oauth: LoginEvent['oauth'] | undefined;
    req: unknown;
  }): Promise<WxAppUser | undefined> {
    const hook = this.#config.onLogin;
    if (!hook) return undefined;
    const { unionid, profile, oauth, req, ...rest } = event;
    const payload = withRequest(
      {
        ...rest,
        ...(unionid === undefined ? {} : { unionid }),
        ...(profile === undefined ? {} : { profile }),
        ...(oauth === undefined ? {} : { oauth }),
      },
      req,
    );
    const user = await runHook(this.#config.logger, 'onLogin', () => hook(payload));
    return requireStorable('onLogin', user);
  }
}
