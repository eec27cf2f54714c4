// Instrumentation on node:diagnostics_channel, the convention of undici and Node's own http: the
// package publishes what happens; APM agents, OpenTelemetry bridges or metrics subscribe. With no
// subscriber a publish point costs one property read and builds nothing.

import diagnostics_channel from 'node:diagnostics_channel';

/**
 * The channels, by name. Subscribe with `diagnostics_channel.subscribe(name, listener)`. Messages
 * never hold a token, a session_key, an access_token or a secret.
 */
export const CHANNELS = {
  /** `{ appId, source }`: a login began (mini program: a code arrived; web: a callback passed its checks). */
  loginStart: 'express-wx-login:login:start',
  /** `{ appId, source, openid, durationMs }`: a session was created and a token signed. */
  loginEnd: 'express-wx-login:login:end',
  /** `{ appId, source, code, status, durationMs }`: the login failed with this error code. */
  loginError: 'express-wx-login:login:error',
  /** `{ appId, sessionAppId, cached }`: a token was accepted (`cached`: without a store read). */
  tokenVerified: 'express-wx-login:token:verified',
  /** `{ appId, code }`: a token was refused (WX_TOKEN_MISSING, WX_TOKEN_INVALID, WX_TOKEN_EXPIRED, WX_SESSION_REVOKED, ...). */
  tokenRefused: 'express-wx-login:token:refused',
  /** `{ id, api }`: a WeChat API call began (`api`: e.g. 'jscode2session', 'stable_token'; `id` pairs it with its end). */
  wechatStart: 'express-wx-login:wechat:start',
  /** `{ id, api, attempts, durationMs }`: WeChat answered. */
  wechatEnd: 'express-wx-login:wechat:end',
  /** `{ id, api, attempts, durationMs, code, errcode? }`: the call failed (WeChat refused it, or never answered). */
  wechatError: 'express-wx-login:wechat:error',
  /** `{ op, code }`: a session store call failed (answered 503). */
  storeError: 'express-wx-login:store:error',
  /** `{ appId, endpoint, forced, afterRejection }`: an access_token was fetched from WeChat. */
  accessTokenRefresh: 'express-wx-login:access-token:refresh',
} as const;

export type ChannelName = (typeof CHANNELS)[keyof typeof CHANNELS];

const channels = new Map<string, diagnostics_channel.Channel>();

function channel(name: ChannelName): diagnostics_channel.Channel {
  let found = channels.get(name);
  if (!found) {
    found = diagnostics_channel.channel(name);
    channels.set(name, found);
  }
  return found;
}

/**
 * Publishes the message `build()` makes, only when someone listens: `build` is not called
 * otherwise, so an unobserved publish point builds no message. (Hot paths check `observed()`
 * first, so that not even the closure is made.)
 *
 * @example
 * publish(CHANNELS.storeError, () => ({ op, code: 'WX_STORE_UNAVAILABLE' }));
 */
export function publish(name: ChannelName, build: () => Record<string, unknown>): void {
  const target = channel(name);
  if (target.hasSubscribers) target.publish(build());
}

/**
 * Whether anyone listens on `name` (to skip measuring a duration nobody will read).
 *
 * @example
 * const startedAt = observed(CHANNELS.loginEnd) ? performance.now() : 0;
 */
export function observed(name: ChannelName): boolean {
  return channel(name).hasSubscribers;
}
