// The message an error is answered with, in the app's locale: English (each error's own, most
// precise message) by default, Chinese from one table, and the app's own per-code overrides.

import type { AppErrorCode, WxErrorCode } from '../errors.js';
import { ZH_CN_MESSAGES } from './zh-CN.js';

/** The languages of the package's error messages. Codes are the same in every locale. */
export type WxLocale = 'en' | 'zh-CN';

/** The supported locales, for option validation. */
export const LOCALES: readonly WxLocale[] = ['en', 'zh-CN'];

/** The app's own message per code (a package code or one of its hooks'), over the locale's. */
export type WxMessages = Partial<Record<WxErrorCode | AppErrorCode, string>>;

/**
 * The message of an error (a `WxLoginError`, or anything with a string `code` and `message`) in
 * `locale`: `messages[code]` if the app gave one, else the locale's message for a package code,
 * else the error's own message (English, and the app's own codes).
 *
 * @example
 * app.use((err, req, res, next) => {
 *   if (!isWxLoginError(err)) return next(err);
 *   res.status(err.status).json({ code: err.code, msg: wxErrorMessage(err, 'zh-CN') });
 * });
 */
export function wxErrorMessage(
  err: { readonly code: string; readonly message: string },
  locale: WxLocale = 'en',
  messages?: WxMessages,
): string {
  const own = messages !== undefined && Object.hasOwn(messages, err.code) ? messages[err.code] : undefined;
  if (typeof own === 'string') return own;
  if (locale === 'zh-CN' && Object.hasOwn(ZH_CN_MESSAGES, err.code)) {
    return ZH_CN_MESSAGES[err.code as WxErrorCode];
  }
  return err.message;
}
