// How long a session lives, in one place: the records outlive the token by the clock tolerance
// (so a token still accepted finds them), and a session fits a token only while it has not ended.

import { CLOCK_TOLERANCE_SECONDS } from '../constants.js';
import type { SessionRecord } from './sessions.js';

/**
 * The store TTL of session and session-key records for tokens that live `tokenTtl` seconds.
 *
 * @example
 * recordTtlMs(604800); // 604_830_000
 */
export function recordTtlMs(tokenTtl: number): number {
  return (tokenTtl + CLOCK_TOLERANCE_SECONDS) * 1000;
}

/**
 * Whether `record` is a live session of the token's subject `openid`.
 *
 * @example
 * if (!sessionFits(record, claims.sub)) throw revoked();
 */
export function sessionFits(record: SessionRecord, openid: string, nowSeconds = Date.now() / 1000): boolean {
  return record.openid === openid && record.expiresAt + CLOCK_TOLERANCE_SECONDS >= Math.floor(nowSeconds);
}
