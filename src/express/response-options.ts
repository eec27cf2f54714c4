// The options that shape how the package answers (shapeBody, errorStatus, errors, locale,
// messages), shared by wxLogin(), requireWxSession() and wxErrorHandler(), and their parsing.

import type { Request } from 'express';
import type { AppErrorCode, WxErrorCode, WxLoginError } from '../errors.js';
import { LOCALES, type WxLocale, type WxMessages } from '../messages/index.js';
import { failOption, functionOption, oneOf } from '../options-toolkit.js';

/** A successful answer of the package, as `shapeBody` sees it. */
export interface WxSuccessAnswer {
  ok: true;
  /** 200 (login, phone, web login with `deliver: 'json'`) or 204 (logout). */
  status: number;
  /** The default body: `{ token, ... }` of a login, `{ phoneNumber, ... }`, or `null` (logout). */
  data: object | null;
  req: Request;
}

/** An error answer of the package, as `shapeBody` sees it. */
export interface WxErrorAnswer {
  ok: false;
  /** The error's own HTTP status (401, 503, ...), also when `errorStatus: 200` sends 200. */
  status: number;
  code: WxErrorCode | AppErrorCode;
  /** The message in the configured `locale` (or from `messages`). */
  message: string;
  /** The error itself: `errcode` and `rid` when WeChat was the cause. Its `cause` is not for clients. */
  error: WxLoginError;
  req: Request;
}

/** Every answer the package writes: a success or an error. */
export type WxAnswer = WxSuccessAnswer | WxErrorAnswer;

/** How the package writes its answers. Every option defaults to today's JSON answers. */
export interface WxResponseOptions {
  /**
   * Shapes the body of every answer the package writes (login, phone, logout, every error, the
   * guard's 401/503). Its return value is sent as JSON; `undefined` sends no body. A logout
   * (204) answered with a body is sent as 200. Defaults to the bodies of the README: `data` as is,
   * errors as `{ error: { code, message } }`.
   *
   * @example
   * shapeBody: (a) => (a.ok ? { code: 0, msg: 'ok', data: a.data } : { code: a.code, msg: a.message, data: null })
   */
  shapeBody?: (answer: WxAnswer) => unknown;
  /**
   * The HTTP status of error answers: `'error'`, each error's own (400, 401, 503, ...), or `200`
   * for every error (the code is then only in the body; 401s carry no `WWW-Authenticate`).
   * Defaults to `'error'`.
   */
  errorStatus?: 'error' | 200;
  /**
   * `'respond'`: the package answers its errors itself. `'next'`: every error goes to `next(err)`
   * as a `WxLoginError` (with `status`, `code`, `expose`), for the app's own error handler, as
   * express-jwt does; the package then writes nothing for it, not even to stderr. Defaults to `'respond'`.
   */
  errors?: 'respond' | 'next';
  /** The language of error messages; codes stay the same. Defaults to `'en'`. */
  locale?: WxLocale;
  /** The app's own message per code (package codes or its hooks' codes), over the locale's. */
  messages?: WxMessages;
}

/** The parsed response options: what a Responder runs on. */
export interface ResponseSettings {
  shapeBody: ((answer: WxAnswer) => unknown) | undefined;
  errorStatus: 'error' | 200;
  errors: 'respond' | 'next';
  locale: WxLocale;
  messages: Readonly<Record<string, string>>;
}

/** Today's answers: JSON bodies, each error's status, answered by the package, in English. */
export const DEFAULT_RESPONSE_SETTINGS: ResponseSettings = Object.freeze({
  shapeBody: undefined,
  errorStatus: 'error',
  errors: 'respond',
  locale: 'en',
  messages: Object.freeze({}),
});

const OPTION_NAMES = ['shapeBody', 'errorStatus', 'errors', 'locale', 'messages'] as const;

/**
 * The response options present in `options` (others, such as `appId`, are ignored), validated
 * with the options toolkit. Only options given appear in the result, so that a guard's options can
 * be laid over its wxLogin()'s.
 *
 * @example
 * parseResponseOptions({ locale: 'zh-CN' }); // { locale: 'zh-CN' }
 */
export function parseResponseOptions(options: Record<string, unknown>): Partial<ResponseSettings> {
  const given = Object.fromEntries(
    OPTION_NAMES.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]),
  );
  const out: Partial<ResponseSettings> = {};
  if ('shapeBody' in given) out.shapeBody = functionOption<ResponseSettings['shapeBody']>(given, 'shapeBody');
  if ('errorStatus' in given) {
    if (given.errorStatus !== 'error' && given.errorStatus !== 200) {
      failOption('errorStatus', 'must be "error" or 200');
    }
    out.errorStatus = given.errorStatus;
  }
  if ('errors' in given) out.errors = oneOf(given, 'errors', ['respond', 'next'] as const, undefined);
  if ('locale' in given) out.locale = oneOf(given, 'locale', LOCALES, undefined);
  if ('messages' in given) out.messages = parseMessages(given.messages);
  return out;
}

/**
 * Splits an options object into its parsed response options and all the others.
 *
 * @example
 * const { settings, others } = takeResponseOptions({ appId, locale: 'zh-CN' }); // others: { appId }
 */
export function takeResponseOptions<T extends object>(
  options: T,
): { settings: Partial<ResponseSettings>; others: Omit<T, keyof WxResponseOptions> } {
  const names: readonly string[] = OPTION_NAMES;
  const others = Object.fromEntries(Object.entries(options).filter(([name]) => !names.includes(name)));
  return {
    settings: parseResponseOptions(options as Record<string, unknown>),
    others: others as Omit<T, keyof WxResponseOptions>,
  };
}

/**
 * `base` with `over` laid on it; `messages` are merged per code.
 *
 * @example
 * const guardSettings = mergeSettings(login.settings, { locale: 'zh-CN' });
 */
export function mergeSettings(base: ResponseSettings, over: Partial<ResponseSettings>): ResponseSettings {
  const merged = { ...base, ...over };
  if (over.messages) merged.messages = Object.freeze({ ...base.messages, ...over.messages });
  return merged;
}

function parseMessages(value: unknown): Readonly<Record<string, string>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    failOption('messages', 'must be an object of { [code]: message }');
  }
  const out: Record<string, string> = {};
  for (const [code, message] of Object.entries(value)) {
    if (typeof message !== 'string' || message.trim() === '') {
      failOption(`messages.${code}`, 'must be a non-empty string');
    }
    out[code] = message;
  }
  return Object.freeze(out);
}
