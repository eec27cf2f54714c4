// The stored state of a session's renewals (its "refresh token family"): which generation of
// refresh token is current and when the last renewal was, as one string so it can be swapped atomically.

import type { StoredValue } from '../stores/types.js';
import { userKey } from './user-keys.js';

/** The renewal state of one session. */
export interface RenewalState {
  /** The generation of the one refresh token that may be used next. */
  generation: number;
  /** Unix seconds of the last renewal (or of the login). */
  renewedAt: number;
}

/**
 * Where a session's renewal state lives, in its user's slot.
 *
 * @example
 * renewalKey('wx123', 'o6_bm', sid); // 'wx123:{u:o6_bm}:renewal:<sid>'
 */
export function renewalKey(appId: string, openid: string, sid: string): string {
  return userKey(appId, 'u', openid, `renewal:${sid}`);
}

/**
 * The stored form: a string, so that `deleteIfEquals` can swap it for the next one.
 *
 * @example
 * formatRenewal({ generation: 3, renewedAt: 1764400000 }); // '3:1764400000'
 */
export function formatRenewal(state: RenewalState): string {
  return `${state.generation}:${state.renewedAt}`;
}

/**
 * The renewal state stored at a session's key; `undefined` when absent or malformed.
 *
 * @example
 * parseRenewal('3:1764400000'); // { generation: 3, renewedAt: 1764400000 }
 */
export function parseRenewal(value: StoredValue | undefined): RenewalState | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,9}):(\d{1,12})$/.exec(value);
  return match ? { generation: Number(match[1]), renewedAt: Number(match[2]) } : undefined;
}

/**
 * When the session was last renewed, from its stored renewal state.
 *
 * @example
 * renewedAtOf('3:1764400000'); // 1764400000
 */
export function renewedAtOf(value: StoredValue | undefined): number | undefined {
  return parseRenewal(value)?.renewedAt;
}
