// What a web login hands over at each end: the start (WeChat's URL and the state cookie's value),
// what the callback received, and how the callback ended.

import type { LoginResult } from '../core/session-issuer.js';

/** Where to send the browser to start a login, and what the browser must keep meanwhile. */
export interface OAuthStart {
  /** WeChat's authorize (or QR) page, parameters in the order WeChat checks, `#wechat_redirect` last. */
  url: string;
  state: string;
  /**
   * The state cookie's value: the state and `returnTo`, signed. Proves at the callback that this
   * browser started the flow; nothing about the flow is stored on the server until then.
   */
  binding: string;
  /** The same-origin path to go to afterwards (`'/'` when none or an unsafe one was asked for). */
  returnTo: string;
}

/**
 * How a callback ended when it did not throw: logged in, the user said no, or the page ran in
 * WeChat's snapshot mode (a virtual user, refused before any session or `onLogin`).
 */
export type OAuthOutcome =
  | { kind: 'login'; result: LoginResult; returnTo: string }
  | { kind: 'denied'; returnTo: string }
  | { kind: 'snapshot'; returnTo: string };

/** What the callback received; `undefined` for an absent parameter. */
export interface OAuthCallback {
  state: string | undefined;
  code: string | undefined;
  /** The state cookie's value, when the browser sent one. */
  binding: string | undefined;
}
