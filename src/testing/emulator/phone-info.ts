// The number a phone code stands for: what the test gave, else the user's, else 13800138000, in
// the three forms getuserphonenumber answers (with and without the country code, and the code).

import type { EmulatedUser } from './types.js';

/** The number a phone code stands for, as getuserphonenumber answers it. */
export interface PhoneInfo {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/**
 * Completes the number given for a user's phone code. The country code defaults to the user's,
 * else `'86'`; `phoneNumber` carries it for a foreign number (`+44…`), as WeChat's does.
 *
 * @example
 * phoneInfo({}, { purePhoneNumber: '7700900123', countryCode: '44' });
 * // { phoneNumber: '+447700900123', purePhoneNumber: '7700900123', countryCode: '44' }
 */
export function phoneInfo(
  user: Pick<EmulatedUser, 'phoneNumber' | 'countryCode'>,
  given: { phoneNumber?: string; purePhoneNumber?: string; countryCode?: string },
): PhoneInfo {
  const countryCode = given.countryCode ?? user.countryCode ?? '86';
  const full = given.phoneNumber;
  const purePhoneNumber =
    given.purePhoneNumber ??
    (full?.startsWith(`+${countryCode}`) ? full.slice(countryCode.length + 1).trim() : full) ??
    user.phoneNumber ??
    '13800138000';
  const phoneNumber = full ?? (countryCode === '86' ? purePhoneNumber : `+${countryCode}${purePhoneNumber}`);
  return { phoneNumber, purePhoneNumber, countryCode };
}
