// What the emulated WeChat remembers of web OAuth, in four parts: the apps' OAuth settings, the
// person signed in to WeChat in the browser, the authorizations under way, and the users' tokens.

import { OAuthApps } from './oauth-apps.js';
import { OAuthCodes } from './oauth-codes.js';
import { OAuthPerson } from './oauth-person.js';
import { OAuthTokens } from './oauth-tokens.js';
import type { EmulatorState } from './state.js';
import type { WeChatEmulatorOptions } from './types.js';

/** The emulator's OAuth memory, as the endpoints use it. */
export interface OAuthState {
  apps: OAuthApps;
  person: OAuthPerson;
  codes: OAuthCodes;
  tokens: OAuthTokens;
}

/**
 * Builds the OAuth memory over the emulator's users; its access_tokens live `accessTtlSeconds`.
 *
 * @example
 * const oauth = createOAuthState(state, [{ appId, appSecret }], 7200);
 * oauth.person.signIn({ consent: 'allow' });
 */
export function createOAuthState(
  state: EmulatorState,
  apps: NonNullable<WeChatEmulatorOptions['apps']>,
  accessTtlSeconds: number,
): OAuthState {
  const now = () => state.now();
  const tokens = new OAuthTokens(now, accessTtlSeconds);
  return {
    apps: new OAuthApps(apps),
    person: new OAuthPerson(state),
    // Every thousandth code, the expired tokens are forgotten with the expired codes.
    codes: new OAuthCodes(now, () => tokens.forgetExpired()),
    tokens,
  };
}
