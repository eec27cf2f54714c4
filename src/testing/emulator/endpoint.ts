// What every endpoint handler gets and shares: the request as received, the emulator's memory (and
// how it is built), and the two checks WeChat makes before any work (the app's credentials, or an
// access_token).

import { AccessTokens } from './access-tokens.js';
import { createOAuthState, type OAuthState } from './oauth-state.js';
import type { EmulatorSettings } from './options.js';
import { type Reply, wxError } from './replies.js';
import { EmulatorState } from './state.js';

/** A request as an endpoint sees it. */
export interface EmulatorRequest {
  method: string;
  query: Record<string, string>;
  /** The query string exactly as sent: WeChat's authorize page checks the parameters' order. */
  rawQuery: string;
  rawBody: string;
}

/** The emulator's memory and settings, for the endpoints. */
export interface EndpointContext {
  state: EmulatorState;
  tokens: AccessTokens;
  oauth: OAuthState;
  phoneCountryCodeAsNumber: boolean;
}

/**
 * A new emulated WeChat: its apps, users, codes and tokens, none issued yet.
 *
 * @example
 * const ctx = createEndpointContext(emulatorSettings({}));
 */
export function createEndpointContext(settings: EmulatorSettings): EndpointContext {
  const { now, codeTtlMs, accessTokenTtlSeconds } = settings;
  const state = new EmulatorState(settings.apps, {
    codeTtlMs,
    rotate: settings.rotateSessionKeyOnLogin,
    now,
  });
  return {
    state,
    tokens: new AccessTokens(accessTokenTtlSeconds, now),
    oauth: createOAuthState(state, settings.oauthApps, accessTokenTtlSeconds),
    phoneCountryCodeAsNumber: settings.phoneCountryCodeAsNumber,
  };
}

/**
 * One WeChat endpoint: a request in, a reply out, synchronously.
 *
 * @example
 * const handler: EndpointHandler = (_req, _ctx) => ok({ errcode: 0, errmsg: 'ok' });
 */
export type EndpointHandler = (req: EmulatorRequest, ctx: EndpointContext) => Reply;

/**
 * The checks of an appid/secret call, in WeChat's order: 41002 appid missing, 40013 unknown appid,
 * 41004 secret missing, 40125 wrong secret, 40002 another grant_type. Undefined when all pass.
 *
 * @example
 * const refused = checkCredentials(ctx, req.query, 'authorization_code');
 * if (refused) return refused;
 */
export function checkCredentials(
  ctx: EndpointContext,
  params: Record<string, unknown>,
  grantType: string,
): Reply | undefined {
  const { appid, secret, grant_type } = params;
  if (typeof appid !== 'string' || appid === '') return wxError(41002);
  const expected = ctx.state.secretOf(appid);
  if (expected === undefined) return wxError(40013);
  if (typeof secret !== 'string' || secret === '') return wxError(41004);
  if (secret !== expected) return wxError(40125);
  if (grant_type !== grantType) return wxError(40002);
  return undefined;
}

/**
 * The check of `?access_token=`: the app it belongs to, or 41001/40001/42001.
 *
 * @example
 * const auth = authorize(ctx, req.query);
 * if ('status' in auth) return auth;
 */
export function authorize(ctx: EndpointContext, query: Record<string, string>): { appId: string } | Reply {
  const checked = ctx.tokens.check(query.access_token);
  return checked.ok ? { appId: checked.appId } : wxError(checked.errcode);
}

/**
 * The body as a JSON object; undefined when it is not one (WeChat answers 47001).
 *
 * @example
 * jsonObject('{"code":"abc"}'); // { code: 'abc' }
 */
export function jsonObject(rawBody: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(rawBody);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
